package argo

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/mlc-project/mlc/ir"
)

// checkTemplating rejects any string of the pipeline that holds "{{": Argo
// substitutes {{...}} everywhere in a template (scripts, env values,
// arguments), so such a value would be rewritten or fail at run time instead
// of reaching the step verbatim. The error names the field by its path.
func checkTemplating(p *ir.Pipeline) error {
	return walkStrings(reflect.ValueOf(p), "pipeline", func(path, s string) error {
		if strings.Contains(s, "{{") {
			return fmt.Errorf("%s: %q contains \"{{\", which argo would treat as a template expression; remove it or pass the text through a file", path, s)
		}
		return nil
	})
}

// walkStrings calls fn for every string reachable from v, with a path such
// as pipeline.workflows[delivery].jobs[train].steps[fit].script. Slice
// elements are named by their ID or Name field when they have one.
func walkStrings(v reflect.Value, path string, fn func(path, s string) error) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return walkStrings(v.Elem(), path, fn)
	case reflect.String:
		return fn(path, v.String())
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			if err := walkStrings(v.Field(i), path+"."+lowerFirst(t.Field(i).Name), fn); err != nil {
				return err
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			if err := walkStrings(v.Index(i), fmt.Sprintf("%s[%s]", path, elementKey(v.Index(i), i)), fn); err != nil {
				return err
			}
		}
	case reflect.Map:
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for _, k := range keys {
			elem := fmt.Sprintf("%s[%s]", path, k.String())
			if err := fn(elem+" (key)", k.String()); err != nil {
				return err
			}
			if err := walkStrings(v.MapIndex(k), elem, fn); err != nil {
				return err
			}
		}
	}
	return nil
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
	return fmt.Sprint(i)
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

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func checkEnvName(name string) error {
	if !envName.MatchString(name) {
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
