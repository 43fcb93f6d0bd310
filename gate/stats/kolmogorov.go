package stats

import "math"

// KolmogorovSF is P(D_n > x) for the one-sample two-sided
// Kolmogorov-Smirnov statistic D_n (scipy.stats.kstwo.sf). It follows the
// algorithm choice of Simard & L'Ecuyer (2011) as scipy implements it:
// Ruben-Gambino closed forms at the ends, the Durbin matrix (Marsaglia,
// Tsang & Wang), Pomeranz's recursion, the exact one-sided Smirnov sum and
// the Pelz-Good expansion in between.
func KolmogorovSF(n int, x float64) float64 {
	nf := float64(n)
	switch t := nf * x; {
	case n <= 0 || math.IsNaN(x):
		return math.NaN()
	case x >= 1:
		return 0
	case x <= 0 || t <= 0.5:
		return 1
	case t <= 1:
		var cdf float64
		if n <= 140 {
			cdf = 1
			for i := 1; i <= n; i++ {
				cdf *= float64(i) * (1 / nf) * (2*t - 1)
			}
		} else {
			cdf = math.Exp(logFactorialOverPower(n) + nf*math.Log(2*t-1))
		}
		return clip01(1 - cdf)
	case t >= nf-1:
		return clip01(2 * math.Pow(1-x, nf))
	case x >= 0.5:
		return clip01(2 * Smirnov(n, x))
	}
	nx2 := nf * x * x
	if n <= 140 {
		switch {
		case nx2 <= 0.754693:
			return clip01(1 - durbinCDF(n, x))
		case nx2 <= 4:
			return clip01(1 - pomeranzCDF(n, x))
		default:
			return clip01(2 * Smirnov(n, x))
		}
	}
	switch {
	case nx2 >= 370:
		return 0
	case nx2 >= 2.2:
		return clip01(2 * Smirnov(n, x))
	case n <= 100000 && nf*math.Pow(x, 1.5) <= 1.4:
		return clip01(1 - durbinCDF(n, x))
	default:
		return clip01(1 - pelzGoodCDF(n, x))
	}
}

// logFactorialOverPower is log(n!/n^n) by Stirling's series.
func logFactorialOverPower(n int) float64 {
	coeffs := []float64{-2.955065359477124183e-2, 6.4102564102564102564e-3,
		-1.9175269175269175269e-3, 8.4175084175084175084e-4,
		-5.952380952380952381e-4, 7.9365079365079365079e-4,
		-2.7777777777777777778e-3, 8.3333333333333333333e-2}
	nf := float64(n)
	rn := 1 / nf
	poly := 0.0
	for _, c := range coeffs {
		poly = poly*(rn/nf) + c
	}
	return math.Log(nf)/2 - nf + math.Log(2*math.Pi)/2 + rn*poly
}

// Smirnov is the exact one-sided Smirnov survival function P(D+_n >= e)
// (scipy.special.smirnov), by the Birnbaum-Tingey sum evaluated in logs.
func Smirnov(n int, e float64) float64 {
	if !(n > 0 && e >= 0 && e <= 1) {
		return math.NaN()
	}
	if e == 0 {
		return 1
	}
	nf := float64(n)
	lgN1, _ := math.Lgamma(nf + 1)
	var p float64
	for v := 0; v <= int(math.Floor(nf*(1-e))); v++ {
		evn := e + float64(v)/nf
		if 1-evn <= 0 {
			continue
		}
		lgV, _ := math.Lgamma(float64(v + 1))
		lgNV, _ := math.Lgamma(float64(n - v + 1))
		// v = 0 has evn^(−1); the log form handles it without a special case.
		p += math.Exp(lgN1 - lgV - lgNV + float64(v-1)*math.Log(evn) + float64(n-v)*math.Log1p(-evn))
	}
	return p * e
}

const (
	scaleExp = 128
	scaleUp  = 0x1p128
	scaleDn  = 0x1p-128
)

