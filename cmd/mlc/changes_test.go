package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/mlc-project/mlc/runner"
)

// TestRunChangeAware runs the credit-risk delivery for real (mlc run):
// once in full, then after a change under service/
// only, compared with the first commit. The second run does not retrain:
// data, code, training and evaluation are skipped, the model job picks the
// model production runs, and the app is rebuilt and redeployed with it.
func TestRunChangeAware(t *testing.T) {
	root, wt, repo := exampleRepo(t)
	first, _ := repo.Head()
	spec := filepath.Join(root, "ml")
	// A real mlc: mlc run's steps run the binary that runs them, with an
	// environment of their own.
	mlc := filepath.Join(t.TempDir(), "mlc")
	if out, err := exec.Command("go", "build", "-o", mlc, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	mlcRun := func(args ...string) *runner.Record {
		t.Helper()
		cmd := exec.Command(mlc, append([]string{"run", spec, "-t", "local", "--offline", "--fixtures", filepath.Join(spec, "fixtures"), "--approve", "production"}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("mlc run %v: %v\n%s", args, err, out)
		}
		records, _ := filepath.Glob(filepath.Join(spec, ".mlc", "runs", "*", "record.json"))
		var newest *runner.Record
		for _, f := range records {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var rec runner.Record
			if err := json.Unmarshal(b, &rec); err != nil {
				t.Fatal(err)
			}
			if newest == nil || rec.Started.After(newest.Started) {
				newest = &rec
			}
		}
		return newest
	}
	job := func(rec *runner.Record, id string) *runner.JobRecord {
		t.Helper()
		for _, j := range rec.Jobs {
			if j.ID == id {
				return j
			}
		}
		t.Fatalf("run %s has no job %s", rec.ID, id)
		return nil
	}

	full := mlcRun()
	for _, id := range []string{"dataset-credit", "code-trainer", "train-scorer", "evaluate-scorer", "model-scorer", "package-api", "deploy-production"} {
		if st := job(full, id).Status; st != runner.StatusSucceeded {
			t.Errorf("first run: %s %s, want succeeded", id, st)
		}
	}
	registered := job(full, "evaluate-scorer").Outputs["ref"]

	change := func(file, msg string) {
		t.Helper()
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, append(src, []byte("\n# "+msg+"\n")...), 0o644); err != nil {
			t.Fatal(err)
		}
		commitAll(t, wt, msg)
	}
	change(filepath.Join(spec, "service", "app.py"), "a change to the service only")

	service := mlcRun("--base", first.Hash().String())
	for _, id := range []string{"dataset-credit", "code-trainer", "train-scorer", "evaluate-scorer"} {
		if st := job(service, id).Status; st != runner.StatusSkipped {
			t.Errorf("service change: %s %s, want skipped", id, st)
		}
	}
	for _, id := range []string{"model-scorer", "package-api", "deploy-staging", "smoke-staging", "deploy-production", "smoke-production"} {
		if st := job(service, id).Status; st != runner.StatusSucceeded {
			t.Errorf("service change: %s %s (%s), want succeeded", id, st, job(service, id).Reason)
		}
	}
	if got := job(service, "model-scorer").Outputs["ref"]; got != registered {
		t.Errorf("service change deploys model %s, want the one production runs, %s", got, registered)
	}
	if a, b := job(full, "package-api").Outputs["ref"], job(service, "package-api").Outputs["ref"]; a == b || b == "" {
		t.Errorf("service change: app image %q, want a new one (was %q)", b, a)
	}

	// A change to the training code retrains, and deploys the new model.
	second, _ := repo.Head()
	change(filepath.Join(spec, "train", "train.py"), "a change to the trainer")
	retrain := mlcRun("--base", second.Hash().String())
	for _, id := range []string{"dataset-credit", "code-trainer", "train-scorer", "evaluate-scorer", "model-scorer", "package-api", "deploy-production"} {
		if st := job(retrain, id).Status; st != runner.StatusSucceeded {
			t.Errorf("trainer change: %s %s (%s), want succeeded", id, st, job(retrain, id).Reason)
		}
	}
	if got := job(retrain, "model-scorer").Outputs["ref"]; got != job(retrain, "evaluate-scorer").Outputs["ref"] {
		t.Errorf("trainer change deploys model %s, not the one it registered", got)
	}
}
