package stats

import "math"

// Wasserstein is scipy.stats.wasserstein_distance(u, v): the area between
// the two empirical distribution functions.
func Wasserstein(u, v Sample) float64 {
	nu, nv := float64(u.N), float64(v.N)
	var sum, prevX, prevGap float64
	MergeSorted(u, v, func(x float64, i, j int) {
		sum += prevGap * (x - prevX) // zero before the first value
		prevX, prevGap = x, math.Abs(float64(i)/nu-float64(j)/nv)
	})
	return sum
}

// WassersteinNormed is Evidently's drift score for large numeric columns:
// the Wasserstein distance divided by max(std(reference), 0.001).
func WassersteinNormed(ref, cur Sample) float64 {
	_, std := MeanStd(ref)
	return Wasserstein(ref, cur) / math.Max(std, 0.001)
}

// JensenShannon is scipy.spatial.distance.jensenshannon(p, q) with the
// natural logarithm: p and q are normalised to sum to 1 first.
func JensenShannon(p, q []float64) float64 {
	sp, sq := sum(p), sum(q)
	var js float64
	for i := range p {
		pi, qi := p[i]/sp, q[i]/sq
		m := (pi + qi) / 2
		js += relEntr(pi, m) + relEntr(qi, m)
	}
	return math.Sqrt(js / 2)
}

// relEntr is scipy.special.rel_entr.
func relEntr(x, y float64) float64 {
	switch {
	case x > 0 && y > 0:
		return x * math.Log(x/y)
	case x == 0 && y >= 0:
		return 0
	default:
		return math.Inf(1)
	}
}

// PSI is the population stability index Σ (r − c)·ln(r/c) over shares that
// have been through FillZeroShares.
func PSI(ref, cur []float64) float64 {
	var psi float64
	for i := range ref {
		psi += (ref[i] - cur[i]) * math.Log(ref[i]/cur[i])
	}
	return psi
}

// FillZeroShares replaces empty shares in place the way Evidently does
// before PSI: with min(non-zero share)/1e6 when that minimum is at most
// 1e-4, else with 1e-4. All-zero shares are left alone.
func FillZeroShares(shares []float64) {
	least := math.Inf(1)
	for _, s := range shares {
		if s != 0 && s < least {
			least = s
		}
	}
	if math.IsInf(least, 1) {
		return
	}
	fill := 0.0001
	if least <= 0.0001 {
		fill = least / 1e6
	}
	for i, s := range shares {
		if s == 0 {
			shares[i] = fill
		}
	}
}

func sum(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s
}
