package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mlc-project/mlc/compiler"
	"github.com/mlc-project/mlc/ir"
	"github.com/mlc-project/mlc/schema"
	"github.com/mlc-project/mlc/targets"
	"github.com/mlc-project/mlc/targets/argo"
	"github.com/mlc-project/mlc/targets/github"
	"github.com/mlc-project/mlc/targets/graph"
	"github.com/mlc-project/mlc/targets/tekton"
	"github.com/mlc-project/mlc/targets/writer"
)

// renderers are the compile targets, by name.
var renderers = map[string]targets.Target{
	"github": github.Target{},
	"tekton": tekton.Target{},
	"argo":   argo.Target{},
}

func targetNames() []string {
	names := make([]string, 0, len(renderers))
	for n := range renderers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// specDir is the spec directory argument, "." by default.
func specDir(args []string) string {
	if len(args) > 0 {
		return args[0]
	}
	return "."
}

// selectTargets are the targets named, every one for none.
func selectTargets(names ...string) ([]targets.Target, error) {
	if len(names) == 0 {
		names = targetNames()
	}
	var out []targets.Target
	for _, name := range names {
		t, ok := renderers[name]
		if !ok {
			return nil, badInput(fmt.Errorf("unknown target %q: use one of %s", name, strings.Join(targetNames(), ", ")))
		}
		out = append(out, t)
	}
	return out, nil
}

// compileSpec compiles dir for the given engines, turning spec errors into
// exit code 2.
func compileSpec(dir string, tags []string, engines []ir.Engine) (*ir.Pipeline, error) {
	warn := func(e *compiler.Error) { fmt.Fprintf(os.Stderr, "mlc: warning: %v\n", e) }
	p, err := compiler.CompileWith(dir, compiler.Options{Tags: tags, Engines: engines, Warn: warn})
	if err != nil {
		return nil, badInput(err)
	}
	return p, nil
}

func newCompileCmd() *cobra.Command {
	var (
		target string
		out    string
		check  bool
		tags   []string
	)
	c := &cobra.Command{
		Use:   "compile [dir]",
		Short: "Compile pipeline.cue into GitHub Actions, Tekton or Argo Workflows",
		Long: `compile reads every .cue file of the package in dir (default "."), checks it
against the mlc schema, and writes the workflows of the chosen engine. Output
is deterministic to the byte, so it can be committed; --check compares the
committed files with what would be generated and fails when they are stale.
Nothing is written when the spec has an error.`,
		Example: `  mlc compile --target github             # writes .github/workflows/*.yml
  mlc compile examples/credit-risk --target tekton --out deploy/tekton
  mlc compile --check                       # in CI: fail if generated files are stale`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			t, ok := renderers[target]
			if !ok {
				return badInput(fmt.Errorf("unknown target %q: use one of %s", target, strings.Join(targetNames(), ", ")))
			}
			dir := specDir(args)
			p, err := compileSpec(dir, tags, []ir.Engine{t.Engine()})
			if err != nil {
				return err
			}
			files, err := t.Render(p)
			if err != nil {
				return badInput(err)
			}
			if out == "" {
				out = defaultOut(dir, t)
			}
			owner := p.Source
			if check {
				diff, err := writer.Diff(out, files, owner)
				if err != nil {
					return err
				}
				if diff != "" {
					fmt.Fprint(cmd.OutOrStdout(), diff)
					return failed(fmt.Errorf("generated %s files in %s are stale: run `mlc compile %s --target %s --out %s` and commit the result", target, out, dir, target, out))
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: %d %s files up to date\n", out, len(files), target)
				return nil
			}
			if err := writer.Write(out, files, owner); err != nil {
				return err
			}
			for _, f := range files {
				fmt.Fprintln(cmd.OutOrStdout(), filepath.Join(out, filepath.FromSlash(f.Path)))
			}
			return nil
		},
	}
	c.Flags().StringVar(&target, "target", "github", "engine to compile for: "+strings.Join(targetNames(), ", "))
	c.Flags().StringVar(&out, "out", "", "output directory (default: .github/workflows at the repository root for github, <dir>/<target> otherwise)")
	c.Flags().BoolVar(&check, "check", false, "compare with the files on disk instead of writing; exit 1 and show a diff when they differ")
	addTagFlag(c, &tags)
	c.RegisterFlagCompletionFunc("target", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return targetNames(), cobra.ShellCompDirectiveNoFileComp
	})
	return c
}

