package tekton

import (
	"fmt"
	"testing"

	"github.com/mlc-project/mlc/ir"
)

// BenchmarkRender1000Jobs renders a workflow of 1000 jobs, each consuming
// the outputs of the two jobs before it, with a condition inherited down
// the whole chain.
func BenchmarkRender1000Jobs(b *testing.B) {
	p := scriptPipeline("python step.py")
	w := p.Workflows[0]
	w.Concurrency = "w"
	w.Jobs = nil
	for i := range 1000 {
		j := &ir.Job{
			ID: fmt.Sprintf("job-%04d", i), Name: fmt.Sprintf("Job %d", i), Stage: ir.StageCustom,
			Image: "python:3.12-slim", Workspace: true, Retries: 1,
			Env:       []ir.EnvVar{{Name: "MLC_REGISTRY", Value: "ghcr.io/acme/ml"}},
			Secrets:   []string{"TOKEN"},
			Condition: ir.Condition{OnlyBranches: onlyMain(i)},
			Outputs:   []ir.Output{{Name: "ref", Kind: ir.ArtifactModel, FromStep: "push"}},
			Steps: []ir.Step{
				{ID: "run", Kind: ir.StepScript, Script: "python step.py --seed 42\n"},
				{ID: "push", Kind: ir.StepMLC, Args: []string{"push", "model", "out", "${MLC_REGISTRY}/m:${MLC_REVISION}"}, Secrets: []string{"TOKEN"}},
			},
		}
		for _, k := range []int{i - 2, i - 1} {
			if k >= 0 {
				need := fmt.Sprintf("job-%04d", k)
				j.Needs = append(j.Needs, need)
				j.Inputs = append(j.Inputs, ir.Input{Name: need, Job: need, Output: "ref", Env: fmt.Sprintf("MLC_IN_%04d", k)})
			}
		}
		w.Jobs = append(w.Jobs, j)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (Target{}).Render(p); err != nil {
			b.Fatal(err)
		}
	}
}

// onlyMain restricts every tenth job to the main branch.
func onlyMain(i int) []string {
	if i%10 == 0 {
		return []string{"main"}
	}
	return nil
}
