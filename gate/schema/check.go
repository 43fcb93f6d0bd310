package schema

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/mlc-project/mlc/gate/report"
	"github.com/mlc-project/mlc/gate/table"
)

// Table-level rules, next to the cell rules in constraint.go.
const (
	RuleMissingColumn = "missing_column" // a required schema column is absent
	RuleExtraColumn   = "extra_column"   // a column the schema does not name, without extra_columns
	RuleRows          = "rows"           // the row count is outside rows.min..rows.max
	RuleNullShare     = "null_share"     // a column's share of nulls exceeds max_null_share
)

// Options tune Check.
type Options struct {
	MaxViolations int // violations listed in full; the rest are only counted. Default 20.
}

// Violation is one broken rule. Row is 0 for table-level rules.
type Violation struct {
	File   string `json:"file,omitempty"`
	Row    int    `json:"row,omitempty"`
	Column string `json:"column,omitempty"`
	Rule   string `json:"rule"`
	Value  string `json:"value,omitempty"` // the cell, shortened
	Want   string `json:"want"`            // the constraint or limit
}

// Result is the outcome of Check.
type Result struct {
	Rows       int64            `json:"rows"`
	Columns    int              `json:"columns"`
	Violations []Violation      `json:"violations"` // the first MaxViolations
	Total      int64            `json:"total_violations"`
	ByRule     map[string]int64 `json:"by_rule"`
	Fallback   []string         `json:"cue_checked_columns,omitempty"` // columns CUE checks value by value
	multiFile  bool             // rows came from more than one file
	max        int
}

// Passed reports whether the table conforms.
func (r *Result) Passed() bool { return r.Total == 0 }

func (r *Result) add(v Violation) {
	r.count(v.Rule)
	if !r.full() {
		r.Violations = append(r.Violations, v)
	}
}

// count counts a violation without listing it.
func (r *Result) count(rule string) {
	r.Total++
	r.ByRule[rule]++
}

// full reports whether MaxViolations are listed already.
func (r *Result) full() bool { return len(r.Violations) >= r.max }

// Check reads every row of t and checks it against s. The error is
// reserved for input that cannot be read (a *table.Error).
func Check(t *table.Reader, s *Spec, opt Options) (*Result, error) {
	if opt.MaxViolations <= 0 {
		opt.MaxViolations = 20
	}
	res := &Result{Columns: len(t.Columns()), ByRule: map[string]int64{}, max: opt.MaxViolations}
	index := map[string]int{}
	for i, name := range t.Columns() {
		index[name] = i
	}
	// checks[i] is the constraint of table column i, nil if unconstrained.
	checks := make([]*Constraint, len(t.Columns()))
	named := map[string]bool{}
	for _, col := range s.Columns {
		named[col.Name] = true
		i, ok := index[col.Name]
		if !ok {
			if !col.Optional {
				res.add(Violation{Column: col.Name, Rule: RuleMissingColumn, Want: "a column named " + strconv.Quote(col.Name)})
			}
			continue
		}
		checks[i] = col.Constraint
		if !col.Constraint.Compiled() {
			res.Fallback = append(res.Fallback, col.Name)
		}
	}
	if s.HasSchema && !s.ExtraColumns {
		for _, name := range t.Columns() {
			if !named[name] {
				res.add(Violation{Column: name, Rule: RuleExtraColumn, Want: "only schema columns (or extra_columns: true)"})
			}
		}
	}

	nulls := make([]int64, len(t.Columns()))
	res.multiFile = len(t.Files()) > 1
	cols := t.Columns()
	err := t.Batches(func(b *table.Batch) error {
		for row := range b.Len() {
			res.Rows++
			for i, cell := range b.Cells(row) {
				if cell.IsNull() {
					nulls[i]++
				}
				c := checks[i]
				if c == nil {
					continue
				}
				if rule := c.Check(cell); rule != "" {
					if res.full() {
						res.count(rule)
					} else {
						res.add(Violation{File: b.File(row), Row: b.Row(row), Column: cols[i], Rule: rule, Value: shorten(cell), Want: c.String()})
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	if s.RowsMin != nil && res.Rows < *s.RowsMin {
		res.add(Violation{Rule: RuleRows, Value: strconv.FormatInt(res.Rows, 10), Want: fmt.Sprintf(">= %d rows", *s.RowsMin)})
	}
	if s.RowsMax != nil && res.Rows > *s.RowsMax {
		res.add(Violation{Rule: RuleRows, Value: strconv.FormatInt(res.Rows, 10), Want: fmt.Sprintf("<= %d rows", *s.RowsMax)})
	}
	if res.Rows > 0 {
		for i, n := range nulls {
			if share := float64(n) / float64(res.Rows); share > s.MaxNullShare {
				res.add(Violation{Column: cols[i], Rule: RuleNullShare, Value: report.Num(share),
					Want: "<= " + strconv.FormatFloat(s.MaxNullShare, 'g', -1, 64)})
			}
		}
	}
	return res, nil
}

// shorten renders a cell for a report: nulls as null, long values cut.
func shorten(c table.Cell) string {
	if c.IsNull() {
		return "null"
	}
	s := strings.ToValidUTF8(c.String(), "?")
	if r := []rune(s); len(r) > 40 {
		return string(r[:39]) + "…"
	}
	return s
}

// Report renders the result for the reader.
func (r *Result) Report() *report.Report {
	rep := &report.Report{Check: "schema", Passed: r.Passed(), Details: r}
	if r.Passed() {
		rep.Summary = fmt.Sprintf("%d rows, %d columns conform to the schema", r.Rows, r.Columns)
	} else {
		rep.Summary = fmt.Sprintf("%d rows, %d columns: %d violation(s)", r.Rows, r.Columns, r.Total)
	}
	if len(r.Fallback) > 0 {
		rep.Notices = append(rep.Notices, fmt.Sprintf("columns %s use constraints checked by CUE value by value (slower)", strings.Join(r.Fallback, ", ")))
	}
	if len(r.Violations) > 0 {
		t := report.Table{Title: "Violations", Columns: []string{"row", "column", "rule", "value", "want"}}
		if int64(len(r.Violations)) < r.Total {
			t.Note = fmt.Sprintf("first %d of %d", len(r.Violations), r.Total)
		}
		for _, v := range r.Violations {
			t.Rows = append(t.Rows, []string{r.where(v), v.Column, v.Rule, v.Value, v.Want})
		}
		counts := report.Table{Title: "Violations per rule", Columns: []string{"rule", "count"}}
		for _, rule := range slices.Sorted(maps.Keys(r.ByRule)) {
			counts.Rows = append(counts.Rows, []string{rule, strconv.FormatInt(r.ByRule[rule], 10)})
		}
		rep.Tables = append(rep.Tables, t, counts)
	}
	return rep
}

// where locates a violation: its row, with the file name when the table
// spans several files.
func (r *Result) where(v Violation) string {
	switch {
	case v.Row == 0:
		return "-"
	case r.multiFile:
		return v.File + ":" + strconv.Itoa(v.Row)
	}
	return strconv.Itoa(v.Row)
}