// durbinCDF is P(D_n <= d) by Durbin's matrix formula, with Marsaglia, Tsang
// and Wang's scaled matrix power.
func durbinCDF(n int, d float64) float64 {
	nd := float64(n) * d
	k := int(math.Ceil(nd))
	h := float64(k) - nd
	m := 2*k - 1
	v := make([]float64, m)
	w := make([]float64, m)
	fac := 1.0
	for j := 1; j <= m; j++ {
		w[j-1] = fac
		fac /= float64(j)
		v[j-1] = (1 - math.Pow(h, float64(j))) * fac
	}
	v[m-1] = (1 + math.Pow(math.Max(2*h-1, 0), float64(m)) - 2*math.Pow(h, float64(m))) * fac
	H := newMatrix(m)
	for i := 1; i < m; i++ {
		for r := i - 1; r < m; r++ {
			H[r][i] = w[r-i+1]
		}
	}
	for r := 0; r < m; r++ {
		H[r][0] = v[r]
		H[m-1][r] = v[m-1-r]
	}
	pow := newMatrix(m)
	for i := range pow {
		pow[i][i] = 1
	}
	expnt, hExpnt := 0, 0
	for nn := n; nn > 0; nn /= 2 {
		if nn%2 == 1 {
			pow = pow.mul(H)
			expnt += hExpnt
		}
		H = H.mul(H)
		hExpnt *= 2
		if math.Abs(H[k-1][k-1]) > scaleUp {
			H.scale(scaleDn)
			hExpnt += scaleExp
		}
	}
	p := pow[k-1][k-1]
	for i := 1; i <= n; i++ {
		p = float64(i) * p / float64(n)
		if math.Abs(p) < scaleDn {
			p *= scaleUp
			expnt -= scaleExp
		}
	}
	return clip01(math.Ldexp(p, expnt))
}

type matrix [][]float64

func newMatrix(m int) matrix {
	a := make(matrix, m)
	for i := range a {
		a[i] = make([]float64, m)
	}
	return a
}

func (a matrix) mul(b matrix) matrix {
	c := newMatrix(len(a))
	for i := range a {
		for k, aik := range a[i] {
			for j, bkj := range b[k] {
				c[i][j] += aik * bkj
			}
		}
	}
	return c
}

func (a matrix) scale(f float64) {
	for _, row := range a {
		for j := range row {
			row[j] *= f
		}
	}
}

// pomeranzCDF is P(D_n <= x) by Pomeranz's (1974) recursion over the
// 2n+2 breakpoints of the band, convolving with powers (g/n)^m/m!.
func pomeranzCDF(n int, x float64) float64 {
	nf := float64(n)
	t := nf * x
	ll := int(math.Floor(t))
	f := t - float64(ll)
	g := math.Min(f, 1-f)
	ceilf, roundf := 0, 0
	if f > 0 {
		ceilf = 1
	}
	if f > 0.5 {
		roundf = 1
	}
	npwrs := 2 * (ll + 1)
	gpow, twogpow, onem2gpow := make([]float64, npwrs), make([]float64, npwrs), make([]float64, npwrs)
	gpow[0], twogpow[0], onem2gpow[0] = 1, 1, 1
	for m := 1; m < npwrs; m++ {
		mf := float64(m)
		gpow[m] = gpow[m-1] * (g / nf) / mf
		twogpow[m] = twogpow[m-1] * (2 * g / nf) / mf
		onem2gpow[m] = onem2gpow[m-1] * ((1 - 2*g) / nf) / mf
	}
	v0, v1 := make([]float64, npwrs), make([]float64, npwrs)
	v1[0] = 1
	v0s, v1s := 0, 0
	expnt := 0
	j1, j2 := pomeranzBounds(0, n, ll, ceilf, roundf)
	for i := 1; i < 2*n+2; i++ {
		k1 := j1
		v0, v1 = v1, v0
		v0s, v1s = v1s, v0s
		clear(v1)
		j1, j2 = pomeranzBounds(i, n, ll, ceilf, roundf)
		pwrs := onem2gpow
		switch {
		case i == 1 || i == 2*n+1:
			pwrs = gpow
		case i%2 == 1:
			pwrs = twogpow
		}
		ln2 := j2 - k1 + 1
		if ln2 <= 0 {
			continue
		}
		src := v0[k1-v0s : min(k1-v0s+ln2, len(v0))]
		maxV := 0.0
		for c := 0; c < j2-j1+1; c++ {
			idx := j1 - k1 + c // index into the full convolution
			var s float64
			for a := max(0, idx-ln2+1); a <= min(idx, len(src)-1); a++ {
				s += src[a] * pwrs[idx-a]
			}
			v1[c] = s
			maxV = math.Max(maxV, s)
		}
		if maxV > 0 && maxV < scaleDn {
			for c := range v1 {
				v1[c] *= scaleUp
			}
			expnt -= scaleExp
		}
		v1s = v0s + j1 - k1
	}
	ans := v1[n-v1s]
	for m := 1; m <= n; m++ {
		if math.Abs(ans) > scaleUp {
			ans *= scaleDn
			expnt += scaleExp
		}
		ans *= float64(m)
	}
	return clip01(math.Ldexp(ans, expnt))
}

