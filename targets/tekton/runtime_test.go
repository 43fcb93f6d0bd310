package tekton

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlc-project/mlc/ir"
)

// Defects found running the output on real Tekton (issue 12), one test each.

// TestEveryTaskHasATimeout: a task without its own timeout gets Tekton's
// 60-minute default even when the run has none (tektoncd/pipeline#7793).
func TestEveryTaskHasATimeout(t *testing.T) {
	files, err := Target{}.Render(fixture())
	if err != nil {
		t.Fatal(err)
	}
	spec := decodePipeline(t, files[0].Data)
	for _, task := range append(spec.Tasks, spec.Finally...) {
		if task.Timeout == "" {
			t.Errorf("task %s has no timeout", task.Name)
		}
	}
	if got := findTask(t, files[0].Data, queueTask).Timeout; got != "0s" {
		t.Errorf("queue timeout %s, want none (0s): it waits as long as earlier runs take", got)
	}
	// The fixture's approval waits 24h; the task outlives the step's deadline.
	if got := findTask(t, files[0].Data, "deploy-production-approval").Timeout; got != "24h10m0s" {
		t.Errorf("approval timeout %s, want 24h10m0s", got)
	}
}

// TestJobsUseTheResolvedCommit: every job gets the commit the revision task
// resolved, not the revision parameter, which may name a moving branch.
func TestJobsUseTheResolvedCommit(t *testing.T) {
	files, err := Target{}.Render(fixture())
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range decodePipeline(t, files[0].Data).Tasks {
		for _, p := range task.Params {
			if p.Name == "MLC_REVISION" && task.Name != revisionTaskName && p.Value != resultRef(revisionTaskName, commitResult) {
				t.Errorf("task %s builds %v", task.Name, p.Value)
			}
		}
	}
}

// TestApprovalScriptReadsTheDecision runs the approval step against an
// annotations file as the downward API writes it.
func TestApprovalScriptReadsTheDecision(t *testing.T) {
	for annotations, want := range map[string]string{
		"kubernetes.io/config.seen=\"x\"\nmlc.dev/decision=\"approve\"\n": "approve",
		"mlc.dev/decision=\"reject\"\n":                                   "reject",
		"mlc.dev/decision=\"maybe\"\n":                                    "reject", // not a decision: waits until the deadline
		"":                                                                "reject",
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "annotations"), []byte(annotations), 0o644); err != nil {
			t.Fatal(err)
		}
		result := filepath.Join(dir, "result")
		script := strings.ReplaceAll(approvalScript, approvalMount, dir)
		runScript(t, script, []string{stubs(t, map[string]string{"sleep": "exit 0"}), "MLC_DEADLINE_SECONDS=1", "MLC_RESULT=" + result, "HOSTNAME=pod"})
		if got, _ := os.ReadFile(result); string(got) != want {
			t.Errorf("annotations %q: decision %q, want %q", annotations, got, want)
		}
	}
}

// TestTasksRunWithoutAToken: every task runs as the workflow's tokenless
// account unless it is the queue or a trigger (no user code), so a user
// script cannot create a PipelineRun under another account (issue 11).
func TestTasksRunWithoutAToken(t *testing.T) {
	files, err := Target{}.Render(fixture())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data := string(f.Data)
		switch {
		case strings.HasPrefix(f.Path, "runs/"):
			if !strings.Contains(data, "  taskRunTemplate:\n    serviceAccountName: ") || !strings.Contains(data, "-steps\n") {
				t.Errorf("%s: no tokenless default account:\n%s", f.Path, data)
			}
		case !strings.Contains(data, "automountServiceAccountToken: false"):
			t.Errorf("%s: no tokenless ServiceAccount", f.Path)
		}
	}
	c := &checker{}
	c.job("x", &ir.Job{ID: "x", Steps: []ir.Step{{ID: "s", Kind: ir.StepScript, Script: "true"}, {ID: "t", Kind: ir.StepTrigger, Triggers: []string{"w"}}}})
	if err := ir.Refuse(c.problems); err == nil || !strings.Contains(err.Error(), "runs user code") {
		t.Errorf("a trigger beside user code: %v", err)
	}
}
