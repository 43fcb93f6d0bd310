package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// checkTestdata holds the gate fixtures shared with the gate packages.
const checkTestdata = "../../testdata/gate"

func writeCheckInput(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// creditRows is CSV for the credit dataset of examples/credit-risk (rows.min: 100).
func creditRows(n int, bad string) string {
	var b strings.Builder
	b.WriteString("id,age,income,debt,gender,label\n")
	for i := range n {
		fmt.Fprintf(&b, "c%d,%d,%d,%d.5,%c,%d\n", i, 18+i%60, 1000*i, i, "fmx"[i%3], i%2)
	}
	b.WriteString(bad)
	return b.String()
}

func TestCheckCommandsExitCodes(t *testing.T) {
	t.Setenv("GITHUB_STEP_SUMMARY", "")
	t.Setenv("MLC_OUTPUT", "")
	t.Setenv("GITHUB_OUTPUT", "")
	spec := filepath.Join("..", "..", "examples", "credit-risk")
	customers := filepath.Join(checkTestdata, "pii_customers.csv")
	candidate := filepath.Join(checkTestdata, "metrics_candidate.json")
	baseline := filepath.Join(checkTestdata, "metrics_baseline.json")
	good := writeCheckInput(t, "good.csv", creditRows(120, ""))
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"check", "schema", good, "--spec", spec, "--dataset", "credit"}, exitOK},
		{[]string{"check", "schema", writeCheckInput(t, "old.csv", creditRows(120, "x,17,1,1,f,0\n")), "--spec", spec, "--dataset", "credit"}, exitFailed},
		{[]string{"check", "schema", writeCheckInput(t, "ragged.csv", creditRows(120, "x,17\n")), "--spec", spec, "--dataset", "credit"}, exitBadInput},
		{[]string{"check", "schema", good, "--spec", filepath.Join(spec, "pipeline.cue"), "--dataset", "credit"}, exitOK},
		{[]string{"check", "schema", good, "--spec", spec, "--dataset", "nope"}, exitBadInput},
		{[]string{"check", "schema", good, "--spec", spec}, exitBadInput},
		{[]string{"check", "schema", writeCheckInput(t, "predictions.csv", "id,default_probability\na,0.2\n"), "--spec", spec, "--at", "apps.api.batch.predictions"}, exitOK},
		{[]string{"check", "schema", writeCheckInput(t, "probability.csv", "id,default_probability\na,1.2\n"), "--spec", spec, "--at", "apps.api.batch.predictions"}, exitFailed},
		{[]string{"check", "schema", writeCheckInput(t, "empty.csv", "id,default_probability\n"), "--spec", spec, "--at", "apps.api.batch.predictions"}, exitFailed},
		{[]string{"check", "schema", good, "--spec", spec, "--at", "apps.api.batch"}, exitBadInput},
		{[]string{"check", "pii", customers}, exitFailed},
		{[]string{"check", "pii", customers, "--forbid", "iban"}, exitFailed},
		{[]string{"check", "pii", good}, exitOK},
		{[]string{"check", "pii", customers, "--forbid", "passport"}, exitBadInput},
		{[]string{"check", "pii", "missing.csv"}, exitBadInput},
		{[]string{"check", "metrics", candidate, "--gate", "accuracy>=0.9"}, exitOK},
		{[]string{"check", "metrics", candidate, "--gate", "accuracy>=0.95"}, exitFailed},
		{[]string{"check", "metrics", candidate, "--gate", "accuracy=>0.9"}, exitBadInput},
		{[]string{"check", "metrics", candidate, "--gate", "recall>=0.9"}, exitBadInput},
		{[]string{"check", "metrics", candidate, "--baseline", baseline, "--no-regression", "accuracy"}, exitOK},
		{[]string{"check", "metrics", candidate, "--baseline", baseline, "--no-regression", "f1:0.01"}, exitFailed},
		{[]string{"check", "metrics", candidate, "--no-regression", "f1"}, exitBadInput},
		{[]string{"check", "metrics", candidate}, exitBadInput},
	} {
		if got := run(tc.args); got != tc.want {
			t.Errorf("mlc %s: exit %d, want %d", strings.Join(tc.args, " "), got, tc.want)
		}
	}
}

// TestCheckNoFail: with --no-fail a failed gate exits 0 and says so only
// in the step outputs (what a retrain job reads); bad input still fails,
// so a broken check never passes for a calm one.
func TestCheckNoFail(t *testing.T) {
	t.Setenv("GITHUB_STEP_SUMMARY", "")
	t.Setenv("GITHUB_OUTPUT", "")
	candidate := filepath.Join(checkTestdata, "metrics_candidate.json")
	for _, tc := range []struct {
		gate   string
		want   int
		output string
	}{
		{"accuracy>=0.9", exitOK, "passed=true\n"},
		{"accuracy>=0.95", exitOK, "passed=false\n"},
		{"recall>=0.9", exitBadInput, ""},
	} {
		out := filepath.Join(t.TempDir(), "output")
		t.Setenv("MLC_OUTPUT", out)
		if got := run([]string{"check", "metrics", candidate, "--gate", tc.gate, "--no-fail"}); got != tc.want {
			t.Errorf("%s --no-fail: exit %d, want %d", tc.gate, got, tc.want)
		}
		if b, _ := os.ReadFile(out); string(b) != tc.output {
			t.Errorf("%s --no-fail: outputs %q, want %q", tc.gate, b, tc.output)
		}
	}
}

func TestCheckWritesMarkdownAndStepSummary(t *testing.T) {
	dir := t.TempDir()
	summary := filepath.Join(dir, "summary.md")
	t.Setenv("GITHUB_STEP_SUMMARY", summary)
	md := filepath.Join(dir, "pii.md")
	customers := filepath.Join(checkTestdata, "pii_customers.csv")
	if code := run([]string{"check", "pii", customers, "--markdown", md, "--json"}); code != exitFailed {
		t.Fatalf("exit %d", code)
	}
	for _, p := range []string{md, summary} {
		b, err := os.ReadFile(p)
		if err != nil || !strings.HasPrefix(string(b), "### ❌ mlc check pii: failed") || strings.Contains(string(b), "4012-8888-8888-1881") {
			t.Errorf("%s: %q %v", p, b, err)
		}
	}
}
