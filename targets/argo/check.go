package argo

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/mlc-project/mlc/ir"
)

// checkTemplating rejects any string of the pipeline that holds "{{": Argo
// substitutes {{...}} everywhere in a template (scripts, env values,
// arguments), so such a value would be rewritten or fail at run time instead
// of reaching the step verbatim. The error names the field by its path.
func checkTemplating(p *ir.Pipeline) error {
	path, s, found := findString(reflect.ValueOf(p), func(s string) bool { return strings.Contains(s, "{{") })
	if !found {
		return nil
	}
	return fmt.Errorf("pipeline%s: %q contains \"{{\", which argo would treat as a template expression; remove it or pass the text through a file", strings.Join(path, ""), s)
}

// findString looks for a string reachable from v that matches, and returns
// it with its path, such as .workflows[delivery].jobs[train].steps[fit].script
// (slice elements named by their ID or Name field when they have one). The
// path is built only for the string found: the walk visits every string of
// the pipeline.
func findString(v reflect.Value, match func(string) bool) (path []string, s string, found bool) {
	within := func(segment string, v reflect.Value) bool {
		if p, str, ok := findString(v, match); ok {
			path, s, found = append([]string{segment}, p...), str, true
		}
		return found
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return findString(v.Elem(), match)
		}
	case reflect.String:
		if match(v.String()) {
			return nil, v.String(), true
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			if within("."+lowerFirst(t.Field(i).Name), v.Field(i)) {
				return
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			if within("["+elementKey(v.Index(i), i)+"]", v.Index(i)) {
				return
			}
		}
	case reflect.Map:
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for _, k := range keys {
			if match(k.String()) {
				return []string{"[" + k.String() + "] (key)"}, k.String(), true
			}
			if within("["+k.String()+"]", v.MapIndex(k)) {
				return
			}
		}
	}
	return nil, "", false
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
