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

// TestWhenExpressions evaluates every generated condition for runs that
// must pass it and runs that must not.
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
			for _, tmpl := range wt.Spec.Templates {
				var whens []string
				if tmpl.DAG != nil {
					for _, task := range tmpl.DAG.Tasks {
						whens = append(whens, task.When)
					}
				}
				for _, par := range tmpl.Steps {
					for _, s := range par.Steps {
						whens = append(whens, s.When)
					}
				}
				for _, when := range whens {
					if when == "" {
						continue
					}
					checked++
					where := d.where + " " + tmpl.Name
					if !evalWhen(t, where, when, pass) {
						t.Errorf("%s: %q is false for a push to main, approved, drift detected, run failed", where, when)
					}
					fails := map[string]run{}
					if strings.Contains(when, "pull_request") {
						r := pass
						r.event = "pull_request"
						fails["a pull request"] = r
					}
					if strings.Contains(when, "parameters.branch") {
						r := pass
						r.branch = "feature/x"
						fails["another branch"] = r
					}
					if strings.Contains(when, "outputs.parameters.approve") {
						r := pass
						r.approval = "reject"
						fails["a rejected approval"] = r
					} else if strings.Contains(when, "{{tasks.") {
						r := pass
						r.output = "false"
						fails["another output value"] = r
					}
					if strings.Contains(when, "workflow.status") {
						r := pass
						r.status = "Succeeded"
						fails["a successful run"] = r
					}
					for what, r := range fails {
						if evalWhen(t, where, when, r) {
							t.Errorf("%s: %q is true for %s", where, when, what)
						}
					}
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no when expressions found; the golden files should hold some")
	}
}
