package github

import (
	"bytes"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"

	"github.com/mlc-project/mlc/compiler"
	"github.com/mlc-project/mlc/internal/golden"
	"github.com/mlc-project/mlc/targets"
)

func render(t *testing.T, example string) []targets.File {
	t.Helper()
	p, err := compiler.Compile(filepath.Join(golden.Root(), "examples", example))
	if err != nil {
		t.Fatal(err)
	}
	files, err := Target{}.Render(p)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestGolden(t *testing.T) {
	for _, ex := range golden.Examples(t) {
		t.Run(ex, func(t *testing.T) {
			files := render(t, ex)
			golden.Check(t, ex+"/github", files)
			again := render(t, ex)
			for i := range files {
				if !bytes.Equal(files[i].Data, again[i].Data) {
					t.Errorf("%s: two renders differ", files[i].Path)
				}
			}
		})
	}
}

// TestActionlint runs actionlint (with shellcheck when installed, as in CI)
// over every generated workflow and expects no finding at all.
func TestActionlint(t *testing.T) {
	opts := &actionlint.LinterOptions{ConfigFile: filepath.Join(golden.Root(), "testdata", "actionlint.yaml")}
	if sc, err := exec.LookPath("shellcheck"); err == nil {
		opts.Shellcheck = sc
	} else {
		t.Log("shellcheck not installed: scripts are not checked")
	}
	linter, err := actionlint.NewLinter(io.Discard, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range golden.Examples(t) {
		for _, f := range render(t, ex) {
			errs, err := linter.Lint(".github/workflows/"+f.Path, f.Data, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range errs {
				t.Errorf("%s/%s:%d:%d: %s [%s]\n%s", ex, f.Path, e.Line, e.Column, e.Message, e.Kind, line(f.Data, e.Line))
			}
		}
	}
}

func line(data []byte, n int) string {
	lines := strings.Split(string(data), "\n")
	if n >= 1 && n <= len(lines) {
		return lines[n-1]
	}
	return ""
}
