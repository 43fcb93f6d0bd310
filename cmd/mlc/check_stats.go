package main

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mlc-project/mlc/gate/drift"
	"github.com/mlc-project/mlc/gate/fairness"
	"github.com/mlc-project/mlc/gate/report"
	"github.com/mlc-project/mlc/gate/table"
)

func newCheckFairnessCmd() *cobra.Command {
	var opt fairness.Options
	var limits struct{ maxDiff, minRatio, minDI, maxEO, maxEOp float64 }
	var rf *reportFlags
	var privileged []string
	c := &cobra.Command{
		Use:   "fairness DATA --protected COL[,COL] --label COL [--prediction COL]",
		Short: "Check group fairness of labels or predictions (Fairlearn/AIF360 definitions)",
		Long: `Computes, for each protected column, the selection rate of every group, the
demographic parity difference and ratio, and disparate impact; with
--prediction also the equalized odds and equal opportunity differences.
Fails (exit 1) when a figure breaks a limit. DATA is a CSV, JSON Lines or
Parquet file (optionally .gz), a directory of them, or - for stdin.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			optional := func(name string, v *float64) *float64 { // checked only when given
				if !cmd.Flags().Changed(name) {
					return nil
				}
				return v
			}
			opt.Limits = fairness.Limits{
				MaxParityDifference:           optional("max-parity-difference", &limits.maxDiff),
				MinParityRatio:                optional("min-parity-ratio", &limits.minRatio),
				MinDisparateImpact:            &limits.minDI,
				MaxEqualizedOddsDifference:    optional("max-equalized-odds-difference", &limits.maxEO),
				MaxEqualOpportunityDifference: optional("max-equal-opportunity-difference", &limits.maxEOp),
			}
			var err error
			if opt.Privileged, err = parsePrivileged(privileged, opt.Protected); err != nil {
				return badInput(err)
			}
			if opt.Prediction == "" && (opt.Limits.MaxEqualizedOddsDifference != nil || opt.Limits.MaxEqualOpportunityDifference != nil) {
				return badInput(errors.New("--max-equalized-odds-difference and --max-equal-opportunity-difference need --prediction COL"))
			}
			r, err := openTable(cmd, args[0], table.Auto)
			if err != nil {
				return err
			}
			defer r.Close()
			res, err := fairness.Evaluate(r, opt)
			if err != nil {
				return badInput(err)
			}
			return rf.emit(cmd, fairnessReport(res, opt.Limits))
		},
	}
	f := c.Flags()
	// Fairlearn's metric names work too, as the spec spells them
	// (fairness.metric: "demographic_parity_difference").
	f.SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		name = strings.Replace(name, "-demographic-parity-", "-parity-", 1)
		return pflag.NormalizedName(name)
	})
	f.StringSliceVar(&opt.Protected, "protected", nil, "protected `COLUMNS` (comma-separated), each assessed on its own; a+b for the intersection of a and b")
	f.StringVar(&opt.Label, "label", "", "the true outcome `COLUMN`")
	f.StringVar(&opt.Prediction, "prediction", "", "the model's prediction `COLUMN` (assess the model instead of the data)")
	f.StringVar(&opt.Positive, "positive", "1", "the favourable `VALUE` of label and prediction")
	f.StringSliceVar(&privileged, "privileged", nil, "the privileged group, `[COL=]GROUP` (repeatable): disparate impact is then AIF360's, the other groups pooled against it")
	f.StringVar(&opt.Weight, "weight", "", "per-row weight `COLUMN`")
	f.Float64Var(&limits.maxDiff, "max-parity-difference", 0, "fail when max − min selection rate exceeds `X`")
	f.Float64Var(&limits.minRatio, "min-parity-ratio", 0, "fail when min / max selection rate is below `X`")
	f.Float64Var(&limits.minDI, "min-disparate-impact", 0.8, "fail when disparate impact is below `X` (the four-fifths rule)")
	f.Float64Var(&limits.maxEO, "max-equalized-odds-difference", 0, "fail when the equalized odds difference exceeds `X` (needs --prediction)")
	f.Float64Var(&limits.maxEOp, "max-equal-opportunity-difference", 0, "fail when the equal opportunity difference exceeds `X` (needs --prediction)")
	c.MarkFlagRequired("protected")
	c.MarkFlagRequired("label")
	rf = addReportFlags(c)
	return c
}

// parsePrivileged reads --privileged values: COL=GROUP, or GROUP alone
// when there is one protected column.
func parsePrivileged(values, protected []string) (map[string]string, error) {
	if len(values) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	for _, v := range values {
		col, group, ok := strings.Cut(v, "=")
		if !ok {
			if len(protected) != 1 {
				return nil, fmt.Errorf("--privileged %q: with several protected columns, name the column: --privileged COL=%s", v, v)
			}
			col, group = protected[0], v
		}
		out[col] = group
	}
	return out, nil
}

func fairnessReport(res *fairness.Result, l fairness.Limits) *report.Report {
	rep := &report.Report{Check: "fairness", Passed: res.Passed, Details: res}
	var failures, checked []string
	for _, a := range res.Attributes {
		checked = append(checked, fmt.Sprintf("%s (%d groups)", a.Column, len(a.Groups)))
		for _, f := range a.Failures {
			failures = append(failures, a.Column+": "+f)
		}
		for _, n := range a.Notes {
			rep.Notices = append(rep.Notices, a.Column+": "+n)
		}
		t := report.Table{Title: "Groups by " + a.Column, Columns: []string{"group", "rows", "weight", "selection rate"}}
		if res.Mode == "predictions" {
			t.Columns = append(t.Columns, "true positive rate", "false positive rate")
		}
		for _, g := range a.Groups {
			row := []string{g.Value, strconv.Itoa(g.Rows), report.Num(g.Weight), report.Num(g.SelectionRate)}
			if res.Mode == "predictions" {
				row = append(row, optNum(g.TruePositive), optNum(g.FalsePositive))
			}
			t.Rows = append(t.Rows, row)
		}
		m := report.Table{Title: "Fairness of " + a.Column, Columns: []string{"metric", "value", "limit"}}
		for _, kv := range []struct {
			name  string
			v     *float64
			limit string
		}{
			{"demographic parity difference", &a.ParityDifference, limit("<=", l.MaxParityDifference)},
			{"demographic parity ratio", a.ParityRatio, limit(">=", l.MinParityRatio)},
			{"disparate impact", a.DisparateImpact, limit(">=", l.MinDisparateImpact)},
			{"statistical parity difference", a.StatisticalParityDifference, ""},
			{"equalized odds difference", a.EqualizedOddsDifference, limit("<=", l.MaxEqualizedOddsDifference)},
			{"equal opportunity difference", a.EqualOpportunityDifference, limit("<=", l.MaxEqualOpportunityDifference)},
		} {
			if kv.v != nil || kv.name == "demographic parity ratio" || kv.name == "disparate impact" {
				m.Rows = append(m.Rows, []string{kv.name, optNum(kv.v), kv.limit})
			}
		}
		rep.Tables = append(rep.Tables, t, m)
	}
	rep.Summary = fmt.Sprintf("%d rows, %s of %s: within limits", res.Rows, res.Mode, strings.Join(checked, ", "))
	if !res.Passed {
		rep.Summary = fmt.Sprintf("%d rows, %s: %s", res.Rows, res.Mode, strings.Join(failures, "; "))
	}
	return rep
}

func newCheckDriftCmd() *cobra.Command {
	var refPath, curPath, method string
	var threshold float64
	var perColumn []string
	opt := drift.Options{DriftShare: drift.DefaultDriftShare}
	var rf *reportFlags
	c := &cobra.Command{
		Use:   "drift --reference DATA --current DATA",
		Short: "Detect data drift between a reference and a current dataset (Evidently's defaults)",
		Long: `Tests every column of the current data against the reference with the test
Evidently would pick (KS, chi-squared or Z-test up to 1000 reference rows,
Wasserstein or Jensen-Shannon above) or the one given, and reports dataset
drift (exit 1) when the share of drifted columns reaches --drift-share.
Writes drift=true|false and drifted_share=X to $MLC_OUTPUT (or
$GITHUB_OUTPUT).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if refPath == "-" && curPath == "-" {
				return badInput(errors.New("--reference and --current cannot both be stdin (-)"))
			}
			if !(opt.DriftShare > 0 && opt.DriftShare <= 1) {
				return badInput(fmt.Errorf("--drift-share %v: want a share in (0, 1]", opt.DriftShare))
			}
			if opt.Test.Method, err = drift.ParseMethod(method); err != nil {
				return badInput(fmt.Errorf("--method: %w", err))
			}
			if cmd.Flags().Changed("threshold") {
				if !(threshold >= 0 && threshold < math.Inf(1)) {
					return badInput(fmt.Errorf("--threshold %v: want a number >= 0", threshold))
				}
				opt.Test.Threshold = &threshold
			}
			for _, s := range perColumn {
				col, t, err := drift.ParseColumnTest(s)
				if err != nil {
					return badInput(err)
				}
				if opt.PerColumn == nil {
					opt.PerColumn = map[string]drift.Test{}
				}
				opt.PerColumn[col] = t
			}
			ref, err := openTable(cmd, refPath, table.Auto)
			if err != nil {
				return err
			}
			defer ref.Close()
			cur, err := openTable(cmd, curPath, table.Auto)
			if err != nil {
				return err
			}
			defer cur.Close()
			res, err := drift.Compare(ref, cur, opt)
			if err != nil {
				return badInput(err)
			}
			return rf.emit(cmd, driftReport(res))
		},
	}
	f := c.Flags()
	f.StringVar(&refPath, "reference", "", "the reference `DATA` (file, directory or -)")
	f.StringVar(&curPath, "current", "", "the current `DATA` (file, directory or -)")
	f.StringVar(&method, "method", string(drift.Auto), "the test `METHOD` of every column: auto (Evidently's choice per column), psi, ks, chisquare, ztest, wasserstein or jensenshannon")
	f.Float64Var(&threshold, "threshold", 0, "drift threshold `X` for every column (default: the method's, 0.05 for p-values, 0.1 otherwise)")
	f.Float64Var(&opt.DriftShare, "drift-share", drift.DefaultDriftShare, "dataset drift when at least this share `X` of the columns drifted")
	f.StringArrayVar(&perColumn, "column", nil, "one column's test and threshold, `COL:METHOD[:THRESHOLD]` (repeatable; METHOD auto sets only the threshold)")
	f.StringSliceVar(&opt.Columns, "columns", nil, "compare only these `COLUMNS` (comma-separated; default: every reference column)")
	c.MarkFlagRequired("reference")
	c.MarkFlagRequired("current")
	rf = addReportFlags(c)
	return c
}

