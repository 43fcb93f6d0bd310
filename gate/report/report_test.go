package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func sample() *Report {
	return &Report{
		Check:   "pii",
		Passed:  false,
		Summary: "2 cells hold personal data",
		Notices: []string{"column note is free text"},
		Tables: []Table{{
			Title:   "Findings",
			Note:    "first 2 of 2",
			Columns: []string{"row", "column", "sample"},
			Rows:    [][]string{{"3", "email", "j***@example.com"}, {"9", "note", "a|b <script>\nx"}},
		}},
		Outputs: []Output{{Key: "found", Value: "2"}, {Key: "columns", Value: "email\nnote"}},
		Details: map[string]int{"findings": 2},
	}
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestHuman(t *testing.T) {
	var out bytes.Buffer
	if err := Write(sample(), Options{Stdout: &out, Getenv: env(nil)}); err != nil {
		t.Fatal(err)
	}
	want := `FAIL  check pii: 2 cells hold personal data
note: column note is free text

Findings (first 2 of 2)
  ROW  COLUMN  SAMPLE
  3    email   j***@example.com
  9    note    a|b <script>\nx
`
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}

func TestJSON(t *testing.T) {
	var out bytes.Buffer
	if err := Write(sample(), Options{Stdout: &out, JSON: true, Getenv: env(nil)}); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Check   string
		Passed  bool
		Notices []string
		Tables  []Table
		Outputs map[string]string
		Details map[string]int
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Check != "pii" || got.Passed || got.Details["findings"] != 2 || got.Outputs["found"] != "2" ||
		len(got.Tables) != 1 || got.Tables[0].Rows[1][2] != "a|b <script>\nx" || len(got.Notices) != 1 {
		t.Errorf("got %+v", got)
	}
}

func TestMarkdownAndOutputs(t *testing.T) {
	dir := t.TempDir()
	md := filepath.Join(dir, "report.md")
	summary := filepath.Join(dir, "summary.md")
	os.WriteFile(summary, []byte("earlier step\n"), 0o644)
	mlcOut, ghOut := filepath.Join(dir, "mlc-out"), filepath.Join(dir, "gh-out")
	opt := Options{Stdout: &bytes.Buffer{}, Markdown: md, Getenv: env(map[string]string{
		"GITHUB_STEP_SUMMARY": summary, "MLC_OUTPUT": mlcOut, "GITHUB_OUTPUT": ghOut,
	})}
	if err := Write(sample(), opt); err != nil {
		t.Fatal(err)
	}
	wantMD := `### ❌ mlc check pii: failed

2 cells hold personal data

> **Note:** column note is free text

#### Findings

_first 2 of 2_

| row | column | sample |
| --- | --- | --- |
| 3 | email | j\*\*\*@example.com |
| 9 | note | a\|b &lt;script&gt; x |
`
	got, _ := os.ReadFile(md)
	if string(got) != wantMD {
		t.Errorf("markdown:\n%s\nwant\n%s", got, wantMD)
	}
	got, _ = os.ReadFile(summary)
	if string(got) != "earlier step\n"+wantMD {
		t.Errorf("step summary not appended:\n%s", got)
	}
	got, _ = os.ReadFile(mlcOut)
	if want := "found=2\ncolumns<<MLC_EOF\nemail\nnote\nMLC_EOF\n"; string(got) != want {
		t.Errorf("outputs %q, want %q", got, want)
	}
	if _, err := os.Stat(ghOut); !os.IsNotExist(err) {
		t.Error("GITHUB_OUTPUT must not be written when MLC_OUTPUT is set")
	}

	// Without MLC_OUTPUT, outputs go to GITHUB_OUTPUT.
	opt.Getenv = env(map[string]string{"GITHUB_OUTPUT": ghOut})
	opt.Markdown = ""
	if err := Write(sample(), opt); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(ghOut); !strings.HasPrefix(string(got), "found=2\n") {
		t.Errorf("GITHUB_OUTPUT: %q", got)
	}
}

func TestBadOutputKey(t *testing.T) {
	rep := &Report{Check: "x", Passed: true, Outputs: []Output{{Key: "bad key", Value: "1"}}}
	err := Write(rep, Options{Stdout: &bytes.Buffer{}, Getenv: env(map[string]string{"MLC_OUTPUT": filepath.Join(t.TempDir(), "o")})})
	if err == nil || !strings.Contains(err.Error(), `output name "bad key"`) {
		t.Errorf("got %v", err)
	}
}
