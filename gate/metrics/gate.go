package metrics

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Gate is a threshold such as accuracy>=0.90.
type Gate struct {
	Metric string
	Op     string // one of >=, >, <=, <, ==
	Value  float64
}

// String writes the gate back in the form ParseGate reads.
func (g Gate) String() string {
	return g.Metric + g.Op + strconv.FormatFloat(g.Value, 'g', -1, 64)
}

// Holds reports whether v passes the gate.
func (g Gate) Holds(v float64) bool {
	switch g.Op {
	case ">=":
		return v >= g.Value
	case ">":
		return v > g.Value
	case "<=":
		return v <= g.Value
	case "<":
		return v < g.Value
	case "==":
		return v == g.Value
	}
	return false
}

func isNameChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' || c == '/'
}

// ParseGate reads METRIC OP NUMBER, spaces allowed around OP.
func ParseGate(s string) (Gate, error) {
	bad := func(format string, args ...any) (Gate, error) {
		return Gate{}, fmt.Errorf("gate %q: %s; write it like accuracy>=0.90 (operators >= > <= < ==)", s, fmt.Sprintf(format, args...))
	}
	rest := strings.TrimSpace(s)
	i := 0
	for i < len(rest) && isNameChar(rest[i]) {
		i++
	}
	g := Gate{Metric: rest[:i]}
	if g.Metric == "" {
		return bad("it must start with a metric name")
	}
	rest = strings.TrimLeft(rest[i:], " \t")
	for _, op := range []string{">=", "<=", "==", ">", "<"} {
		if strings.HasPrefix(rest, op) {
			g.Op = op
			break
		}
	}
	if g.Op == "" {
		if rest == "" {
			return bad("no comparison after %q", g.Metric)
		}
		return bad("%q is not a comparison operator", rest[:1])
	}
	num := strings.TrimSpace(rest[len(g.Op):])
	if num == "" {
		return bad("no number after %s", g.Op)
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return bad("%q is not a number", num)
	}
	g.Value = v
	return g, nil
}

// NoRegression asks that a metric not fall more than Tolerance below the
// baseline's. Higher is better.
type NoRegression struct {
	Metric    string
	Tolerance float64
}

// ParseNoRegression reads METRIC or METRIC:TOLERANCE (an absolute amount,
// e.g. accuracy:0.01 allows one point less).
func ParseNoRegression(s string) (NoRegression, error) {
	name, tol, hasTol := strings.Cut(strings.TrimSpace(s), ":")
	r := NoRegression{Metric: strings.TrimSpace(name)}
	if r.Metric == "" || strings.IndexFunc(r.Metric, func(c rune) bool { return c > 0x7f || !isNameChar(byte(c)) }) >= 0 {
		return r, fmt.Errorf("no-regression %q: expected METRIC or METRIC:TOLERANCE, e.g. accuracy:0.01", s)
	}
	if hasTol {
		v, err := strconv.ParseFloat(strings.TrimSpace(tol), 64)
		if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return r, fmt.Errorf("no-regression %q: tolerance %q is not a number >= 0", s, tol)
		}
		r.Tolerance = v
	}
	return r, nil
}
