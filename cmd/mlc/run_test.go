package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mlc-project/mlc/internal/golden"
	"github.com/mlc-project/mlc/runner"
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

// TestMain lets the test binary stand in for mlc in a subprocess, so a
// test can send it real signals.
func TestMain(m *testing.M) {
	if os.Getenv("MLC_TEST_RUN_AS_MLC") == "1" {
		os.Exit(run(os.Args[1:]))
	}
	os.Exit(m.Run())
}

func TestRunSIGINTKillsStepsAndKeepsTheRecord(t *testing.T) {
	dir := t.TempDir()
	spec := `package pipeline
name: "sig"
steps: {
	one: {image: "busybox", run: "sleep 60 & echo $! > one.child; echo $$ > one.pid; wait"}
	two: {image: "busybox", run: "sleep 60 & echo $! > two.child; echo $$ > two.pid; wait"}
}
`
	if err := os.WriteFile(filepath.Join(dir, "pipeline.cue"), []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "run", dir)
	cmd.Env = append(os.Environ(), "MLC_TEST_RUN_AS_MLC=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pidFiles := []string{"one.pid", "one.child", "two.pid", "two.child"}
	var pids []int
	for _, f := range pidFiles {
		pids = append(pids, waitForPID(t, filepath.Join(dir, f)))
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	t.Log(out.String())
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitFailed {
		t.Fatalf("mlc run after SIGINT: %v, want exit %d", err, exitFailed)
	}
	for i, pid := range pids {
		if alive(pid) {
			t.Errorf("%s: process %d outlived mlc run", pidFiles[i], pid)
		}
	}
	records, _ := filepath.Glob(filepath.Join(dir, ".mlc", "runs", "*", "record.json"))
	if len(records) != 1 {
		t.Fatalf("want one run record, found %v", records)
	}
	b, _ := os.ReadFile(records[0])
	var rec runner.Record
	if err := json.Unmarshal(b, &rec); err != nil || rec.Status != runner.StatusCancelled {
		t.Errorf("record: status %q (%v), want cancelled", rec.Status, err)
	}
}

func waitForPID(t *testing.T, path string) int {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if b, err := os.ReadFile(path); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
				return pid
			}
		}
	}
	t.Fatalf("%s never appeared", path)
	return 0
}

// alive reports a process that exists and is not a zombie waiting to be
// reaped by init.
func alive(pid int) bool {
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if syscall.Kill(pid, 0) != nil {
			return false
		}
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return false
		}
		if i := bytes.LastIndexByte(stat, ')'); i >= 0 && bytes.HasPrefix(stat[i+1:], []byte(" Z")) {
			return false
		}
	}
	return true
}
