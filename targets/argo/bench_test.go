package argo

import (
	"fmt"
	"testing"

	"github.com/mlc-project/mlc/ir"
)

// bigPipeline is a 1000-job workflow: a chain where every job needs the
// previous one, reads its output and runs an mlc step and a user script.
func bigPipeline(jobs int) *ir.Pipeline {
	wf := &ir.Workflow{Name: "big-delivery", Triggers: ir.Triggers{Manual: true}}
	for i := range jobs {
		j := &ir.Job{
			ID: fmt.Sprintf("job-%04d", i), Stage: ir.StageCustom, Image: "python:3.12-slim",
			Steps: []ir.Step{
				{ID: "push", Kind: ir.StepMLC, Args: []string{"push", "dataset", "data", "${MLC_REGISTRY}/d:${MLC_REVISION}"}, Secrets: []string{"TOKEN"}},
				{ID: "run", Kind: ir.StepScript, Script: "python step.py --n " + fmt.Sprint(i), Dir: "src"},
			},
			Outputs:   []ir.Output{{Name: "ref", Kind: ir.ArtifactDataset, FromStep: "push"}},
			Env:       []ir.EnvVar{{Name: "MLC_REGISTRY", Value: "ghcr.io/acme/ml"}},
			Workspace: true,
		}
		if i > 0 {
			prev := wf.Jobs[i-1].ID
			j.Needs = []string{prev}
			j.Inputs = []ir.Input{{Name: "prev", Job: prev, Output: "ref", Env: "MLC_PREV"}}
		}
		wf.Jobs = append(wf.Jobs, j)
	}
	return &ir.Pipeline{Name: "big", Source: "pipeline.cue", MLCVersion: "v0.1.0", MLCImage: "ghcr.io/mlc-project/mlc:v0.1.0", Workflows: []*ir.Workflow{wf}}
}

func BenchmarkRender1000Jobs(b *testing.B) {
	p := bigPipeline(1000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (Target{}).Render(p); err != nil {
			b.Fatal(err)
		}
	}
}
