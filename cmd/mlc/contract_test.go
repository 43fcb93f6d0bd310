package main

import (
	"path/filepath"
	"regexp"
	"testing"

	"github.com/mlc-project/mlc/compiler"
	"github.com/mlc-project/mlc/internal/golden"
	"github.com/mlc-project/mlc/ir"
)

var envRef = regexp.MustCompile(`\$\{[A-Z_][A-Z0-9_]*\}`)

// TestGeneratedCommandsParse checks the contract between the compiler and
// the CLI: every mlc command a compiled example runs names a real command,
// with flags it knows and an argument count it accepts.
func TestGeneratedCommandsParse(t *testing.T) {
	for _, ex := range golden.Examples(t) {
		p, err := compiler.Compile(filepath.Join(golden.Root(), "examples", ex))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range p.Workflows {
			steps := append([]ir.Step{}, w.OnFailure...)
			for _, j := range w.Jobs {
				steps = append(steps, j.Steps...)
			}
			for _, st := range steps {
				if st.Kind != ir.StepMLC {
					continue
				}
				args := make([]string, len(st.Args))
				for i, a := range st.Args {
					args[i] = envRef.ReplaceAllString(a, "x")
				}
				root := newRootCmd()
				cmd, rest, err := root.Find(args)
				if err != nil || cmd == root {
					t.Errorf("%s/%s: %v: no such command (%v)", w.Name, st.ID, st.Args, err)
					continue
				}
				if err := cmd.ParseFlags(rest); err != nil {
					t.Errorf("%s/%s: mlc %v: %v", w.Name, st.ID, st.Args, err)
					continue
				}
				if err := cmd.ValidateArgs(cmd.Flags().Args()); err != nil {
					t.Errorf("%s/%s: mlc %v: %v", w.Name, st.ID, st.Args, err)
				}
			}
		}
	}
}
