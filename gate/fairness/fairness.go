// Package fairness measures group fairness of a labelled dataset or of a
// model's predictions on it, with Fairlearn's and AIF360's definitions:
//
//   - selection rate per group: the (weighted) share of rows selected, that
//     is with a positive label (data) or a positive prediction (model);
//   - demographic parity difference and ratio (Fairlearn, between groups):
//     max − min and min / max of the selection rates;
//   - disparate impact and statistical parity difference (AIF360): the
//     selection rate of the unprivileged rows (every group but the
//     privileged one, pooled) over, and minus, that of the privileged
//     group. Without a privileged group, disparate impact is each group's
//     rate over the highest rate (the EEOC four-fifths rule), reported as
//     its minimum, which equals the demographic parity ratio;
//   - equalized odds difference (Fairlearn, worst case): the larger of the
//     between-group differences of true and false positive rates; equal
//     opportunity difference: that of true positive rates alone.
//
// As in Fairlearn (through scikit-learn's confusion matrix), a group with no
// positive labels has a true positive rate of 0, not undefined, and one
// with no negative labels a false positive rate of 0. Each protected column
// is assessed on its own; "a+b" names the intersection of columns a and b
// (groups such as "f & x"), as Fairlearn forms groups from several
// sensitive features.
package fairness

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/mlc-project/mlc/gate/table"
)

// Options name the columns and the limits.
type Options struct {
	Protected  []string          // columns whose values define the groups
	Label      string            // true outcome
	Prediction string            // model prediction; "" assesses the data (labels) only
	Positive   string            // the favourable value of label and prediction
	Privileged map[string]string // protected column → its privileged group (optional)
	Weight     string            // per-row weight column; "" for 1
	Limits     Limits
}

// Limits are the gate's thresholds; nil ones are not checked.
type Limits struct {
	MaxParityDifference           *float64
	MinParityRatio                *float64
	MinDisparateImpact            *float64
	MaxEqualizedOddsDifference    *float64
	MaxEqualOpportunityDifference *float64
}

// NullGroup names the group of rows whose protected value is null.
const NullGroup = "(null)"

// Group is one value of a protected column.
type Group struct {
	Value         string   `json:"group"`
	Rows          int      `json:"rows"`
	Weight        float64  `json:"weight"`
	SelectionRate float64  `json:"selection_rate"`
	TruePositive  *float64 `json:"true_positive_rate,omitempty"`
	FalsePositive *float64 `json:"false_positive_rate,omitempty"`
}

// Attribute is the assessment of one protected column. Pointers are nil
// when the figure does not apply or is undefined (a ratio over zero).
type Attribute struct {
	Column                      string   `json:"column"`
	Groups                      []Group  `json:"groups"`
	ParityDifference            float64  `json:"demographic_parity_difference"`
	ParityRatio                 *float64 `json:"demographic_parity_ratio"`
	DisparateImpact             *float64 `json:"disparate_impact"`
	StatisticalParityDifference *float64 `json:"statistical_parity_difference,omitempty"`
	EqualizedOddsDifference     *float64 `json:"equalized_odds_difference,omitempty"`
	EqualOpportunityDifference  *float64 `json:"equal_opportunity_difference,omitempty"`
	Failures                    []string `json:"failures,omitempty"`
	Notes                       []string `json:"notes,omitempty"`
}

// Result is the whole assessment.
type Result struct {
	Mode       string      `json:"mode"` // "data" or "predictions"
	Rows       int         `json:"rows"`
	Attributes []Attribute `json:"attributes"`
	Passed     bool        `json:"passed"`
}

// tally accumulates one group's weights.
type tally struct {
	rows                         int
	weight, selected             float64
	positives, negatives, tp, fp float64
}

