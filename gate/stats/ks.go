package stats

import "math"

// maxExactKS is scipy's MAX_AUTO_N: ks_2samp(method="auto") computes the
// exact p-value when both samples have at most this many values.
const maxExactKS = 10000

// KS2Samp is scipy.stats.ks_2samp(a, b) (two-sided, method="auto") for
// non-empty samples: the statistic D (the largest gap between the
// empirical distribution functions) and its p-value, exact for samples of
// up to 10,000 values and from the Kolmogorov distribution otherwise.
func KS2Samp(a, b Sample) (d, p float64) {
	n1, n2 := a.N, b.N
	d = ksStatistic(a, b)
	if max(n1, n2) <= maxExactKS {
		if dExact, pExact, ok := ksExact(n1, n2, d); ok {
			return dExact, pExact
		}
	}
	m, n := float64(max(n1, n2)), float64(min(n1, n2))
	en := math.RoundToEven(m * n / (m + n))
	return d, clip01(KolmogorovSF(int(en), d))
}

// ksStatistic is max |F_a(x) − F_b(x)| over the pooled values.
func ksStatistic(a, b Sample) float64 {
	na, nb := float64(a.N), float64(b.N)
	var d float64
	MergeSorted(a, b, func(_ float64, i, j int) {
		d = math.Max(d, math.Abs(float64(i)/na-float64(j)/nb))
	})
	return d
}

// ksExact returns the exact two-sided p-value of D for sample sizes n1 and
// n2, with D rounded to the lattice of multiples of 1/lcm(n1, n2) as scipy
// does. ok is false when the computation leaves [0, 1] (scipy then falls
// back to the asymptotic distribution).
func ksExact(n1, n2 int, d float64) (dLattice, p float64, ok bool) {
	g := gcd(n1, n2)
	lcm := float64((n1 / g) * n2)
	h := int(math.RoundToEven(d * lcm))
	dLattice = float64(h) / lcm
	if h == 0 {
		return dLattice, 1, true
	}
	if n1 == n2 {
		p = probOutsideSquare(n1, h)
	} else {
		p = probOutsideInside(n1, n2, g, h)
	}
	return dLattice, p, p >= 0 && p <= 1
}

// probOutsideSquare is P(D_{n,n} >= h/n): twice the alternating sum of
// binomial ratios, evaluated Horner-style to avoid cancellation.
func probOutsideSquare(n, h int) float64 {
	var p float64
	for k := n / h; k >= 0; k-- {
		term := 1.0
		for j := 0; j < h; j++ {
			term = float64(n-k*h-j) * term / float64(n+k*h+j+1)
		}
		p = term * (1 - p)
	}
	return 2 * p
}

// probOutsideInside is the share of lattice paths from (0,0) to (m,n) that
// leave the band |x/m − y/n| < h/lcm(m,n), by Hodges' inside method with
// Viehmann's recursion for 1 − p (arXiv:2102.08037): one sliding column of
// the path-count matrix, kept as probabilities.
func probOutsideInside(m, n, g, h int) float64 {
	if m < n {
		m, n = n, m
	}
	mg, ng := m/g, n/g
	minj, maxj := 0, min(ceilDiv(h, mg), n+1)
	curlen := maxj - minj
	a := make([]float64, min(2*maxj+2, n+1))
	for i := range a {
		a[i] = 1
	}
	for j := minj; j < maxj; j++ {
		a[j] = 0
	}
	for i := 1; i <= m; i++ {
		lastminj, lastlen := minj, curlen
		minj = min(max(floorDiv(ng*i-h, mg)+1, 0), n)
		maxj = min(ceilDiv(ng*i+h, mg), n+1)
		if maxj <= minj {
			return 1
		}
		val := 1.0
		if minj == 0 {
			val = 0
		}
		for jj := 0; jj < maxj-minj; jj++ {
			j := jj + minj
			val = (a[jj+minj-lastminj]*float64(i) + val*float64(j)) / float64(i+j)
			a[jj] = val
		}
		curlen = maxj - minj
		for k := curlen; k < min(lastlen, len(a)); k++ {
			a[k] = 1
		}
	}
	return a[maxj-minj-1]
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func ceilDiv(a, b int) int { return -floorDiv(-a, b) }

func clip01(p float64) float64 { return math.Min(math.Max(p, 0), 1) }
