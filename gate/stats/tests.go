package stats

import (
	"math"

	"gonum.org/v1/gonum/mathext"
)

// ChiSquare is scipy.stats.chisquare(observed, expected): the Pearson
// statistic and its p-value with len-1 degrees of freedom. A single
// category cannot disagree with itself, so it gives p = 1 (scipy returns
// NaN there).
func ChiSquare(observed, expected []float64) (stat, p float64) {
	for i := range observed {
		d := observed[i] - expected[i]
		stat += d * d / expected[i]
	}
	df := float64(len(observed) - 1)
	if df < 1 {
		return stat, 1
	}
	if math.IsInf(stat, 1) {
		return stat, 0
	}
	return stat, mathext.GammaIncRegComp(df/2, stat/2)
}

// TwoProportionZ is Evidently's two-proportion Z-test: p1 and p2 are the
// shares of "success" among n1 and n2 observations; the p-value is
// two-sided, 2·(1 − Φ(|z|)) with the pooled standard error.
func TwoProportionZ(p1 float64, n1 int, p2 float64, n2 int) float64 {
	a, b := float64(n1), float64(n2)
	pooled := (p1*a + p2*b) / (a + b)
	z := (p1 - p2) / math.Sqrt(pooled*(1-pooled)*(1/a+1/b))
	return 2 * (1 - normalCDF(math.Abs(z)))
}

// normalCDF is scipy.special.ndtr.
func normalCDF(x float64) float64 {
	return 0.5 * math.Erfc(-x/math.Sqrt2)
}