// Evaluate reads every row of r and assesses each protected column.
func Evaluate(r *table.Reader, opt Options) (*Result, error) {
	cols, err := locate(r, opt)
	if err != nil {
		return nil, err
	}
	for col := range opt.Privileged {
		if !slices.Contains(opt.Protected, col) {
			return nil, fmt.Errorf("privileged group given for %q, which is not a protected column (%v)", col, opt.Protected)
		}
	}
	res := &Result{Mode: "data"}
	if opt.Prediction != "" {
		res.Mode = "predictions"
	}
	tallies := make([]map[string]*tally, len(opt.Protected))
	for i := range tallies {
		tallies[i] = map[string]*tally{}
	}
	anyPositive := false
	var key []byte          // group name of an intersection, reused
	var labelsSeen []string // a few label values, to explain a wrong --positive
	for r.Next() {
		cells := r.Cells()
		w, label, pred, err := cols.read(r, cells, opt.Positive)
		if err != nil {
			return nil, err
		}
		anyPositive = anyPositive || label
		if v := cells[cols.label].Bytes; !anyPositive && len(labelsSeen) < 5 &&
			!slices.ContainsFunc(labelsSeen, func(s string) bool { return s == string(v) }) {
			labelsSeen = append(labelsSeen, string(v))
		}
		for i, pcs := range cols.protected {
			groupOf(tallies[i], cells, pcs, &key).add(w, label, pred)
		}
		res.Rows++
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	if res.Rows == 0 {
		return nil, &table.Error{File: r.File(), Err: fmt.Errorf("no rows to assess")}
	}
	if !anyPositive {
		return nil, &table.Error{File: r.File(), Column: opt.Label, Err: fmt.Errorf(
			"no label equals the positive value %q (labels seen include %q); set --positive", opt.Positive, labelsSeen)}
	}
	res.Passed = true
	for i, col := range opt.Protected {
		a, err := assess(col, tallies[i], opt)
		if err != nil {
			return nil, &table.Error{File: r.File(), Column: col, Err: err}
		}
		res.Passed = res.Passed && len(a.Failures) == 0
		res.Attributes = append(res.Attributes, a)
	}
	return res, nil
}

// groupOf returns the tally of the row's group in the columns pcs, creating
// it on first sight. The lookup m[string(b)] does not copy b; only a new
// group's name is.
func groupOf(tallies map[string]*tally, cells []table.Cell, pcs []int, key *[]byte) *tally {
	k := (*key)[:0]
	for i, pc := range pcs {
		if i > 0 {
			k = append(k, " & "...)
		}
		if cells[pc].IsNull() {
			k = append(k, NullGroup...)
		} else {
			k = append(k, cells[pc].Bytes...)
		}
	}
	*key = k
	t := tallies[string(k)]
	if t == nil {
		t = &tally{}
		tallies[string(k)] = t
	}
	return t
}

func (t *tally) add(w float64, label, pred bool) {
	t.rows++
	t.weight += w
	if pred {
		t.selected += w
	}
	switch {
	case label:
		t.positives += w
		if pred {
			t.tp += w
		}
	default:
		t.negatives += w
		if pred {
			t.fp += w
		}
	}
}

// columns are the indexes of the columns Evaluate reads (-1: not used).
type columns struct {
	protected         [][]int // per attribute, its columns
	label, pred, wcol int
}

func locate(r *table.Reader, opt Options) (columns, error) {
	find := func(name string) (int, error) {
		if name == "" {
			return -1, nil
		}
		i := slices.Index(r.Columns(), name)
		if i < 0 {
			return -1, &table.Error{File: r.File(), Column: name, Err: fmt.Errorf("no such column; the file has %v", r.Columns())}
		}
		return i, nil
	}
	var c columns
	var err error
	for _, p := range opt.Protected {
		names := []string{p}
		if !slices.Contains(r.Columns(), p) {
			names = strings.Split(p, "+")
		}
		var idx []int
		for _, name := range names {
			i, err := find(name)
			if err != nil {
				return c, err
			}
			idx = append(idx, i)
		}
		c.protected = append(c.protected, idx)
	}
	if c.label, err = find(opt.Label); err != nil {
		return c, err
	}
	if c.pred, err = find(opt.Prediction); err != nil {
		return c, err
	}
	c.wcol, err = find(opt.Weight)
	return c, err
}

// read returns the row's weight, whether its label is positive and whether
// it is selected (positive prediction, or positive label on data).
func (c columns) read(r *table.Reader, cells []table.Cell, positive string) (w float64, label, pred bool, err error) {
	w = 1
	if c.wcol >= 0 {
		v, ok := cells[c.wcol].Float()
		if !ok || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return 0, false, false, r.CellError(c.wcol, fmt.Errorf("weight %q is not a finite number >= 0", cells[c.wcol].Bytes))
		}
		w = v
	}
	if label, err = isPositive(cells[c.label], positive); err != nil {
		return 0, false, false, r.CellError(c.label, err)
	}
	pred = label
	if c.pred >= 0 {
		if pred, err = isPositive(cells[c.pred], positive); err != nil {
			return 0, false, false, r.CellError(c.pred, err)
		}
	}
	return w, label, pred, nil
}

// isPositive compares a label or prediction with the positive value: as
// text, as numbers ("1.0" is 1), or as a boolean (true is 1, as in Python).
func isPositive(c table.Cell, positive string) (bool, error) {
	if c.IsNull() {
		return false, fmt.Errorf("missing value; every row needs a label (and a prediction)")
	}
	if string(c.Bytes) == positive {
		return true, nil
	}
	if c.Kind == table.Bool {
		switch positive {
		case "true", "1":
			return string(c.Bytes) == "true", nil
		case "false", "0":
			return string(c.Bytes) == "false", nil
		}
		return false, nil
	}
	if v, ok := c.Float(); ok {
		p, err := strconv.ParseFloat(positive, 64)
		return err == nil && v == p, nil
	}
	return false, nil
}
