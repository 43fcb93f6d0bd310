package runner

import (
	"context"
	"fmt"
	"testing"

	"github.com/mlc-project/mlc/ir"
)

// BenchmarkRunOverhead measures what mlc run adds around steps: 20 jobs
// of one no-op script each (process start, env, log, record saves), as a
// chain and as a fan-out over 4 slots. Divide ns/op by 20 for a job.
func BenchmarkRunOverhead(b *testing.B) {
	for _, shape := range []string{"chain", "fan-out"} {
		b.Run(shape, func(b *testing.B) {
			var jobs []*ir.Job
			for i := range 20 {
				var needs []string
				if shape == "chain" && i > 0 {
					needs = []string{fmt.Sprintf("j%02d", i-1)}
				}
				jobs = append(jobs, script(fmt.Sprintf("j%02d", i), "true", needs...))
			}
			opts := newHarness(b, jobs...).options()
			opts.Out = nil
			b.ResetTimer()
			for range b.N {
				if _, err := Run(context.Background(), opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
