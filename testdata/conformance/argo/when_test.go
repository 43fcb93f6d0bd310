package conformance

import (
	"regexp"
	"strings"
	"testing"

	"github.com/Knetic/govaluate"
	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	"sigs.k8s.io/yaml"
)

var placeholder = regexp.MustCompile(`\{\{([^}]*)\}\}`)

// run is what a workflow run looks like to its `when` expressions.
type run struct {
	event, branch, approval, output, status string
}

func (r run) value(key string) string {
	switch {
	case key == "workflow.parameters.event":
		return r.event
	case key == "workflow.parameters.branch":
		return r.branch
	case key == "workflow.status":
		return r.status
	case strings.HasSuffix(key, ".outputs.parameters.approve"):
		return r.approval
	case strings.HasPrefix(key, "tasks."):
		return r.output
	}
	return "unknown:" + key
}

// evalWhen substitutes the run's values and evaluates the expression with
// govaluate, the library Argo's controller evaluates `when` with.
func evalWhen(t *testing.T, where, when string, r run) bool {
	t.Helper()
	expr := placeholder.ReplaceAllStringFunc(when, func(m string) string { return r.value(strings.TrimSpace(m[2 : len(m)-2])) })
	e, err := govaluate.NewEvaluableExpression(expr)
	if err != nil {
		t.Fatalf("%s: when %q does not parse: %v", where, when, err)
	}
	v, err := e.Evaluate(nil)
	if err != nil {
		t.Fatalf("%s: when %q does not evaluate: %v", where, when, err)
	}
	b, ok := v.(bool)
	if !ok {
		t.Fatalf("%s: when %q evaluates to %v, not a boolean", where, when, v)
	}
	return b
}

// variations are runs that must fail a condition that reads what they change.
var variations = []struct {
	what    string
	applies func(when string) bool
	change  func(*run)
}{
	{"a pull request", contains("pull_request"), func(r *run) { r.event = "pull_request" }},
	{"another branch", contains("parameters.branch"), func(r *run) { r.branch = "feature/x" }},
	{"a rejected approval", contains("outputs.parameters.approve"), func(r *run) { r.approval = "reject" }},
	{"another output value", func(w string) bool {
		return strings.Contains(w, "{{tasks.") && !strings.Contains(w, "outputs.parameters.approve")
	}, func(r *run) { r.output = "false" }},
	{"a successful run", contains("workflow.status"), func(r *run) { r.status = "Succeeded" }},
}

func contains(s string) func(string) bool {
	return func(w string) bool { return strings.Contains(w, s) }
}

// TestWhenExpressions evaluates every generated condition for a run that
// must pass it and for runs that must not.
func TestWhenExpressions(t *testing.T) {
	pass := run{event: "push", branch: "main", approval: "approve", output: "true", status: "Failed"}
	checked := 0
	for _, docs := range pipelineDocs(t) {
		for _, d := range docs {
			if d.kind != "WorkflowTemplate" {
				continue
			}
			wt := &wfv1.WorkflowTemplate{}
			if err := yaml.Unmarshal(d.raw, wt); err != nil {
				t.Fatal(err)
			}
			for where, when := range conditions(d.where, wt) {
				checked++
				if !evalWhen(t, where, when, pass) {
					t.Errorf("%s: %q is false for a push to main, approved, drift detected, run failed", where, when)
				}
				for _, v := range variations {
					if !v.applies(when) {
						continue
					}
					r := pass
					v.change(&r)
					if evalWhen(t, where, when, r) {
						t.Errorf("%s: %q is true for %s", where, when, v.what)
					}
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no when expressions found; the golden files should hold some")
	}
}

// conditions are the non-empty `when` of every DAG task and step, by place.
func conditions(where string, wt *wfv1.WorkflowTemplate) map[string]string {
	out := map[string]string{}
	for _, tmpl := range wt.Spec.Templates {
		if tmpl.DAG != nil {
			for _, task := range tmpl.DAG.Tasks {
				if task.When != "" {
					out[where+" task "+task.Name] = task.When
				}
			}
		}
		for _, par := range tmpl.Steps {
			for _, s := range par.Steps {
				if s.When != "" {
					out[where+" step "+s.Name] = s.When
				}
			}
		}
	}
	return out
}
