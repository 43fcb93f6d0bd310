package drift

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/mlc-project/mlc/gate/table"
)

// benchRows rows of 20 columns like scripts/bench-drift.sh's (decimals with
// 2 to 4 digits, integers, flags, text); shift moves half of them.
func writeBenchCSV(b *testing.B, path string, rows int, seed uint64, shift float64) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	rng := rand.New(rand.NewPCG(seed, 0))
	for i := range 10 {
		fmt.Fprintf(w, "x%d,", i)
	}
	fmt.Fprintln(w, "age,visits,score,items,churn,promo,plan,region,device,city")
	plans, devices, cities := []string{"free", "basic", "pro"}, []string{"ios", "android", "web", "tv"}, []string{"Zürich", "São Paulo", "東京", "Paris", "Lagos"}
	for range rows {
		for i := range 10 {
			fmt.Fprintf(w, "%.*f,", 2+i%3, 10*float64(i)+shift*float64(i%2)+rng.NormFloat64()*float64(1+i))
		}
		fmt.Fprintf(w, "%d,%d,%d,%d,%d,%d,%s,r%02d,%s,%s\n", 18+rng.IntN(72), rng.IntN(10), 300+rng.IntN(550), rng.IntN(40),
			rng.IntN(5)/4, rng.IntN(2), plans[rng.IntN(3)], rng.IntN(50), devices[rng.IntN(4)], cities[rng.IntN(5)])
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
