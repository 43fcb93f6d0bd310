package compiler

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/mlc-project/mlc/internal/golden"
)

// FuzzCompile feeds arbitrary spec text to the compiler: it must compile,
// or fail with a spec error (Errors or *Error), never panic.
func FuzzCompile(f *testing.F) {
	f.Add(base)
	for _, ex := range []string{"credit-risk", "iris-duo", "minimal"} {
		if data, err := os.ReadFile(filepath.Join(golden.Root(), "examples", ex, "pipeline.cue")); err == nil {
			f.Add(string(data))
		}
	}
	f.Add(base + "environments: a: {app: \"x\", after: \"a\"}\n")
	f.Add("package pipeline\nname: \"p\"\nsteps: s: {image: \"i\", run: \"r\", after: [\"s\"]}\n")
	f.Fuzz(func(t *testing.T, spec string) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "pipeline.cue"), []byte(spec), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Compile(dir)
		var es Errors
		var e *Error
		if err != nil && !errors.As(err, &es) && !errors.As(err, &e) {
			t.Fatalf("error of type %T: %v", err, err)
		}
	})
}
