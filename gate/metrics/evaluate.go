package metrics

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/mlc-project/mlc/gate/report"
)

// GateResult is one threshold applied.
type GateResult struct {
	Gate   string  `json:"gate"`
	Metric string  `json:"metric"`
	Value  float64 `json:"value"`
	Passed bool    `json:"passed"`
}

// RegressionResult is one no-regression comparison. Without a baseline
// value it passes and Baseline is nil.
type RegressionResult struct {
	Metric    string   `json:"metric"`
	Value     float64  `json:"value"`
	Baseline  *float64 `json:"baseline"`
	Tolerance float64  `json:"tolerance"`
	Passed    bool     `json:"passed"`
}

// Result is the outcome of Evaluate.
type Result struct {
	Gates       []GateResult       `json:"gates"`
	Regressions []RegressionResult `json:"no_regression"`
	Baseline    string             `json:"baseline,omitempty"` // where the baseline came from
	Notices     []string           `json:"notices,omitempty"`
}

// Passed reports whether every gate and comparison passed.
func (r *Result) Passed() bool {
	for _, g := range r.Gates {
		if !g.Passed {
			return false
		}
	}
	for _, n := range r.Regressions {
		if !n.Passed {
			return false
		}
	}
	return true
}

// Evaluate applies gates to cur and compares cur with baseline (nil when
// there is none yet, e.g. the first deployment: comparisons pass with a
// notice). A gate on a metric cur does not have is an error.
func Evaluate(cur Metrics, gates []Gate, baseline Metrics, baselineName string, noRegression []NoRegression) (*Result, error) {
	res := &Result{Baseline: baselineName}
	value := func(name string) (float64, error) {
		v, ok := cur[name]
		if !ok {
			return 0, fmt.Errorf("metric %q is not among the candidate's metrics (%s)", name, strings.Join(cur.Names(), ", "))
		}
		return v, nil
	}
	for _, g := range gates {
		v, err := value(g.Metric)
		if err != nil {
			return nil, err
		}
		res.Gates = append(res.Gates, GateResult{g.String(), g.Metric, v, g.Holds(v)})
	}
	if len(noRegression) > 0 && baseline == nil {
		res.Notices = append(res.Notices, fmt.Sprintf("no baseline model yet (%s): no-regression gates pass; this looks like the first deployment", baselineName))
	}
	for _, n := range noRegression {
		v, err := value(n.Metric)
		if err != nil {
			return nil, err
		}
		r := RegressionResult{Metric: n.Metric, Value: v, Tolerance: n.Tolerance, Passed: true}
		if b, ok := baseline[n.Metric]; ok {
			r.Baseline = &b
			r.Passed = v >= b-n.Tolerance
		} else if baseline != nil {
			res.Notices = append(res.Notices, fmt.Sprintf("the baseline has no %q metric: not compared", n.Metric))
		}
		res.Regressions = append(res.Regressions, r)
	}
	return res, nil
}

// Report renders the result for the reader.
func (r *Result) Report() *report.Report {
	rep := &report.Report{Check: "metrics", Passed: r.Passed(), Notices: r.Notices, Details: r,
		Outputs: []report.Output{{Key: "passed", Value: strconv.FormatBool(r.Passed())}}}
	var failures []string
	if len(r.Gates) > 0 {
		t := report.Table{Title: "Gates", Columns: []string{"gate", "value", "result"}}
		for _, g := range r.Gates {
			t.Rows = append(t.Rows, []string{g.Gate, report.Num(g.Value), verdict(g.Passed)})
			if !g.Passed {
				failures = append(failures, fmt.Sprintf("%s is %s, gate %s", g.Metric, report.Num(g.Value), g.Gate))
			}
		}
		rep.Tables = append(rep.Tables, t)
	}
	if len(r.Regressions) > 0 {
		t := report.Table{Title: "No regression", Note: "against " + r.Baseline, Columns: []string{"metric", "candidate", "baseline", "tolerance", "result"}}
		for _, n := range r.Regressions {
			base := "none"
			if n.Baseline != nil {
				base = report.Num(*n.Baseline)
			}
			t.Rows = append(t.Rows, []string{n.Metric, report.Num(n.Value), base, report.Num(n.Tolerance), verdict(n.Passed)})
			if !n.Passed {
				failures = append(failures, fmt.Sprintf("%s regressed to %s from %s (tolerance %s)", n.Metric, report.Num(n.Value), base, report.Num(n.Tolerance)))
			}
		}
		rep.Tables = append(rep.Tables, t)
	}
	switch {
	case len(failures) > 0:
		rep.Summary = strings.Join(failures, "; ")
	default:
		rep.Summary = fmt.Sprintf("%d gate(s) and %d no-regression comparison(s) passed", len(r.Gates), len(r.Regressions))
	}
	return rep
}

func verdict(ok bool) string {
	if ok {
		return "pass"
	}
	return "FAIL"
}
