// Package drift compares a current dataset with a reference one, column by
// column, with Evidently's data-drift defaults: which test each column gets
// (by its type, the reference size and the number of distinct values), the
// tests' thresholds, Sturges binning for PSI and Jensen-Shannon, and
// dataset drift when the share of drifted columns reaches a threshold.
//
// Columns are numeric when every value (nulls aside) is a number in both
// datasets, categorical otherwise. Nulls, NaN and ±Inf are dropped before
// testing, as Evidently does.
package drift

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"

	"github.com/mlc-project/mlc/gate/table"
)

// Options choose the tests and the dataset verdict.
type Options struct {
	Test       Test            // every column's test; Method Auto picks per column
	PerColumn  map[string]Test // per-column overrides
	Columns    []string        // columns to compare; nil: every reference column
	DriftShare float64         // dataset drift when drifted/compared >= this
}

// DefaultDriftShare is Evidently's share of drifted columns that makes
// dataset drift.
const DefaultDriftShare = 0.5

// ColumnResult is the verdict for one column.
type ColumnResult struct {
	Column    string  `json:"column"`
	Type      string  `json:"type"` // "numeric" or "categorical"
	Method    Method  `json:"method"`
	Score     float64 `json:"score"` // p-value for ks, chisquare, ztest; distance otherwise
	Threshold float64 `json:"threshold"`
	Drifted   bool    `json:"drifted"`
	Reference int     `json:"reference_values"` // values tested
	Current   int     `json:"current_values"`
	// Missing values (null, NaN, ±Inf), dropped before testing.
	ReferenceMissing int `json:"reference_missing"`
	CurrentMissing   int `json:"current_missing"`
	Distinct         int `json:"distinct_values"`
}

// Result is the dataset verdict.
type Result struct {
	Columns        []ColumnResult `json:"columns"`
	DriftedColumns int            `json:"drifted_columns"`
	DriftedShare   float64        `json:"drifted_share"`
	DriftShare     float64        `json:"drift_share"`
	Drift          bool           `json:"drift"`
	// NotCompared are current columns the reference lacks (only when
	// comparing every reference column).
	NotCompared []string `json:"not_compared,omitempty"`
}

// Compare reads both tables to the end and tests every column.
func Compare(ref, cur *table.Reader, opt Options) (*Result, error) {
	names := opt.Columns
	if names == nil {
		names = ref.Columns()
	}
	if len(names) == 0 {
		return nil, errors.New("no columns to compare")
	}
	refIdx, err := columnIndexes(ref, names)
	if err != nil {
		return nil, err
	}
	curIdx, err := columnIndexes(cur, names)
	if err != nil {
		return nil, err
	}
	for name := range opt.PerColumn {
		if !slices.Contains(names, name) {
			return nil, fmt.Errorf("--column %s: no such column among those compared (%v)", name, names)
		}
	}

	var refSamples, curSamples []*sample
	var refErr, curErr error
	var wg sync.WaitGroup
	wg.Go(func() { refSamples, refErr = readSamples(ref, refIdx) })
	curSamples, curErr = readSamples(cur, curIdx)
	wg.Wait()
	if err := errors.Join(refErr, curErr); err != nil {
		return nil, err
	}

	res := &Result{Columns: make([]ColumnResult, len(names)), DriftShare: opt.DriftShare}
	if opt.Columns == nil {
		for _, c := range cur.Columns() {
			if !slices.Contains(names, c) {
				res.NotCompared = append(res.NotCompared, c)
			}
		}
	}
	errs := make([]error, len(names))
	parallel(len(names), func(i int, buf *buffers) {
		res.Columns[i], errs[i] = testColumn(names[i], refSamples[i], curSamples[i], opt, buf)
		refSamples[i], curSamples[i] = nil, nil // free the column's values
	})
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for _, c := range res.Columns {
		if c.Drifted {
			res.DriftedColumns++
		}
	}
	res.DriftedShare = float64(res.DriftedColumns) / float64(len(names))
	res.Drift = res.DriftedShare >= opt.DriftShare
	return res, nil
}

// testColumn picks the column's test and runs it.
func testColumn(name string, ref, cur *sample, opt Options, buf *buffers) (ColumnResult, error) {
	c := newColumn(ref, cur, buf)
	r := ColumnResult{Column: name, Type: "categorical", Reference: c.refN, Current: c.curN,
		ReferenceMissing: ref.dropped, CurrentMissing: cur.dropped}
	if c.numeric {
		r.Type = "numeric"
	}
	for _, side := range []struct {
		name string
		n    int
	}{{"reference", c.refN}, {"current", c.curN}} {
		if side.n == 0 {
			return r, fmt.Errorf("column %q has no values in the %s data (all null, NaN or Inf); leave it out with --columns", name, side.name)
		}
	}
	r.Distinct = c.distinct()

	test := opt.Test
	if t, ok := opt.PerColumn[name]; ok {
		if t.Method != Auto && t.Method != "" {
			test.Method = t.Method
		}
		if t.Threshold != nil {
			test.Threshold = t.Threshold
		}
	}
	r.Method = test.Method
	if r.Method == Auto || r.Method == "" {
		r.Method = defaultMethod(c.numeric, c.refN, r.Distinct)
	}
	if r.Method.numericOnly() && !c.numeric {
		return r, fmt.Errorf("column %q is categorical (it holds text); %s needs numbers: use psi, chisquare, ztest or jensenshannon", name, r.Method)
	}
	r.Threshold = r.Method.DefaultThreshold()
	if test.Threshold != nil {
		r.Threshold = *test.Threshold
	}
	r.Score = c.score(r.Method)
	r.Drifted = r.Method.drifted(r.Score, r.Threshold)
	return r, nil
}

func columnIndexes(r *table.Reader, names []string) ([]int, error) {
	idx := make([]int, len(names))
	for i, name := range names {
		if idx[i] = slices.Index(r.Columns(), name); idx[i] < 0 {
			return nil, &table.Error{File: r.File(), Column: name, Err: fmt.Errorf("no such column; the file has %v", r.Columns())}
		}
	}
	return idx, nil
}

// parallel runs f(0..n-1) on as many goroutines as there are CPUs, each
// with its own buffers.
func parallel(n int, f func(i int, buf *buffers)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(n, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			var buf buffers
			for i := range next {
				f(i, &buf)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}
