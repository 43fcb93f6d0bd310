package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/mlc-project/mlc/gate/report"
	"github.com/mlc-project/mlc/gate/table"
)

func newCheckCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "check",
		Short: "Run a data or model gate (exit 0 pass, 1 failed, 2 bad input)",
	}
	c.AddCommand(
		newCheckSchemaCmd(),
		newCheckPIICmd(),
		newCheckMetricsCmd(),
		newCheckFairnessCmd(),
		newCheckDriftCmd(),
	)
	return c
}

// reportFlags are the output flags every check shares.
type reportFlags struct {
	json     bool
	markdown string
}

func addReportFlags(cmd *cobra.Command) *reportFlags {
	f := &reportFlags{}
	cmd.Flags().BoolVar(&f.json, "json", false, "print the result as JSON instead of a summary")
	cmd.Flags().StringVar(&f.markdown, "markdown", "", "also write the result as Markdown to `FILE` (it is appended to $GITHUB_STEP_SUMMARY when that is set)")
	return f
}

// emit writes rep to stdout, --markdown, $GITHUB_STEP_SUMMARY and the step
// outputs, and turns a failed gate into exit code 1.
func (f *reportFlags) emit(cmd *cobra.Command, rep *report.Report) error {
	err := report.Write(rep, report.Options{Stdout: cmd.OutOrStdout(), JSON: f.json, Markdown: f.markdown})
	if err != nil {
		return badInput(err)
	}
	if !rep.Passed {
		return failed(fmt.Errorf("check %s failed: %s", rep.Check, rep.Summary))
	}
	return nil
}

// openTable opens a DATA argument (file, directory or "-") for reading;
// an unreadable table is bad input.
func openTable(cmd *cobra.Command, path string, format table.Format) (*table.Reader, error) {
	r, err := table.Open(path, table.Options{Format: format, Stdin: cmd.InOrStdin()})
	if err != nil {
		return nil, badInput(err)
	}
	return r, nil
}

func newCheckSchemaCmd() *cobra.Command  { return &cobra.Command{Use: "schema", Hidden: true} }
func newCheckPIICmd() *cobra.Command     { return &cobra.Command{Use: "pii", Hidden: true} }
func newCheckMetricsCmd() *cobra.Command { return &cobra.Command{Use: "metrics", Hidden: true} }
