package main

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mlc-project/mlc/compiler"
	"github.com/mlc-project/mlc/ir"
)

// TestGeneratedCheckStep runs the pull-request workflow's stale-output
// check as CI does, in the spec directory of a repository that commits its
// GitHub and Argo files: it passes on the committed files and fails with a
// unified diff once pipeline.cue changes without them.
func TestGeneratedCheckStep(t *testing.T) {
	root, wt, _ := exampleRepo(t)
	spec := filepath.Join(root, "ml")
	src, err := os.ReadFile(filepath.Join(spec, "pipeline.cue"))
	if err != nil {
		t.Fatal(err)
	}
	both := strings.Replace(string(src), `git: generated: ["github"]`, `git: generated: ["github", "argo"]`, 1)
	if both == string(src) {
		t.Fatal("the example no longer declares git.generated; update the test")
	}
	if err := os.WriteFile(filepath.Join(spec, "pipeline.cue"), []byte(both), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"github", "argo"} {
		out := filepath.Join(root, ".github", "workflows")
		if target == "argo" {
			out = filepath.Join(root, "deploy", "argo")
		}
		if _, err := execute(t, "compile", spec, "--target", target, "--out", out); err != nil {
			t.Fatal(err)
		}
	}
	commitAll(t, wt, "commit the generated files")

	p, err := compiler.Compile(spec)
	if err != nil {
		t.Fatal(err)
	}
	var steps []ir.Step
	for _, w := range p.Workflows {
		if j := slices.IndexFunc(w.Jobs, func(j *ir.Job) bool { return j.ID == "generated" }); j >= 0 {
			steps = w.Jobs[j].Steps
			if !strings.HasSuffix(w.Name, "-ci") {
				t.Errorf("the check is in workflow %s, want the pull-request one", w.Name)
			}
		}
	}
	if len(steps) != 2 {
		t.Fatalf("generated job steps %v, want one per target", steps)
	}
	check := func() (string, error) {
		t.Helper()
		var all strings.Builder
		for _, st := range steps {
			if st.Dir != "ml" || st.Kind != ir.StepMLC {
				t.Fatalf("step %s runs in %q", st.ID, st.Dir)
			}
			out, err := execute(t, st.Args...)
			all.WriteString(out)
			if err != nil {
				return all.String(), err
			}
		}
		return all.String(), nil
	}
	t.Chdir(spec)
	if out, err := check(); err != nil {
		t.Fatalf("committed files reported stale: %v\n%s", err, out)
	}

	changed := strings.Replace(both, `schedule: retrain: "0 3 * * 1"`, `schedule: retrain: "0 4 * * 1"`, 1)
	if changed == both {
		t.Fatal("the example's retrain schedule moved; update the test")
	}
	if err := os.WriteFile("pipeline.cue", []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := check()
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != exitFailed {
		t.Fatalf("stale files: %v, want exit %d", err, exitFailed)
	}
	for _, want := range []string{"--- ../deploy/argo/credit-risk-delivery.yaml", "+++ ../deploy/argo/credit-risk-delivery.yaml (generated)", "-    - 0 3 * * 1", "+    - 0 4 * * 1"} {
		if !strings.Contains(out, want) {
			t.Errorf("diff lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(err.Error(), "are stale") {
		t.Errorf("error %q does not say the files are stale", err)
	}
}
