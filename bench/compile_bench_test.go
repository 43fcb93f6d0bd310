package bench

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/mlc-project/mlc/bench/scalespec"
	"github.com/mlc-project/mlc/compiler"
	"github.com/mlc-project/mlc/targets"
	"github.com/mlc-project/mlc/targets/argo"
	"github.com/mlc-project/mlc/targets/github"
	"github.com/mlc-project/mlc/targets/tekton"
)

func BenchmarkCompile(b *testing.B) {
	renderers := []targets.Target{github.Target{}, tekton.Target{}, argo.Target{}}
	// A model expands to about 14 jobs; scripts/bench-compile.sh measures
	// 10,000 models as processes, next to cue eval.
	for _, n := range []int{10, 100, 1000} {
		dir := b.TempDir()
		var spec bytes.Buffer
		if err := scalespec.Write(&spec, n); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "pipeline.cue"), spec.Bytes(), 0o644); err != nil {
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
					if _, err := t.Render(p); err != nil {
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
					if _, err := t.Render(p); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