// defaultOut is where a target's files go: GitHub only reads workflows
// from the repository root; Kubernetes manifests stay beside the spec.
func defaultOut(dir string, t targets.Target) string {
	if t.Name() == "github" {
		if root, ok := compiler.RepoRoot(dir); ok {
			return filepath.Join(root, t.DefaultDir())
		}
	}
	return filepath.Join(dir, t.DefaultDir())
}

func newVetCmd() *cobra.Command {
	var tags, names []string
	c := &cobra.Command{
		Use:   "vet [dir]",
		Short: "Check pipeline.cue without writing anything",
		Long: `vet loads and checks the spec in dir: schema, references, secrets, sources and
the job graph, for every engine (each --target instead, when given): what
one of them would evaluate (${{, $(, {{) or cannot do is an error. It
renders every target in memory, so it refuses exactly what compile would.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ts, err := selectTargets(names...)
			if err != nil {
				return err
			}
			es := make([]ir.Engine, len(ts))
			for i, t := range ts {
				es[i] = t.Engine()
			}
			p, err := compileSpec(specDir(args), tags, es)
			if err != nil {
				return err
			}
			var errs []error
			for _, t := range ts {
				if _, err := t.Render(p); err != nil {
					errs = append(errs, err)
				}
			}
			if err := errors.Join(errs...); err != nil {
				return badInput(err)
			}
			jobs := 0
			for _, w := range p.Workflows {
				jobs += len(w.Jobs)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: ok (%d workflows, %d jobs)\n", p.Source, len(p.Workflows), jobs)
			return nil
		},
	}
	c.Flags().StringSliceVarP(&tags, "tag", "t", nil, "CUE build tag, repeatable")
	c.Flags().StringSliceVar(&names, "target", nil, "check for this engine only (repeatable; default: all of "+strings.Join(targetNames(), ", ")+")")
	return c
}

func newGraphCmd() *cobra.Command {
	var format string
	c := &cobra.Command{
		Use:     "graph [dir]",
		Short:   "Print the job graph as Mermaid or Graphviz DOT",
		Example: "  mlc graph examples/credit-risk > graph.mmd\n  mlc graph --format dot | dot -Tsvg > graph.svg",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := compileSpec(specDir(args), nil, nil) // a picture: no engine's rules apply
			if err != nil {
				return err
			}
			switch format {
			case "mermaid":
				fmt.Fprint(cmd.OutOrStdout(), graph.Mermaid(p))
			case "dot":
				fmt.Fprint(cmd.OutOrStdout(), graph.DOT(p))
			default:
				return badInput(fmt.Errorf("unknown format %q: use mermaid or dot", format))
			}
			return nil
		},
	}
	c.Flags().StringVar(&format, "format", "mermaid", "mermaid or dot")
	return c
}

func newInitCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "init [dir]",
		Short: "Write a starter pipeline.cue",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := filepath.Join(specDir(args), "pipeline.cue")
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
			if errors.Is(err, os.ErrExist) {
				return badInput(fmt.Errorf("%s exists; mlc init never overwrites a spec", path))
			}
			if err != nil {
				return badInput(err)
			}
			if _, err := f.Write(schema.Starter); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s; try it with `mlc run`, then set its registry, check it with `mlc vet` and compile it with `mlc compile`\n", path)
			return nil
		},
	}
}

// addTagFlag is --tag on a command that loads the spec.
func addTagFlag(c *cobra.Command, tags *[]string) {
	c.Flags().StringSliceVarP(tags, "tag", "t", nil, "CUE build tag (files with @if(TAG)) or NAME=VALUE for a field's @tag(NAME), repeatable")
}

// addSpecTagFlag is --tag on a command that reads the spec at run time:
// compiled pipelines pass the tags they were compiled with.
func addSpecTagFlag(c *cobra.Command, tags *[]string) {
	c.Flags().StringSliceVarP(tags, "tag", "t", nil, "CUE build tag the spec was compiled with (files with @if(TAG)), repeatable")
}
