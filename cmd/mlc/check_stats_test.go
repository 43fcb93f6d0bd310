package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const gateData = "../../testdata/gate/"

// runWithOutputs runs mlc with $MLC_OUTPUT pointing at a fresh file and
// returns the exit code and the step outputs written.
func runWithOutputs(t *testing.T, args ...string) (int, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "outputs")
	t.Setenv("MLC_OUTPUT", out)
	t.Setenv("GITHUB_STEP_SUMMARY", "")
	code := run(args)
	data, err := os.ReadFile(out)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return code, string(data)
}

func TestCheckDriftExitCodesAndOutputs(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		code    int
		outputs string
	}{
		{"no dataset drift", []string{"--reference", gateData + "drift_small_ref.csv", "--current", gateData + "drift_small_cur.csv"},
			exitOK, "drift=false\ndrifted_share=0.45454545454545453\n"},
		{"dataset drift", []string{"--reference", gateData + "drift_large_ref.csv", "--current", gateData + "drift_large_cur.csv"},
			exitFailed, "drift=true\ndrifted_share=0.5454545454545454\n"},
		{"drift share raised", []string{"--reference", gateData + "drift_large_ref.csv", "--current", gateData + "drift_large_cur.csv", "--drift-share", "0.6"},
			exitOK, "drift=false\ndrifted_share=0.5454545454545454\n"},
		{"one column, psi", []string{"--reference", gateData + "drift_large_ref.csv", "--current", gateData + "drift_large_cur.csv",
			"--columns", "num_shift", "--column", "num_shift:psi:0.15"}, exitFailed, "drift=true\ndrifted_share=1\n"},
		{"unknown method", []string{"--reference", gateData + "drift_small_ref.csv", "--current", gateData + "drift_small_cur.csv", "--method", "t"},
			exitBadInput, ""},
		{"negative threshold", []string{"--reference", gateData + "drift_small_ref.csv", "--current", gateData + "drift_small_cur.csv", "--threshold=-1"},
			exitBadInput, ""},
		{"bad column threshold", []string{"--reference", gateData + "drift_small_ref.csv", "--current", gateData + "drift_small_cur.csv", "--column", "num_k4:psi:NaN"},
			exitBadInput, ""},
		{"both stdin", []string{"--reference", "-", "--current", "-"}, exitBadInput, ""},
		{"ks on text", []string{"--reference", gateData + "drift_small_ref.csv", "--current", gateData + "drift_small_cur.csv", "--column", "cat_k3:ks"},
			exitBadInput, ""},
		{"missing file", []string{"--reference", gateData + "nope.csv", "--current", gateData + "drift_small_cur.csv"}, exitBadInput, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, outputs := runWithOutputs(t, append([]string{"check", "drift"}, tc.args...)...)
			if code != tc.code || outputs != tc.outputs {
				t.Errorf("exit %d, outputs %q; want %d, %q", code, outputs, tc.code, tc.outputs)
			}
		})
	}
}

func TestCheckFairnessExitCodes(t *testing.T) {
	data := gateData + "fairness_data.csv"
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"race within four fifths", []string{data, "--protected", "race", "--label", "label"}, exitOK},
		{"sex below four fifths", []string{data, "--protected", "sex,race", "--label", "label"}, exitFailed},
		{"equalized odds limit", []string{data, "--protected", "race", "--label", "label", "--prediction", "pred", "--max-equalized-odds-difference", "0.05"}, exitFailed},
		{"Fairlearn's metric name", []string{data, "--protected", "race", "--label", "label", "--max-demographic-parity-difference", "0.001"}, exitFailed},
		{"privileged group", []string{data, "--protected", "sex", "--label", "label", "--privileged", "m", "--min-disparate-impact", "0.5"}, exitOK},
		{"odds limit without predictions", []string{data, "--protected", "race", "--label", "label", "--max-equalized-odds-difference", "0.1"}, exitBadInput},
		{"privileged without column", []string{data, "--protected", "sex,race", "--label", "label", "--privileged", "m"}, exitBadInput},
		{"no label flag", []string{data, "--protected", "sex"}, exitBadInput},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code, _ := runWithOutputs(t, append([]string{"check", "fairness"}, tc.args...)...); code != tc.code {
				t.Errorf("exit %d, want %d", code, tc.code)
			}
		})
	}
}

func TestCheckDriftMarkdown(t *testing.T) {
	md := filepath.Join(t.TempDir(), "summary.md")
	runWithOutputs(t, "check", "drift", "--reference", gateData+"drift_small_ref.csv", "--current", gateData+"drift_small_cur.csv", "--markdown", md)
	data, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "| cat\\_unicode | categorical | chisquare |") {
		t.Errorf("markdown lacks the cat_unicode row:\n%s", data)
	}
}
