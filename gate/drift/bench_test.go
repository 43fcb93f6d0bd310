package drift

import (
	"bufio"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/mlc-project/mlc/gate/table"
)

// writeBenchCSV writes rows like scripts/bench-drift.sh's: 16 numeric
// columns of 4-decimal values (many ties) and 4 categorical columns of 4
// levels; shift moves 6 numeric columns and reverses 2 categorical ones.
func writeBenchCSV(b *testing.B, path string, rows int, seed uint64, shift float64) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	rng := rand.New(rand.NewPCG(seed, 0))
	for i := range 16 {
		fmt.Fprintf(w, "x%d,", i)
	}
	fmt.Fprintln(w, "c0,c1,c2,c3")
	levels := []string{"bronze", "silver", "gold", "platinum"}
	for range rows {
		for i := range 16 {
			s := 0.0
			if i < 6 {
				s = shift
			}
			fmt.Fprintf(w, "%.4f,", float64(i)+0.4*s+rng.NormFloat64()*float64(1+i%4))
		}
		for i := range 4 {
			l := min(int(-math.Log(1-rng.Float64())*2), 3) // skewed over the levels
			if i < 2 && shift != 0 {
				l = 3 - l
			}
			sep := ","
			if i == 3 {
				sep = "\n"
			}
			fmt.Fprintf(w, "%s%s", levels[l], sep)
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkCompare runs the automatic drift check on 100,000 reference and
// 100,000 current rows; scripts/bench-drift.sh does the 1,000,000-row run.
func BenchmarkCompare(b *testing.B) {
	const rows = 100_000
	dir := b.TempDir()
	ref, cur := filepath.Join(dir, "ref.csv"), filepath.Join(dir, "cur.csv")
	writeBenchCSV(b, ref, rows, 1, 0)
	writeBenchCSV(b, cur, rows, 2, 0.5)
	b.ResetTimer()
	for b.Loop() {
		r, err := table.Open(ref, table.Options{})
		if err != nil {
			b.Fatal(err)
		}
		c, err := table.Open(cur, table.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Compare(r, c, Options{Test: Test{Method: Auto}, DriftShare: DefaultDriftShare}); err != nil {
			b.Fatal(err)
		}
		r.Close()
		c.Close()
	}
	b.ReportMetric(float64(2*rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkNumbersAdd(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	values := make([]float64, 1<<16)
	for i := range values {
		values[i] = float64(int(rng.NormFloat64()*1e5)) / 1e3 // three decimals, wide range
	}
	var s numbers
	for i := 0; b.Loop(); i++ {
		s.add(values[i&(len(values)-1)])
	}
}
