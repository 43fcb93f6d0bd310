package argo

import (
	"path/filepath"
	"testing"

	"github.com/mlc-project/mlc/compiler"
	"github.com/mlc-project/mlc/internal/golden"
	"github.com/mlc-project/mlc/ir"
)

// checkGolden compares the rendered files with testdata/golden/<name>/argo
// (which the conformance module, testdata/conformance/argo, validates), or
// rewrites that directory with -update.
func checkGolden(t *testing.T, name string, p *ir.Pipeline) {
	t.Helper()
	files, err := Target{}.Render(p)
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, name+"/argo", files)
}

func TestGoldenFixture(t *testing.T) { checkGolden(t, "argo-fixture", fixture()) }

func TestGoldenExamples(t *testing.T) {
	for _, name := range golden.Examples(t) {
		t.Run(name, func(t *testing.T) {
			p, err := compiler.Compile(filepath.Join(golden.Root(), "examples", name))
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, name, p)
		})
	}
}
