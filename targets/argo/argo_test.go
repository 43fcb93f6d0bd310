package argo

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/mlc-project/mlc/compiler"
	"github.com/mlc-project/mlc/ir"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// goldenDir is where the files rendered for a named pipeline live; the
// conformance module (testdata/conformance/argo) validates every one.
func goldenDir(name string) string {
	return filepath.Join("..", "..", "testdata", "golden", name, "argo")
}

// checkGolden compares the rendered files with testdata/golden/<name>/argo,
// or rewrites that directory with -update.
func checkGolden(t *testing.T, name string, p *ir.Pipeline) {
	t.Helper()
	files, err := Target{}.Render(p)
	if err != nil {
		t.Fatal(err)
	}
	dir := goldenDir(name)
	if *update {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if err := os.WriteFile(filepath.Join(dir, f.Path), f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("%v (run go test ./targets/argo -update)", err)
	}
	if len(entries) != len(files) {
		t.Errorf("%s holds %d files, render gives %d (run go test ./targets/argo -update)", dir, len(entries), len(files))
	}
	for _, f := range files {
		want, err := os.ReadFile(filepath.Join(dir, f.Path))
		if err != nil {
			t.Errorf("%v (run go test ./targets/argo -update)", err)
			continue
		}
		if !bytes.Equal(f.Data, want) {
			t.Errorf("%s differs from the golden file (run go test ./targets/argo -update and review the diff)", f.Path)
		}
	}
}

func TestGoldenFixture(t *testing.T) { checkGolden(t, "argo-fixture", fixture()) }

func TestGoldenExamples(t *testing.T) {
	for _, name := range []string{"credit-risk", "minimal"} {
		t.Run(name, func(t *testing.T) {
			p, err := compiler.Compile(filepath.Join("..", "..", "examples", name))
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, name, p)
		})
	}
}
