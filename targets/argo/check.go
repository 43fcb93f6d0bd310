package argo

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/mlc-project/mlc/ir"
	"github.com/mlc-project/mlc/targets/internal/kube"
)

// checker collects every problem found before rendering, each where it is
// (at) and naming the field, so the user fixes them all in one pass.
type checker struct {
	at       ir.Where
	problems []ir.Problem
}

func (c *checker) fail(format string, args ...any) {
	c.problems = append(c.problems, ir.Problem{Where: c.at, Msg: fmt.Sprintf("argo: "+format, args...)})
}

func (c *checker) add(at string, err error) {
	if err != nil {
		c.fail("%s: %w", at, err)
	}
}

// maxWorkflowName leaves a generated run name ("-" and five characters)
// within a Kubernetes label value.
const maxWorkflowName = 63 - len("-xxxxx")

// check finds, before anything is rendered, every name and value Argo
// would refuse or misread (ir.Engine.Check).
func check(p *ir.Pipeline) []ir.Problem {
	c := &checker{}
	c.templating(p)
	for _, wf := range p.Workflows {
		at := "workflow " + wf.Name
		// A run is named after its WorkflowTemplate plus "-" and five
		// characters, and the controller labels its pods with that name.
		if len(wf.Name) > maxWorkflowName {
			c.at = ir.Where{Workflow: wf.Name}
			c.fail("%s: the name is %d characters, longer than the %d argo allows (its runs, %s-xxxxx, label their pods, at most 63); shorten the pipeline's name, or with split the model's", at, len(wf.Name), maxWorkflowName, wf.Name)
		}
		for _, s := range wf.Triggers.Schedules {
			c.at = ir.Where{Workflow: wf.Name, Schedule: s.Name}
			if name := wf.Name + "-" + s.Name; len(name) > kube.MaxScheduleName {
				c.fail("%s: schedule %s: CronWorkflow name %q is longer than the %d characters argo allows; shorten the workflow or schedule name", at, s.Name, name, kube.MaxScheduleName)
			}
		}
		c.names(at, wf)
		for _, j := range wf.Jobs {
			c.at = ir.Where{Workflow: wf.Name, Job: j.ID}
			c.job(at+": job "+j.ID, j)
		}
		c.at = ir.Where{Workflow: wf.Name, Field: "OnFailure"}
		for _, s := range wf.OnFailure {
			c.add(at+": on failure", checkContainerName(s.ID))
			c.env(at+": on failure: step "+s.ID, s.Env)
		}
	}
	return c.problems
}

// names refuses a job whose template name another template of the
// workflow needs: one mlc adds (the graph, the revision, the exit handler)
// or another job's approval. Rendering claims each name once (claim); a
// spec can make these collide, so they are refused here, at the job.
func (c *checker) names(at string, wf *ir.Workflow) {
	taken := map[string]string{dagTemplate: "the workflow graph"}
	if needsCheckout(wf) {
		taken[revisionTask] = "the revision of the run"
	}
	if len(wf.OnFailure) > 0 {
		taken[exitTemplate], taken[failureTemplate] = "the on-failure handler", "the on-failure handler"
	}
	for _, j := range wf.Jobs {
		if j.Approval != nil {
			taken[j.ID+approvalSuffix] = "the approval of job " + j.ID
		}
	}
	for _, j := range wf.Jobs {
		if owner, ok := taken[j.ID]; ok {
			c.at = ir.Where{Workflow: wf.Name, Job: j.ID}
			c.fail("%s: job %s and %s both need the argo template name %q; rename the job", at, j.ID, owner, j.ID)
		}
	}
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
	for _, msg := range kube.CheckResources(j.Resources) {
		c.fail("%s: %s", at, msg)
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
	walkStrings(reflect.ValueOf(p), "pipeline", ir.Where{}, func(at ir.Where, path, s string) {
		if strings.Contains(s, "{{") {
			c.at = at
			c.fail("%s: %q contains \"{{\", which argo would treat as a template expression; remove it or pass the text through a file", path, s)
		}
	})
}

// walkStrings calls visit with every exported string reachable from v,
// map keys included, its path, and the part of the pipeline it is in.
func walkStrings(v reflect.Value, path string, at ir.Where, visit func(at ir.Where, path, s string)) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walkStrings(v.Elem(), path, at, visit)
		}
	case reflect.String:
		visit(at, path, v.String())
	case reflect.Struct:
		t := v.Type()
		switch x := v.Interface().(type) {
		case ir.Workflow:
			at = ir.Where{Workflow: x.Name}
		case ir.Job:
			at.Job, at.Field = x.ID, ""
		case ir.Schedule:
			at.Schedule, at.Field = x.Name, ""
		}
		for i := range t.NumField() {
			if t.Field(i).IsExported() {
				fieldAt := at
				if at.Job == "" && at.Schedule == "" {
					fieldAt.Field = t.Field(i).Name // a field of the pipeline or the workflow
				}
				walkStrings(v.Field(i), path+"."+lowerFirst(t.Field(i).Name), fieldAt, visit)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			walkStrings(v.Index(i), path+"["+elementKey(v.Index(i), i)+"]", at, visit)
		}
	case reflect.Map:
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for _, k := range keys {
			visit(at, path+"["+k.String()+"] (key)", k.String())
			walkStrings(v.MapIndex(k), path+"["+k.String()+"]", at, visit)
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