// pomeranzBounds are the first and last band indices of row i.
func pomeranzBounds(i, n, ll, ceilf, roundf int) (int, int) {
	var j1, j2 int
	switch half, odd := (i+1)/2, (i+1)%2 == 0; {
	case i == 0:
		j1, j2 = -ll-ceilf-1, ll+ceilf-1
	case odd && half == n+1:
		j1, j2 = n-ll-ceilf-1, n+ll+ceilf-1
	case odd:
		j1, j2 = half-1-ll-roundf-1, half+ll-1+ceilf-1
	default:
		j1, j2 = half-1-ll-1, half+ll+roundf-1
	}
	return max(j1+2, 0), min(j2, n)
}

// pelzGoodCDF is the Pelz-Good (1976) asymptotic expansion of P(D_n <= x).
func pelzGoodCDF(n int, x float64) float64 {
	const pi2 = math.Pi * math.Pi
	const pi4, pi6 = pi2 * pi2, pi2 * pi2 * pi2
	sqrt2pi := math.Sqrt(2 * math.Pi)
	z := math.Sqrt(float64(n)) * x
	z2, z3, z4, z6 := z*z, z*z*z, math.Pow(z, 4), math.Pow(z, 6)
	qlog := -pi2 / 8 / z2
	if qlog < -708 {
		return 0
	}
	q := math.Exp(qlog)
	k1a, k1b := -z2, pi2/4
	k2a, k2b, k2c := 6*z6+2*z4, (2*z4-5*z2)*pi2/4, pi4*(1-2*z2)/16
	k3d := pi6 * (5 - 30*z2) / 64
	k3c := pi4 * (-60*z2 + 212*z4) / 16
	k3b := pi2 * (135*z4 - 96*z6) / 4
	k3a := -30*z6 - 90*math.Pow(z, 8)
	var k [4]float64
	maxk := int(math.Ceil(16 * z / math.Pi))
	for kk := maxk; kk > 0; kk-- {
		m := float64(2*kk - 1)
		m2, m4, m6 := m*m, math.Pow(m, 4), math.Pow(m, 6)
		qp := math.Pow(q, float64(8*kk))
		c := [4]float64{1, k1a + k1b*m2, k2a + k2b*m2 + k2c*m4, k3a + k3b*m2 + k3c*m4 + k3d*m6}
		for i := range k {
			k[i] = k[i]*qp + c[i]
		}
	}
	div := [4]float64{z, 6 * z4, 72 * math.Pow(z, 7), 6480 * math.Pow(z, 10)}
	for i := range k {
		k[i] = k[i] * q * sqrt2pi / div[i]
	}
	q = math.Exp(-pi2 / 2 / z2)
	sqrt3z := math.Sqrt(3) * z
	var k2extra, k3extra float64
	for kk := maxk; kk > 0; kk-- {
		ks := float64(kk)
		qp := math.Pow(q, ks*ks)
		k2extra += ks * ks * qp
		kspi := math.Pi * ks
		k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ks * ks * qp
	}
	k[2] += k2extra * pi2 * sqrt2pi / (-36 * z3)
	k[3] += k3extra * pi2 * sqrt2pi / (216 * z6)
	var cdf float64
	for i := range k {
		cdf += k[i] / math.Pow(float64(n), float64(i)/2)
	}
	return cdf
}