func driftReport(res *drift.Result) *report.Report {
	verdict := "no dataset drift"
	if res.Drift {
		verdict = "dataset drift"
	}
	rep := &report.Report{
		Check:  "drift",
		Passed: !res.Drift,
		Summary: fmt.Sprintf("%d of %d columns drifted (share %s, threshold %s): %s",
			res.DriftedColumns, len(res.Columns), report.Num(res.DriftedShare), report.Num(res.DriftShare), verdict),
		Outputs: []report.Output{
			{Key: "drift", Value: strconv.FormatBool(res.Drift)},
			{Key: "drifted_share", Value: strconv.FormatFloat(res.DriftedShare, 'g', -1, 64)},
		},
		Details: res,
	}
	if len(res.NotCompared) > 0 {
		rep.Notices = append(rep.Notices, fmt.Sprintf("the current data has columns the reference lacks, not compared: %s", strings.Join(res.NotCompared, ", ")))
	}
	t := report.Table{Title: "Columns", Columns: []string{"column", "type", "method", "score", "threshold", "drifted", "reference", "current"}}
	for _, c := range res.Columns {
		t.Rows = append(t.Rows, []string{c.Column, c.Type, string(c.Method), report.Num(c.Score), report.Num(c.Threshold),
			strconv.FormatBool(c.Drifted), values(c.Reference, c.ReferenceMissing), values(c.Current, c.CurrentMissing)})
	}
	rep.Tables = []report.Table{t}
	return rep
}

// values shows how many values a column had, and how many were missing.
func values(n, missing int) string {
	if missing == 0 {
		return strconv.Itoa(n)
	}
	return fmt.Sprintf("%d (+%d missing)", n, missing)
}

// limit shows a limit as "<= 0.1", or "" when there is none.
func limit(op string, v *float64) string {
	if v == nil {
		return ""
	}
	return op + " " + report.Num(*v)
}

// num formats a figure for people: four significant digits.

// optNum is num, or "undefined" for a figure that does not exist.
func optNum(v *float64) string {
	if v == nil {
		return "undefined"
	}
	return report.Num(*v)
}
