package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/mlc-project/mlc/internal/golden"
)

// TestRunBadInputExitsTwo covers what mlc run refuses before running
// anything; runner/ tests the runs themselves.
func TestRunBadInputExitsTwo(t *testing.T) {
	dir := t.TempDir()
	spec, err := os.ReadFile(filepath.Join(golden.Root(), "examples", "credit-risk", "pipeline.cue"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "pipeline.cue"), spec, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, args := range map[string][]string{
		"unknown workflow":        {"run", dir, "--workflow", "nightly"},
		"offline without fixture": {"run", dir, "--offline"},
		"fixtures not a dir":      {"run", dir, "--offline", "--fixtures", filepath.Join(dir, "pipeline.cue")},
		"unknown run to resume":   {"run", dir, "--resume", "20200101-000000-000000"},
		// without -t local the deployments need KUBECONFIG_* secrets
		"missing secret": {"run", dir, "--offline", "--fixtures", dir},
		"spec error":     {"run", filepath.Join(dir, "nowhere")},
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv("KUBECONFIG_STAGING", "")
			if code := run(args); code != exitBadInput {
				t.Errorf("mlc %v: exit %d, want %d", args, code, exitBadInput)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, ".mlc", "runs")); err == nil {
		t.Error("a refused run left a run directory")
	}
}
