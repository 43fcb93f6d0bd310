package stats

import (
	"encoding/json"
	"math"
	"os"
	"slices"
	"testing"
)

// vectors mirrors testdata/gate/drift_vectors.json (see drift_vectors.py).
type vectors struct {
	KS []struct {
		Name              string
		A, B              []float64
		SpreadA           []float64 `json:"spread_a"`
		SpreadB           []float64 `json:"spread_b"`
		Statistic, Pvalue float64
	} `json:"ks_2samp"`
	KSTwoSF []struct {
		N     int
		X, SF float64
	} `json:"kstwo_sf"`
	ChiSquare []struct {
		Observed, Expected []float64
		Statistic, Pvalue  float64
	}
	ZTest []struct {
		P1     float64
		N1     int
		P2     float64
		N2     int
		Pvalue float64
	}
	Wasserstein []struct {
		A, B     []float64
		Distance float64
		StdA     float64 `json:"std_a"`
	}
	JensenShannon []struct {
		P, Q     []float64
		Distance float64
	}
	PSI []struct {
		Ref, Cur  []float64
		RefFilled []float64 `json:"ref_filled"`
		CurFilled []float64 `json:"cur_filled"`
		PSI       float64
	}
	Histogram []struct {
		A, B    []float64
		Edges   []float64
		CountsA []float64 `json:"counts_a"`
		CountsB []float64 `json:"counts_b"`
	}
}

const tol = 1e-9

func loadVectors(t *testing.T) vectors {
	t.Helper()
	data, err := os.ReadFile("../../testdata/gate/drift_vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func near(got, want float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

// spread rebuilds the generator's deterministic samples.
func spread(p []float64) []float64 {
	n, mult, mod, scale, shift := int(p[0]), int(p[1]), int(p[2]), p[3], p[4]
	x := make([]float64, n)
	for i := range x {
		x[i] = float64((i*mult)%mod)/float64(mod)*scale + shift
	}
	return x
}

// sample sorts x into a Sample.
func sample(x []float64) Sample {
	s := slices.Clone(x)
	slices.Sort(s)
	return FromSorted(s)
}

func TestKS2SampMatchesScipy(t *testing.T) {
	for _, c := range loadVectors(t).KS {
		a, b := c.A, c.B
		if c.SpreadA != nil {
			a, b = spread(c.SpreadA), spread(c.SpreadB)
		}
		d, p := KS2Samp(sample(a), sample(b))
		if !near(d, c.Statistic) || !near(p, c.Pvalue) {
			t.Errorf("%s: KS2Samp = (%v, %v), scipy (%v, %v)", c.Name, d, p, c.Statistic, c.Pvalue)
		}
	}
}

func TestKolmogorovSFMatchesScipy(t *testing.T) {
	for _, c := range loadVectors(t).KSTwoSF {
		if got := KolmogorovSF(c.N, c.X); !near(got, c.SF) {
			t.Errorf("KolmogorovSF(%d, %v) = %v, scipy %v", c.N, c.X, got, c.SF)
		}
	}
}

func TestChiSquareMatchesScipy(t *testing.T) {
	v := loadVectors(t)
	if p := v.ChiSquare[0].Pvalue; math.Abs(p-0.67309) > 5e-6 {
		t.Fatalf("known vector from the issue: p = %v, want 0.67309", p)
	}
	for _, c := range v.ChiSquare {
		stat, p := ChiSquare(c.Observed, c.Expected)
		if !near(stat, c.Statistic) || !near(p, c.Pvalue) {
			t.Errorf("ChiSquare(%v, %v) = (%v, %v), scipy (%v, %v)", c.Observed, c.Expected, stat, p, c.Statistic, c.Pvalue)
		}
	}
}

func TestChiSquareSingleCategory(t *testing.T) {
	if _, p := ChiSquare([]float64{5}, []float64{5}); p != 1 {
		t.Errorf("one category: p = %v, want 1", p)
	}
}

func TestTwoProportionZMatchesEvidently(t *testing.T) {
	v := loadVectors(t)
	if v.ZTest[0].Pvalue != 1 {
		t.Fatalf("known vector from the issue: p = %v, want 1", v.ZTest[0].Pvalue)
	}
	for _, c := range v.ZTest {
		if got := TwoProportionZ(c.P1, c.N1, c.P2, c.N2); !near(got, c.Pvalue) {
			t.Errorf("TwoProportionZ(%v,%d,%v,%d) = %v, want %v", c.P1, c.N1, c.P2, c.N2, got, c.Pvalue)
		}
	}
}

func TestWassersteinMatchesScipy(t *testing.T) {
	for _, c := range loadVectors(t).Wasserstein {
		a, b := sample(c.A), sample(c.B)
		if got := Wasserstein(a, b); !near(got, c.Distance) {
			t.Errorf("Wasserstein = %v, scipy %v", got, c.Distance)
		}
		if _, std := MeanStd(a); !near(std, c.StdA) {
			t.Errorf("MeanStd: std = %v, numpy %v", std, c.StdA)
		}
		if got := Wasserstein(b, a); !near(got, c.Distance) {
			t.Errorf("Wasserstein is not symmetric: %v, scipy %v", got, c.Distance)
		}
	}
}

func TestJensenShannonMatchesScipy(t *testing.T) {
	for _, c := range loadVectors(t).JensenShannon {
		if got := JensenShannon(c.P, c.Q); !near(got, c.Distance) {
			t.Errorf("JensenShannon(%v, %v) = %v, scipy %v", c.P, c.Q, got, c.Distance)
		}
	}
}

func TestPSIMatchesEvidently(t *testing.T) {
	for _, c := range loadVectors(t).PSI {
		ref, cur := slices.Clone(c.Ref), slices.Clone(c.Cur)
		FillZeroShares(ref)
		FillZeroShares(cur)
		for i := range ref {
			if !near(ref[i], c.RefFilled[i]) || !near(cur[i], c.CurFilled[i]) {
				t.Fatalf("FillZeroShares(%v, %v) = %v, %v; want %v, %v", c.Ref, c.Cur, ref, cur, c.RefFilled, c.CurFilled)
			}
		}
		if got := PSI(ref, cur); !near(got, c.PSI) {
			t.Errorf("PSI = %v, want %v", got, c.PSI)
		}
	}
}

func TestSturgesBinningMatchesNumpy(t *testing.T) {
	for _, c := range loadVectors(t).Histogram {
		all := sample(append(slices.Clone(c.A), c.B...))
		edges := SturgesEdges(all.Min(), all.Max(), all.N)
		if len(edges) != len(c.Edges) {
			t.Fatalf("SturgesEdges gives %d edges, numpy %d", len(edges), len(c.Edges))
		}
		for i := range edges {
			if edges[i] != c.Edges[i] {
				t.Errorf("edge %d = %v, numpy %v", i, edges[i], c.Edges[i])
			}
		}
		if got := BinCounts(sample(c.A), edges); !slices.Equal(got, c.CountsA) {
			t.Errorf("BinCounts(a) = %v, numpy %v", got, c.CountsA)
		}
		if got := BinCounts(sample(c.B), edges); !slices.Equal(got, c.CountsB) {
			t.Errorf("BinCounts(b) = %v, numpy %v", got, c.CountsB)
		}
	}
}
