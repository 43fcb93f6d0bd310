package graph

import (
	"strings"
	"testing"

	"github.com/mlc-project/mlc/ir"
)

func TestGraphs(t *testing.T) {
	p := &ir.Pipeline{Name: "p", Workflows: []*ir.Workflow{{Name: "p-delivery", Jobs: []*ir.Job{
		{ID: "train-m", Name: "Train m"},
		{ID: "deploy-prod", Name: "Deploy to prod", Needs: []string{"train-m"}, Approval: &ir.Approval{}},
	}}}}
	m := Mermaid(p)
	for _, want := range []string{`p_delivery__train_m["Train m"]`, `p_delivery__deploy_prod["Deploy to prod (approval)"]`, "p_delivery__train_m --> p_delivery__deploy_prod"} {
		if !strings.Contains(m, want) {
			t.Errorf("mermaid lacks %q:\n%s", want, m)
		}
	}
	d := DOT(p)
	if !strings.Contains(d, `"p-delivery/train-m" -> "p-delivery/deploy-prod";`) {
		t.Errorf("dot lacks the edge:\n%s", d)
	}
}
