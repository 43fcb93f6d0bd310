package bench

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlc-project/mlc/compiler"
	"github.com/mlc-project/mlc/ir"
	"github.com/mlc-project/mlc/targets"
	"github.com/mlc-project/mlc/targets/argo"
	"github.com/mlc-project/mlc/targets/github"
	"github.com/mlc-project/mlc/targets/tekton"
)

// spec generates a pipeline of n models, each trained on its own dataset
// with a schema, tests and a custom step: about 3n jobs in the delivery
// workflow and n in the CI workflow.
func spec(n int) string {
	var b strings.Builder
	b.WriteString("package pipeline\n\nname: \"big\"\nregistry: \"ghcr.io/acme/ml\"\ntriggers: {push: branches: [\"main\"], pull_request: {}}\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `datasets: "d%d": {
	source: s3: {bucket: "raw", prefix: "d%d/"}
	schema: {age: int & >=0, label: 0 | 1}
	prepare: {image: "python:3.12-slim", run: "python prep.py"}
	compliance: forbid: ["email"]
}
models: "m%d": {
	train: {data: ["d%d"], image: "python:3.12-slim", run: "python train.py", resources: gpu: 1}
	evaluate: {run: "python eval.py", gates: accuracy: ">= 0.9"}
}
steps: "s%d": {image: "alpine:3.20", run: "echo done", after: ["models.m%d"]}
`, i, i, i, i, i, i)
	}
	return b.String()
}

func BenchmarkCompile(b *testing.B) {
	renderers := []targets.Target{github.Target{}, tekton.Target{}, argo.Target{}}
	// 250 models expand to about 1000 jobs ("stages"); 1000 models to 4000.
	for _, n := range []int{10, 100, 250, 1000} {
		dir := b.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "pipeline.cue"), []byte(spec(n)), 0o644); err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("models=%d/compile", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := compiler.Compile(dir); err != nil {
					b.Fatal(err)
				}
			}
		})
		p, err := compiler.Compile(dir)
		if err != nil {
			b.Fatal(err)
		}
		for _, t := range renderers {
			b.Run(fmt.Sprintf("models=%d/render-%s", n, t.Name()), func(b *testing.B) {
				for b.Loop() {
					if _, err := render(t, p); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		jobs := 0
		for _, w := range p.Workflows {
			jobs += len(w.Jobs)
		}
		b.Run(fmt.Sprintf("models=%d/compile+all-targets", n), func(b *testing.B) {
			defer b.ReportMetric(float64(jobs), "jobs")
			for b.Loop() {
				p, err := compiler.Compile(dir)
				if err != nil {
					b.Fatal(err)
				}
				for _, t := range renderers {
					if _, err := render(t, p); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// render renders p for t. From about 100 models on, the Tekton Pipeline and
// the Argo WorkflowTemplate exceed what Kubernetes stores in one object and
// are refused once rendered (targets.ErrTooLarge): the refusal costs the
// whole render, which is what is measured.
func render(t targets.Target, p *ir.Pipeline) ([]targets.File, error) {
	files, err := t.Render(p)
	if errors.Is(err, targets.ErrTooLarge) {
		return nil, nil
	}
	return files, err
}
