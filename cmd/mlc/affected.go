package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/mlc-project/mlc/compiler"
	"github.com/mlc-project/mlc/gitops"
)

func newAffectedCmd() *cobra.Command {
	var (
		base, head    string
		asJSON, orAll bool
		tags          []string
	)
	cmd := &cobra.Command{
		Use:   "affected [dir] --base REF",
		Short: "List the pipeline stages a change touches, and why",
		Long: `affected compares HEAD (or --head) with its merge base with --base, as a
pull request into base would, and decides for each stage of the spec in dir
whether the change reaches it: a changed path under the stage's own paths
(a dataset's prepare dir and fixtures, a trainer's code, an app's context,
a deployment's dir), a stage it depends on (a model after its datasets and
code, an app after its model, an environment after its app), or the spec's
own files, which change everything.

Each stage's verdict is written to $MLC_OUTPUT as STAGE=true|false (dots
become underscores: models_scorer) for the jobs after it to test.`,
		Example: `  mlc affected --base origin/main
  mlc affected examples/credit-risk --base main --json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := specDir(args)
			s, err := compiler.LoadWith(dir, compiler.Options{Tags: tags})
			if err != nil {
				return badInput(err)
			}
			repo, err := gitops.Open(dir)
			if err != nil {
				return badInput(err)
			}
			root, err := gitops.Root(repo)
			if err != nil {
				return badInput(err)
			}
			rel, err := filepath.Rel(root, s.Dir())
			if err != nil {
				return badInput(err)
			}
			stages := s.Stages(filepath.ToSlash(rel))
			var (
				effects []gitops.Effect
				changed []string
			)
			why := gitops.NoBase(base)
			if why == "" {
				if changed, err = gitops.Changed(repo, base, head); err != nil {
					if !orAll {
						return badInput(fmt.Errorf("%w (or pass --all-if-no-base to run every stage then)", err))
					}
					fmt.Fprintf(cmd.ErrOrStderr(), "mlc: %v\n", err)
					why = "the base is not in the history"
				}
			}
			switch {
			case why != "" && !orAll:
				return badInput(fmt.Errorf("--base: nothing to compare with (%s): pass the commit the change goes on, or --all-if-no-base to run every stage then", why))
			case why != "":
				fmt.Fprintf(cmd.ErrOrStderr(), "mlc: %s: every stage runs\n", why)
				effects = gitops.Everything(stages, why)
			default:
				effects = gitops.Affected(changed, stages)
			}
			var kv []string
			for _, e := range effects {
				kv = append(kv, gitops.OutputKey(e.Stage), strconv.FormatBool(e.Affected))
			}
			if err := writeOutputs(kv...); err != nil {
				return failed(err)
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(struct {
					Base    string          `json:"base"`
					Head    string          `json:"head"`
					Changed []string        `json:"changed"`
					Stages  []gitops.Effect `json:"stages"`
				}{base, head, changed, effects})
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			for _, e := range effects {
				fmt.Fprintf(tw, "%s\t%s\n", e.Stage, verdict(e))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&base, "base", "", "the branch or commit the change goes into, e.g. origin/main (required)")
	cmd.Flags().StringVar(&head, "head", "HEAD", "the change's commit")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the changed paths and every stage's verdict as JSON")
	cmd.Flags().BoolVar(&orAll, "all-if-no-base", false, "when --base is empty, all zeros (GitHub's before of a new branch) or not in the history (a force push), affect every stage instead of failing")
	addTagFlag(cmd, &tags)
	cmd.MarkFlagRequired("base")
	return cmd
}

// verdict is one line of the text output: the first reason, and how many
// more there are.
func verdict(e gitops.Effect) string {
	if !e.Affected {
		return "unchanged"
	}
	r := e.Because[0]
	why := "via " + r.Via
	switch {
	case r.Path != "":
		why = fmt.Sprintf("%s (under %s)", r.Path, r.Matched)
	case r.NoBase != "":
		why = "nothing to compare with (" + r.NoBase + ")"
	}
	if n := len(e.Because) - 1; n > 0 {
		why += fmt.Sprintf(" and %d more", n)
	}
	return "affected: " + why
}
