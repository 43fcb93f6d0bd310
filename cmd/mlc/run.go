package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/mlc-project/mlc/runner"
)

func newRunCmd() *cobra.Command {
	var (
		opts runner.Options
		tags []string
	)
	c := &cobra.Command{
		Use:   "run [dir]",
		Short: "Run a workflow of the pipeline on this machine, without CI or a cluster",
		Long: `Run compiles the spec in dir and executes one of its workflows here: every
job as host processes in dependency order, independent jobs in parallel.
Container images are recorded, not used. Artifacts go to the OCI layout
<dir>/.mlc/store instead of the pipeline's registry; signing uses a key
pair generated for the run. Logs, step outputs and record.json are kept in
<dir>/.mlc/runs/<id>/; --resume <id> reruns only what changed or failed.

A trigger step (the monitor's retraining on drift) starts its workflow as
the engines do: that run follows once this one ends, and the summary
shows both (--no-chain stops it). A job that needs approval asks on the terminal; without one it fails
unless --approve ENV approved it in advance. Ctrl-C stops every step's
process group and leaves the run resumable.

Exit status: 0 every job succeeded or was skipped by its condition; 1 a
job failed or the run was interrupted; 2 bad input (spec, flags, a secret
not set in the environment).`,
		Example: `  mlc run examples/credit-risk -t local --offline --fixtures examples/credit-risk/fixtures --approve production
  mlc run examples/credit-risk -t local --workflow monitor --offline --fixtures examples/credit-risk/fixtures
  mlc run . --resume 20261125-061500-3f2a1b --approve production`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := compileSpec(specDir(args), tags, nil) // local processes: no engine's syntax
			if err != nil {
				return err
			}
			if opts.MLC, err = os.Executable(); err != nil {
				return err
			}
			opts.Pipeline, opts.SpecDir, opts.Out = p, specDir(args), cmd.OutOrStdout()
			if opts.Resume != "" && !cmd.Flags().Changed("workflow") {
				opts.Workflow = "" // the resumed run's
			}
			if term.IsTerminal(int(os.Stdin.Fd())) {
				opts.Prompt = terminalPrompt(cmd)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			_, err = runner.Run(ctx, opts)
			switch {
			case err == nil:
				return nil
			case errors.Is(err, runner.ErrFailed), errors.Is(err, runner.ErrInterrupted):
				return failed(err)
			}
			return badInput(err)
		},
	}
	f := c.Flags()
	f.StringVar(&opts.Workflow, "workflow", "delivery", "workflow to run: delivery, ci or batch (a split spec's: each group's in turn), monitor, or one by name such as delivery-MODEL (with --resume: the resumed run's)")
	f.IntVar(&opts.Jobs, "jobs", 2, "jobs run at once")
	f.StringArrayVar(&opts.Approve, "approve", nil, "approve deployments to this environment in advance (repeatable)")
	f.BoolVar(&opts.Offline, "offline", false, "read s3, gcs and http datasets from --fixtures instead of the network")
	f.StringVar(&opts.Base, "base", "", "the commit the change goes on: the delivery runs only the stages the change from it reaches, reusing the production model when it does not retrain (default: every stage)")
	f.StringVar(&opts.Fixtures, "fixtures", "", "directory of fixture data for --offline (docs/adapters.md)")
	f.StringVar(&opts.Resume, "resume", "", "continue run ID: reuse its jobs whose inputs and outputs are unchanged")
	f.BoolVar(&opts.NoChain, "no-chain", false, "do not run the workflows a trigger step starts (the monitor's retraining) once the run ends")
	f.StringSliceVarP(&tags, "tag", "t", nil, "CUE build tag (files with @if(TAG)), repeatable; the examples use -t local")
	return c
}

// terminalPrompt asks a yes/no question on the terminal.
func terminalPrompt(cmd *cobra.Command) func(string) (bool, error) {
	in := bufio.NewReader(cmd.InOrStdin())
	return func(question string) (bool, error) {
		fmt.Fprint(cmd.OutOrStdout(), question)
		answer, err := in.ReadString('\n')
		if err != nil {
			return false, fmt.Errorf("reading the answer: %w", err)
		}
		answer = strings.ToLower(strings.TrimSpace(answer))
		return answer == "y" || answer == "yes", nil
	}
}
