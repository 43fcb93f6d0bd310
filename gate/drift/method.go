package drift

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Method is a drift test. Auto lets each column pick Evidently's default.
type Method string

const (
	Auto          Method = "auto"
	PSI           Method = "psi"
	KS            Method = "ks"
	ChiSquare     Method = "chisquare"
	ZTest         Method = "ztest"
	Wasserstein   Method = "wasserstein"
	JensenShannon Method = "jensenshannon"
)

var methods = []Method{Auto, PSI, KS, ChiSquare, ZTest, Wasserstein, JensenShannon}

// ParseMethod accepts one of the method names.
func ParseMethod(s string) (Method, error) {
	for _, m := range methods {
		if string(m) == s {
			return m, nil
		}
	}
	return "", fmt.Errorf("unknown drift method %q; use one of %s", s, methodList())
}

func methodList() string {
	names := make([]string, len(methods))
	for i, m := range methods {
		names[i] = string(m)
	}
	return strings.Join(names, ", ")
}

// PValue reports whether the method's score is a p-value (drift when it is
// small) rather than a distance (drift when it is large).
func (m Method) PValue() bool { return m == KS || m == ChiSquare || m == ZTest }

// DefaultThreshold is Evidently's threshold for the method.
func (m Method) DefaultThreshold() float64 {
	if m.PValue() {
		return 0.05
	}
	return 0.1
}

// drifted applies the threshold with Evidently's comparison for the method:
// KS drifts at p <= threshold, chi-squared and Z at p < threshold, the
// distances and PSI at score >= threshold.
func (m Method) drifted(score, threshold float64) bool {
	switch m {
	case KS:
		return score <= threshold
	case ChiSquare, ZTest:
		return score < threshold
	default:
		return score >= threshold
	}
}

// numericOnly reports whether the method needs numbers.
func (m Method) numericOnly() bool { return m == KS || m == Wasserstein }

// Test is a method with an optional threshold (nil: the method's default).
type Test struct {
	Method    Method
	Threshold *float64
}

// ParseColumnTest parses a per-column setting "COLUMN:METHOD[:THRESHOLD]"
// (METHOD may be "auto" to set only the threshold).
func ParseColumnTest(s string) (column string, t Test, err error) {
	parts := strings.Split(s, ":")
	if len(parts) >= 3 {
		if x, perr := strconv.ParseFloat(parts[len(parts)-1], 64); perr == nil {
			if !(x >= 0 && x < math.Inf(1)) {
				return "", t, fmt.Errorf("column setting %q: the threshold must be a number >= 0", s)
			}
			t.Threshold = &x
			parts = parts[:len(parts)-1]
		}
	}
	if len(parts) < 2 || parts[0] == "" {
		return "", t, fmt.Errorf("column setting %q: want COLUMN:METHOD[:THRESHOLD], e.g. age:psi:0.2", s)
	}
	column = strings.Join(parts[:len(parts)-1], ":")
	if t.Method, err = ParseMethod(parts[len(parts)-1]); err != nil {
		return "", t, fmt.Errorf("column setting %q: %w", s, err)
	}
	return column, t, nil
}

// defaultMethod is Evidently's choice of test for a column with n reference
// values and k distinct values over both datasets.
func defaultMethod(numeric bool, n, k int) Method {
	switch {
	case n <= 1000 && numeric && k > 5:
		return KS
	case n <= 1000 && k > 2:
		return ChiSquare
	case n <= 1000:
		return ZTest
	case numeric && k > 5:
		return Wasserstein
	default:
		return JensenShannon
	}
}
