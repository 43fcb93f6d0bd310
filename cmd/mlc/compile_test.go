package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const validSpec = `package pipeline

name: "p"
registry: "ghcr.io/acme/p"
datasets: d: source: local: path: "data"
models: m: {
	train: {data: ["d"], image: "python:3.12-slim", run: "python train.py"}
	evaluate: {run: "python eval.py", gates: accuracy: ">= 0.9"}
}
`

func specDirWith(t *testing.T, spec string) string {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pipeline.cue"), []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestCompileBadInputExits2AndWritesNothing(t *testing.T) {
	for name, args := range map[string][]string{
		"syntax error":   {"compile", specDirWith(t, validSpec+"apps: {\n")},
		"unknown target": {"compile", specDirWith(t, validSpec), "--target", "jenkins"},
		"unknown model":  {"compile", specDirWith(t, validSpec+`apps: a: {model: "x", image: context: "."}`+"\n")},
	} {
		t.Run(name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			if code := run(append(args, "--out", out)); code != exitBadInput {
				t.Fatalf("exit code %d, want %d", code, exitBadInput)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Fatalf("output directory created despite the error: %v", err)
			}
		})
	}
}

func TestCompileCheckDetectsManualEdit(t *testing.T) {
	dir := specDirWith(t, validSpec)
	out := filepath.Join(t.TempDir(), "wf")
	for _, target := range []string{"github", "tekton", "argo"} {
		dst := filepath.Join(out, target)
		if code := run([]string{"compile", dir, "--target", target, "--out", dst}); code != exitOK {
			t.Fatalf("%s: compile exit %d", target, code)
		}
		if code := run([]string{"compile", dir, "--target", target, "--out", dst, "--check"}); code != exitOK {
			t.Fatalf("%s: --check on fresh output exit %d", target, code)
		}
		entries, _ := os.ReadDir(dst)
		var first string
		for _, e := range entries {
			if !e.IsDir() {
				first = filepath.Join(dst, e.Name())
				break
			}
		}
		data, _ := os.ReadFile(first)
		os.WriteFile(first, []byte(strings.Replace(string(data), "p-delivery", "p-edited", 1)), 0o644)
		if code := run([]string{"compile", dir, "--target", target, "--out", dst, "--check"}); code != exitFailed {
			t.Fatalf("%s: --check after a manual edit exit %d, want %d", target, code, exitFailed)
		}
	}
}

func TestInitVetCompile(t *testing.T) {
	dir := t.TempDir()
	if code := run([]string{"init", dir}); code != exitOK {
		t.Fatalf("init exit %d", code)
	}
	if code := run([]string{"init", dir}); code != exitBadInput {
		t.Fatalf("second init overwrote the spec: exit %d", code)
	}
	// The starter's registry is the local store, which GitHub jobs could
	// not share: vet refuses what compile --target github would.
	if code := run([]string{"vet", dir}); code != exitBadInput {
		t.Fatalf("vet of the starter (local registry) exit %d, want %d", code, exitBadInput)
	}
	if code := run([]string{"vet", dir, "--target", "tekton", "--target", "argo"}); code != exitOK {
		t.Fatalf("vet of the starter for tekton and argo exit %d", code)
	}
	if code := run([]string{"graph", dir, "--format", "dot"}); code != exitOK {
		t.Fatalf("graph exit %d", code)
	}
	if code := run([]string{"compile", dir, "--target", "github", "--out", filepath.Join(dir, "wf")}); code != exitBadInput {
		t.Fatalf("compile of the starter (local registry) for github exit %d, want %d", code, exitBadInput)
	}
}

// TestVetRefusesWhatCompileRefuses: a schedule the Kubernetes engines
// could not name (a CronJob name over 52 characters) fails vet at its
// position, as it fails compile for those targets, and passes for GitHub.
func TestVetRefusesWhatCompileRefuses(t *testing.T) {
	dir := t.TempDir()
	spec := `package pipeline

name:     "credit-risk-scoring-platform-europe"
registry: "ghcr.io/acme/ml"
triggers: schedule: "weekly-retrain-of-everything": "0 3 * * 1"
datasets: d: source: local: path: "data"
models: m: {
	train: {data: ["d"], image: "python:3.12-slim", run: "python train.py"}
	evaluate: {run: "python eval.py", gates: accuracy: ">= 0.9"}
}
`
	if err := os.WriteFile(filepath.Join(dir, "pipeline.cue"), []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	code, msg := runCommand(t, newVetCmd(), dir)
	if code != exitBadInput || !strings.Contains(msg, "pipeline.cue:5:21: triggers.schedule.weekly-retrain-of-everything: argo and tekton name this schedule") {
		t.Errorf("vet: exit %d %q; want the schedule refused at its position", code, msg)
	}
	for _, target := range []string{"argo", "tekton"} {
		if code := run([]string{"compile", dir, "--target", target, "--out", t.TempDir()}); code != exitBadInput {
			t.Errorf("compile --target %s: exit %d, want %d", target, code, exitBadInput)
		}
	}
	if code, msg := runCommand(t, newVetCmd(), dir, "--target", "github"); code != exitOK {
		t.Errorf("vet --target github: exit %d %q", code, msg)
	}
}

// TestRendererRefusalsAtPositions: what only a target's renderer can see
// (a registry GitHub's runners could not share, a job named like another's
// approval task) is refused at the spec position it came from, by compile
// for that target alone and by vet for every target.
func TestRendererRefusalsAtPositions(t *testing.T) {
	env := "apps: a: {model: \"m\", image: context: \"svc\"}\nenvironments: {\n\tprod: {app: \"a\", approval: true}\n\t\"prod-approval\": {app: \"a\"}\n}\n"
	for name, c := range map[string]struct {
		spec string
		want map[string]string // target → its refusal; none: it compiles
	}{
		"local registry": {strings.Replace(validSpec, `"ghcr.io/acme/p"`, `"oci:.mlc/store"`, 1),
			map[string]string{"github": `pipeline.cue:4:1: registry: github: registry "oci:.mlc/store" is a directory on one machine`}},
		"approval task name": {validSpec + env, map[string]string{
			"tekton": `pipeline.cue:12:2: environments.prod: tekton: workflow "p-delivery" job "deploy-prod": its approval task would be named "deploy-prod-approval"`,
			"argo":   `pipeline.cue:13:2: environments.prod-approval: argo: workflow p-delivery: job deploy-prod-approval and the approval of job deploy-prod both need the argo template name`,
		}},
	} {
		t.Run(name, func(t *testing.T) {
			dir := specDirWith(t, c.spec)
			code, msg := runCommand(t, newVetCmd(), dir)
			if code != exitBadInput {
				t.Errorf("vet: exit %d, want %d", code, exitBadInput)
			}
			for _, want := range c.want {
				if !strings.Contains(msg, want) {
					t.Errorf("vet: %s\nwant it to say %s", msg, want)
				}
			}
			for _, target := range targetNames() {
				code, msg := runCommand(t, newCompileCmd(), dir, "--target", target, "--out", t.TempDir())
				want, refused := c.want[target]
				switch {
				case !refused && code != exitOK:
					t.Errorf("compile --target %s: exit %d %s", target, code, msg)
				case refused && (code != exitBadInput || !strings.Contains(msg, want)):
					t.Errorf("compile --target %s: exit %d %s\nwant %d and %s", target, code, msg, exitBadInput, want)
				}
				for other, w := range c.want {
					if other != target && strings.Contains(msg, w) {
						t.Errorf("compile --target %s refuses what only %s must: %s", target, other, msg)
					}
				}
			}
		})
	}
}
