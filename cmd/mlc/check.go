package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"cuelang.org/go/cue"
	"github.com/spf13/cobra"

	"github.com/mlc-project/mlc/artifact"
	"github.com/mlc-project/mlc/compiler"
	"github.com/mlc-project/mlc/gate/metrics"
	"github.com/mlc-project/mlc/gate/pii"
	"github.com/mlc-project/mlc/gate/report"
	"github.com/mlc-project/mlc/gate/schema"
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
	noFail   bool
}

func addReportFlags(cmd *cobra.Command) *reportFlags {
	f := &reportFlags{}
	cmd.Flags().BoolVar(&f.json, "json", false, "print the result as JSON instead of a summary")
	cmd.Flags().StringVar(&f.markdown, "markdown", "", "also write the result as Markdown to `FILE` (whenever $GITHUB_STEP_SUMMARY is set, the Markdown is appended to it as well)")
	cmd.Flags().BoolVar(&f.noFail, "no-fail", false, "a failed check exits 0, its verdict only in the step outputs (for a job that acts on it, such as retraining); input and registry errors still fail")
	return f
}

// emit writes rep to stdout, --markdown, $GITHUB_STEP_SUMMARY and the step
// outputs, and turns a failed gate into exit code 1 unless --no-fail.
func (f *reportFlags) emit(cmd *cobra.Command, rep *report.Report) error {
	err := report.Write(rep, report.Options{Stdout: cmd.OutOrStdout(), JSON: f.json, Markdown: f.markdown})
	if err != nil {
		return badInput(err)
	}
	if !rep.Passed && !f.noFail {
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

func newCheckSchemaCmd() *cobra.Command {
	var specDir, dataset, at string
	var tags []string
	var maxViolations int
	var out *reportFlags
	cmd := &cobra.Command{
		Use:   "schema DATA --dataset NAME | --at PATH",
		Short: "Validate every row against the dataset's schema in pipeline.cue",
		Long: `Validates DATA (a file, a directory of files, or - for stdin) against
datasets.NAME in the spec (or the table checks at PATH, such as
apps.api.batch.predictions): each cell against its column's CUE constraint,
required and unexpected columns, rows.min/max and max_null_share.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if info, err := os.Stat(specDir); err == nil && !info.IsDir() {
				specDir = filepath.Dir(specDir) // --spec path/to/pipeline.cue
			}
			spec, err := compiler.LoadWith(specDir, compiler.Options{Tags: tags})
			if err != nil {
				return badInput(err)
			}
			if (dataset == "") == (at == "") {
				return badInput(errors.New("check schema: give --dataset NAME or --at PATH"))
			}
			what, tbl, columns := "dataset "+dataset, compiler.Table{}, cue.Value{}
			if at != "" {
				what = at
				tbl, columns, err = spec.TableAt(at)
			} else {
				tbl, columns, err = spec.DatasetTable(dataset)
			}
			if err != nil {
				return badInput(err)
			}
			s, err := schema.New(tbl, columns)
			if err != nil {
				return badInput(fmt.Errorf("%s: %w", what, err))
			}
			t, err := openTable(cmd, args[0], table.Format(tbl.Format))
			if err != nil {
				return err
			}
			defer t.Close()
			res, err := schema.Check(t, s, schema.Options{MaxViolations: maxViolations})
			if err != nil {
				return badInput(err)
			}
			return out.emit(cmd, res.Report())
		},
	}
	cmd.Flags().StringVar(&specDir, "spec", ".", "`DIR` holding pipeline.cue (or the file itself)")
	addSpecTagFlag(cmd, &tags)
	cmd.Flags().StringVar(&dataset, "dataset", "", "dataset `NAME` in the spec")
	cmd.Flags().StringVar(&at, "at", "", "spec `PATH` of other table checks, such as apps.api.batch.predictions")
	cmd.Flags().IntVar(&maxViolations, "max-violations", 20, "list the first `N` violations (all are counted)")
	out = addReportFlags(cmd)
	return cmd
}

func newCheckPIICmd() *cobra.Command {
	var forbid []string
	var maxFindings int
	var out *reportFlags
	cmd := &cobra.Command{
		Use:   "pii DATA",
		Short: "Find personal data (emails, phones, SSNs, cards, IBANs, IPs) in any column",
		Long: `Scans every cell of DATA (a file, a directory of files, or - for stdin)
for the entities in --forbid, validated as Microsoft Presidio does (Luhn for
cards, mod-97 for IBANs, SSN area/group/serial rules, real email domains,
libphonenumber). Findings are reported with masked samples only.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			entities, err := pii.ParseEntities(forbid)
			if err != nil {
				return badInput(err)
			}
			t, err := openTable(cmd, args[0], table.Auto)
			if err != nil {
				return err
			}
			defer t.Close()
			res, err := pii.Scan(t, pii.Options{Forbid: entities, MaxFindings: maxFindings})
			if err != nil {
				return badInput(err)
			}
			return out.emit(cmd, res.Report())
		},
	}
	cmd.Flags().StringSliceVar(&forbid, "forbid", []string{"email", "phone", "ssn", "credit_card", "iban", "ip"}, "entities to look for, comma-separated")
	cmd.Flags().IntVar(&maxFindings, "max-findings", 20, "list the first `N` findings (all are counted)")
	out = addReportFlags(cmd)
	return cmd
}

func newCheckMetricsCmd() *cobra.Command {
	var gateFlags, noRegressionFlags []string
	var baseline string
	var firstRelease bool
	var pf *policyFlags
	var out *reportFlags
	cmd := &cobra.Command{
		Use:   "metrics FILE_OR_REF --gate 'accuracy>=0.90'",
		Short: "Gate a model on its metrics and against the model in production",
		Long: `Reads the candidate's metrics from a JSON file ({"accuracy": 0.93} or
{"metrics": {...}}) or from an OCI reference's dev.mlc.metric.<name>
annotations, applies each --gate, and with --baseline fails when a
--no-regression metric falls more than its tolerance below the baseline's
(higher is better). A baseline reference must carry a signature the
--key (or --certificate-identity and --certificate-oidc-issuer) policy
accepts, and its metrics are read from the digest verified: an unsigned
manifest tagged production would otherwise let any regression pass. A
baseline that does not exist fails, unless --first-release says there is
no production model yet (it then passes with a notice).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			gates, err := parseEach(gateFlags, metrics.ParseGate)
			if err != nil {
				return badInput(err)
			}
			noRegression, err := parseEach(noRegressionFlags, metrics.ParseNoRegression)
			if err != nil {
				return badInput(err)
			}
			if len(gates) == 0 && len(noRegression) == 0 {
				return badInput(errors.New("nothing to check: give --gate and/or --no-regression"))
			}
			if len(noRegression) > 0 && baseline == "" {
				return badInput(errors.New("--no-regression needs --baseline FILE_OR_REF"))
			}
			ctx := cmd.Context()
			cur, err := metrics.Load(ctx, args[0], artifact.ReadAnnotations)
			if err != nil {
				return badInput(err)
			}
			var base metrics.Metrics
			if baseline != "" {
				source, err := verifiedBaseline(ctx, baseline, pf, firstRelease)
				if err != nil {
					return err
				}
				if source != "" {
					if base, err = metrics.Load(ctx, source, artifact.ReadAnnotations); err != nil {
						return badInput(err)
					}
				}
			}
			res, err := metrics.Evaluate(cur, gates, base, baseline, noRegression)
			if err != nil {
				return badInput(err)
			}
			return out.emit(cmd, res.Report())
		},
	}
	cmd.Flags().StringArrayVar(&gateFlags, "gate", nil, "threshold `METRIC>=X` (operators >= > <= < ==); repeatable")
	cmd.Flags().StringVar(&baseline, "baseline", "", "metrics of the model in production: a JSON `FILE_OR_REF`erence")
	cmd.Flags().StringArrayVar(&noRegressionFlags, "no-regression", nil, "`METRIC[:TOLERANCE]` must not fall below the baseline by more than TOLERANCE; repeatable")
	cmd.Flags().BoolVar(&firstRelease, "first-release", false, "a missing --baseline reference is the first deployment: no-regression gates pass with a notice")
	pf = addPolicyFlags(cmd.Flags())
	out = addReportFlags(cmd)
	return cmd
}

// verifiedBaseline is where to read the baseline's metrics from: the file,
// or the reference by the digest whose signature the policy accepts; ""
// when the reference does not exist and firstRelease allows that.
func verifiedBaseline(ctx context.Context, baseline string, pf *policyFlags, firstRelease bool) (string, error) {
	if _, err := os.Stat(baseline); err == nil {
		return baseline, nil
	}
	ref, err := verifiedRef(ctx, baseline, artifact.DefaultOptions(), pf)
	var ee *exitError
	if errors.As(err, &ee) && ee.code == exitBadInput && errors.Is(err, fs.ErrNotExist) {
		if firstRelease {
			return "", nil
		}
		return "", failed(fmt.Errorf("baseline %s does not exist (%w); for the first deployment pass --first-release (models.NAME.evaluate.first_release in the spec)", baseline, err))
	}
	if err != nil {
		return "", prefixError(err, "--baseline")
	}
	return ref.String(), nil
}

// parseEach parses every value of a repeated flag.
func parseEach[T any](values []string, parse func(string) (T, error)) ([]T, error) {
	out := make([]T, 0, len(values))
	for _, v := range values {
		x, err := parse(v)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}
