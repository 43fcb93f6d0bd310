package kube

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlc-project/mlc/internal/stepoutput/stepoutputtest"
	"github.com/mlc-project/mlc/ir"
)

func sh(t *testing.T, script string) (string, error) {
	t.Helper()
	out, err := exec.Command("sh", "-ec", script).CombinedOutput()
	return string(out), err
}

// The last NAME=value line wins; a missing file or key gives "".
func TestValueFn(t *testing.T) {
	dir := t.TempDir()
	step := filepath.Join(dir, "step.env")
	if err := os.WriteFile(step, []byte("ref=old\ndigest=sha256:1\nref=reg/x@sha256:2\nnoeol=v"), 0o644); err != nil {
		t.Fatal(err)
	}
	script := ValueFn + "\n" + strings.Join([]string{
		"mlc_value " + step + " ref > " + dir + "/ref",
		"mlc_value " + step + " noeol > " + dir + "/noeol",
		"mlc_value " + step + " absent > " + dir + "/absent",
		"mlc_value " + dir + "/missing.env ref > " + dir + "/missing",
	}, "\n")
	if out, err := sh(t, script); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for name, want := range map[string]string{"ref": "reg/x@sha256:2", "noeol": "v", "absent": "", "missing": ""} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(got) != want {
			t.Errorf("output %s = %q (%v), want %q", name, got, err, want)
		}
	}
}

// ValueFn reads what internal/stepoutput writes, as its parser does.
func TestValueFnAgreesWithTheProtocol(t *testing.T) {
	stepoutputtest.CheckCollector(t, func(t *testing.T, triples [][3]string) {
		script := ValueFn
		for _, tr := range triples {
			script += "\nmlc_value " + tr[0] + " " + tr[1] + " > " + tr[2]
		}
		if out, err := sh(t, script); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
	})
}

func signJob() *ir.Job {
	return &ir.Job{ID: "package-api", Steps: []ir.Step{
		{ID: "build", Kind: ir.StepBuildImage},
		{ID: "sign", Kind: ir.StepMLC, Env: []ir.EnvVar{{Name: "MLC_BUILT_IMAGE", FromStep: "build", Output: "ref"}}},
	}}
}

// A step acts on exactly the value the earlier step wrote (the last one),
// and fails when that step wrote none.
func TestStepOutputEnv(t *testing.T) {
	dir := t.TempDir()
	file := func(id string) string { return filepath.Join(dir, "o '"+id) } // a path that needs quoting
	j := signJob()
	pre, err := StepOutputEnv(j, j.Steps[1], file)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(pre, "$(") {
		t.Errorf("the script holds \"$(\", which Tekton and the kubelet rewrite:\n%s", pre)
	}
	if err := os.WriteFile(file("build"), []byte("ref=reg/app:tag\nref=reg/app@sha256:2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := sh(t, pre+`sh -c 'printf "%s" "$MLC_BUILT_IMAGE"'`)
	if err != nil || out != "reg/app@sha256:2" {
		t.Errorf("MLC_BUILT_IMAGE = %q (%v), want the last ref written", out, err)
	}
	if err := os.WriteFile(file("build"), []byte("digest=sha256:2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = sh(t, pre+"echo ran")
	if err == nil || strings.Contains(out, "ran") || !strings.Contains(out, "step build wrote no ref") {
		t.Errorf("a missing output: %q (%v), want the step to fail before running", out, err)
	}
	if pre, err := StepOutputEnv(j, j.Steps[0], file); pre != "" || err != nil {
		t.Errorf("a step without such env: %q, %v", pre, err)
	}
}

func TestStepOutputEnvRefusesLaterOrUnknownSteps(t *testing.T) {
	for name, v := range map[string]ir.EnvVar{
		"later":    {Name: "X", FromStep: "sign", Output: "ref"},
		"unknown":  {Name: "X", FromStep: "nope", Output: "ref"},
		"bad name": {Name: "X;rm", FromStep: "build", Output: "ref"},
		"bad key":  {Name: "X", FromStep: "build", Output: "ref;rm"},
	} {
		j := signJob()
		j.Steps[1].Env = []ir.EnvVar{v}
		if _, err := StepOutputEnv(j, j.Steps[1], func(string) string { return "/f" }); err == nil {
			t.Errorf("%s: accepted %+v", name, v)
		}
	}
}
