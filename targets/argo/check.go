package argo

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/mlc-project/mlc/ir"
	"github.com/mlc-project/mlc/targets/internal/kube"
)

// checker collects every problem found before rendering, each with the
// field it came from, so the user fixes them all in one pass.
type checker struct{ errs []error }

func (c *checker) fail(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("argo: "+format, args...))
}

func (c *checker) add(at string, err error) {
	if err != nil {
		c.fail("%s: %w", at, err)
	}
}

// checkPipeline validates, before anything is rendered, every name and
// value Argo would refuse or misread.
func checkPipeline(p *ir.Pipeline) error {
	c := &checker{}
	c.templating(p)
	for _, wf := range p.Workflows {
		at := "workflow " + wf.Name
		for _, s := range wf.Triggers.Schedules {
			if name := wf.Name + "-" + s.Name; len(name) > kube.MaxScheduleName {
				c.fail("%s: schedule %s: CronWorkflow name %q is longer than the %d characters argo allows; shorten the workflow or schedule name", at, s.Name, name, kube.MaxScheduleName)
			}
		}
		for _, j := range wf.Jobs {
			c.job(at+": job "+j.ID, j)
		}
		for _, s := range wf.OnFailure {
			c.add(at+": on failure", checkContainerName(s.ID))
			c.env(at+": on failure: step "+s.ID, s.Env)
		}
	}
	return errors.Join(c.errs...)
}

func (c *checker) job(at string, j *ir.Job) {
	for _, in := range j.Inputs {
		c.add(at+": input", checkName("input", in.Name))
		c.add(at+": input "+in.Name, checkEnvName(in.Env))
	}
	for _, o := range j.Outputs {
		c.add(at, checkName("output", o.Name))
	}
	for _, b := range j.Condition.OnlyBranches {
		c.add(at, checkQuotable("branch", b))
	}
	if w := j.Condition.WhenOutput; w != nil {
		c.add(at, checkQuotable("condition value", w.Equals))
	}
	if a := j.Approval; a != nil && a.Required > 1 {
		c.fail("%s: approval: required approvals %d > 1 is not supported by argo (a suspend node is resumed once); use 1", at, a.Required)
	}
	c.env(at, j.Env)
	for _, s := range j.Steps {
		c.add(at, checkContainerName(s.ID))
		c.env(at+": step "+s.ID, s.Env)
		for _, name := range s.Secrets {
			c.add(at+": step "+s.ID+": secret", checkEnvName(name))
		}
	}
	_, err := kube.ResourceHolder(j)
	c.add(at, err)
	c.add(at, kube.CheckSecrets(j))
}

func (c *checker) env(at string, env []ir.EnvVar) {
	for _, e := range env {
		if e.FromStep != "" {
			continue // set by the step's script from another step's output
		}
		c.add(at, checkEnvName(e.Name))
		if reserved[e.Name] {
			c.fail("%s: env var %s is set by mlc on argo; rename it", at, e.Name)
		}
	}
}

// templating rejects every string of the pipeline that holds "{{": Argo
// substitutes {{...}} everywhere in a template (scripts, env values,
// arguments), so such a value would be rewritten or fail at run time
// instead of reaching the step verbatim. Each is named by its path, such
// as .workflows[delivery].jobs[train].steps[fit].script (slice elements
// by their ID or Name field when they have one). The compiler refuses
// them in the spec first, with positions; this guards what it generates.
func (c *checker) templating(p *ir.Pipeline) {
	if !ir.AnyString(reflect.ValueOf(p), func(s string) bool { return strings.Contains(s, "{{") }) {
		return
	}
	walkStrings(reflect.ValueOf(p), "pipeline", func(path, s string) {
		if strings.Contains(s, "{{") {
			c.fail("%s: %q contains \"{{\", which argo would treat as a template expression; remove it or pass the text through a file", path, s)
		}
	})
}

// walkStrings calls visit with every exported string reachable from v,
// map keys included, and its path.
func walkStrings(v reflect.Value, path string, visit func(path, s string)) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walkStrings(v.Elem(), path, visit)
		}
	case reflect.String:
		visit(path, v.String())
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			if t.Field(i).IsExported() {
				walkStrings(v.Field(i), path+"."+lowerFirst(t.Field(i).Name), visit)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			walkStrings(v.Index(i), path+"["+elementKey(v.Index(i), i)+"]", visit)
		}
	case reflect.Map:
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for _, k := range keys {
			visit(path+"["+k.String()+"] (key)", k.String())
			walkStrings(v.MapIndex(k), path+"["+k.String()+"]", visit)
		}
	}
}

func elementKey(v reflect.Value, i int) string {
	for v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	if v.Kind() == reflect.Struct {
		for _, f := range []string{"ID", "Name"} {
			if fv := v.FieldByName(f); fv.IsValid() && fv.Kind() == reflect.String && fv.String() != "" {
				return fv.String()
			}
		}
	}
	return strconv.Itoa(i)
}

func lowerFirst(s string) string {
	if s == "ID" {
		return "id"
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// argoName is what Argo accepts as a parameter name and what the runner
// script may use unquoted as a file name.
var argoName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_-]*$`)

func checkName(what, name string) error {
	if !argoName.MatchString(name) {
		return fmt.Errorf("%s %q: argo needs letters, digits, '-' and '_' only", what, name)
	}
	return nil
}

// checkQuotable rejects values spliced into an Argo `when` expression
// between single quotes, where a quote or backslash would end the literal.
func checkQuotable(what, s string) error {
	if strings.ContainsAny(s, `'\`) {
		return fmt.Errorf("%s %q: argo when-expressions cannot hold ' or \\", what, s)
	}
	return nil
}

func checkEnvName(name string) error {
	if !ir.EnvName.MatchString(name) {
		return fmt.Errorf("env var name %q: use letters, digits and '_', not starting with a digit", name)
	}
	return nil
}

// containerName is a DNS-1123 label, what Kubernetes accepts as a container
// name; "main" is the container set's collector.
var containerName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)

func checkContainerName(stepID string) error {
	if !containerName.MatchString(stepID) || stepID == "main" {
		return fmt.Errorf("step id %q: argo runs each step as a container named by its id, which must be a DNS-1123 label other than \"main\"", stepID)
	}
	return nil
}
