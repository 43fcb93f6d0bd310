// Package report renders the outcome of a gate the same way for every
// check: a human summary, JSON for machines, Markdown for GitHub step
// summaries and pull-request comments, and key=value step outputs.
//
// A check builds a Report and hands it to Write. The command then maps
// Passed to the exit code (0 pass, 1 failed); bad input (exit 2) is an
// error returned before any report exists.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/mlc-project/mlc/internal/atomicfile"
	"github.com/mlc-project/mlc/internal/stepoutput"
)

// Report is the outcome of one check.
type Report struct {
	Check   string   // the check's name, e.g. "schema"
	Passed  bool     // the gate's verdict
	Summary string   // one line: what was checked and why it passed or failed
	Notices []string // things the reader should know that do not fail the gate
	Tables  []Table  // the evidence, in display order
	Outputs []Output // step outputs, e.g. drift=true
	Details any      // the check's own result, under "details" in JSON
}

// Table is a titled grid of cells. A note (e.g. "first 20 of 311") is
// shown after the title.
type Table struct {
	Title   string     `json:"title"`
	Note    string     `json:"note,omitempty"`
	Columns []string   `json:"columns"`
	Rows    [][]string `json:"rows"`
}

// Output is one step output (internal/stepoutput's protocol).
type Output = stepoutput.Pair

// Options says where Write sends the report.
type Options struct {
	Stdout   io.Writer // human text or JSON goes here
	JSON     bool      // JSON instead of human text on Stdout
	Markdown string    // also write Markdown to this file ("" for none)
	// Getenv reads GITHUB_STEP_SUMMARY (Markdown is appended to it),
	// MLC_OUTPUT and GITHUB_OUTPUT (outputs are appended to the first set).
	// os.Getenv if nil.
	Getenv func(string) string
}

// Write renders rep everywhere opt says.
func Write(rep *Report, opt Options) error {
	getenv := opt.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	var err error
	if opt.JSON {
		err = writeJSON(opt.Stdout, rep)
	} else {
		err = writeHuman(opt.Stdout, rep)
	}
	if err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	if opt.Markdown != "" {
		if err := atomicfile.Write(opt.Markdown, []byte(markdown(rep))); err != nil {
			return fmt.Errorf("writing --markdown: %w", err)
		}
	}
	if summary := getenv("GITHUB_STEP_SUMMARY"); summary != "" && !sameFile(summary, opt.Markdown) {
		if err := appendFile(summary, markdown(rep)); err != nil {
			return fmt.Errorf("appending to $GITHUB_STEP_SUMMARY: %w", err)
		}
	}
	return stepoutput.Append(getenv, rep.Outputs...)
}

func verdict(passed bool) string {
	if passed {
		return "PASS"
	}
	return "FAIL"
}

func writeHuman(w io.Writer, rep *Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s  check %s: %s\n", verdict(rep.Passed), rep.Check, rep.Summary)
	for _, n := range rep.Notices {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	for _, t := range rep.Tables {
		fmt.Fprintf(&b, "\n%s", t.Title)
		if t.Note != "" {
			fmt.Fprintf(&b, " (%s)", t.Note)
		}
		b.WriteString("\n")
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "  %s\n", strings.ToUpper(strings.Join(t.Columns, "\t")))
		for _, row := range t.Rows {
			fmt.Fprintf(tw, "  %s\n", strings.Join(oneLine(row), "\t"))
		}
		tw.Flush()
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// oneLine keeps each cell on one line and free of tabs.
func oneLine(row []string) []string {
	out := make([]string, len(row))
	for i, c := range row {
		out[i] = strings.NewReplacer("\t", " ", "\n", `\n`, "\r", `\r`).Replace(c)
	}
	return out
}

func writeJSON(w io.Writer, rep *Report) error {
	out := map[string]any{"check": rep.Check, "passed": rep.Passed, "summary": rep.Summary}
	if len(rep.Notices) > 0 {
		out["notices"] = rep.Notices
	}
	if len(rep.Tables) > 0 {
		out["tables"] = rep.Tables
	}
	if len(rep.Outputs) > 0 {
		o := map[string]string{}
		for _, kv := range rep.Outputs {
			o[kv.Key] = kv.Value
		}
		out["outputs"] = o
	}
	if rep.Details != nil {
		out["details"] = rep.Details
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// markdown renders rep for GitHub; cells are escaped so data values cannot
// break the table or inject HTML.
func markdown(rep *Report) string {
	var b strings.Builder
	head := "✅ mlc check " + rep.Check + ": passed"
	if !rep.Passed {
		head = "❌ mlc check " + rep.Check + ": failed"
	}
	fmt.Fprintf(&b, "### %s\n\n%s\n", head, mdEscape(rep.Summary))
	for _, n := range rep.Notices {
		fmt.Fprintf(&b, "\n> **Note:** %s\n", mdEscape(n))
	}
	for _, t := range rep.Tables {
		fmt.Fprintf(&b, "\n#### %s\n", mdEscape(t.Title))
		if t.Note != "" {
			fmt.Fprintf(&b, "\n_%s_\n", mdEscape(t.Note))
		}
		b.WriteString("\n|")
		for _, c := range t.Columns {
			fmt.Fprintf(&b, " %s |", mdEscape(c))
		}
		b.WriteString("\n|")
		for range t.Columns {
			b.WriteString(" --- |")
		}
		b.WriteString("\n")
		for _, row := range t.Rows {
			b.WriteString("|")
			for _, c := range row {
				fmt.Fprintf(&b, " %s |", mdEscape(c))
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

var mdEscaper = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;", "|", `\|`, "`", "\\`", "*", `\*`, "_", `\_`,
	"[", `\[`, "]", `\]`, "\\", `\\`, "\r", " ", "\n", " ",
)

func mdEscape(s string) string { return mdEscaper.Replace(s) }

// appendFile appends text in one write, so concurrent steps do not interleave lines.
func appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = f.WriteString(text)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func sameFile(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	ia, errA := os.Stat(a)
	ib, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(ia, ib)
}

// Num is how a report shows a statistic or a threshold: six significant
// digits, so a value just under a gate never prints as the gate itself.
// Step outputs and arguments carry exact values instead.
func Num(f float64) string { return strconv.FormatFloat(f, 'g', 6, 64) }
