package runner

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mlc-project/mlc/ir"
)

func TestOutputsFeedInputsOfLaterJobs(t *testing.T) {
	a := script("a", `echo "ref=oci:x@sha256:abc" >> "$MLC_OUTPUT"`)
	a.Outputs = []ir.Output{{Name: "ref", Kind: ir.ArtifactDataset, FromStep: "run"}}
	b := script("b", `echo "$MLC_DATASET" > got; echo "$STEP_VALUE" >> got`, "a")
	b.Inputs = []ir.Input{{Name: "a-ref", Job: "a", Output: "ref", Env: "MLC_DATASET"}}
	b.Steps[0].Env = []ir.EnvVar{{Name: "STEP_VALUE", FromInput: "a-ref"}}
	h := newHarness(t, a, b)

	rec, err := h.run(context.Background(), h.options())
	if err != nil {
		t.Fatal(err)
	}
	if got := h.read("got"); got != "oci:x@sha256:abc\noci:x@sha256:abc" {
		t.Errorf("b saw %q", got)
	}
	if jr := job(t, rec, "b"); jr.Status != StatusSucceeded || jr.Inputs["MLC_DATASET"] != "oci:x@sha256:abc" {
		t.Errorf("b: %+v", jr)
	}
	saved := h.savedRecord(rec.ID)
	if saved.Status != StatusSucceeded || job(t, saved, "a").Outputs["ref"] != "oci:x@sha256:abc" {
		t.Errorf("saved record: %+v", saved)
	}
	if _, err := os.Stat(filepath.Join(h.dir, ".mlc", "runs", rec.ID, "b.log")); err != nil {
		t.Errorf("no log for b: %v", err)
	}
	if out := h.out.String(); !strings.Contains(out, "JOB") || !strings.Contains(out, "2 succeeded") {
		t.Errorf("no summary in the output:\n%s", out)
	}
}

// A step acts on what an earlier step of its job wrote, and fails when that
// step wrote nothing under the name.
func TestStepEnvFromAnEarlierStep(t *testing.T) {
	a := script("a", `echo "ref=r/app:tag" >> "$MLC_OUTPUT"; echo "ref=r/app@sha256:1" >> "$MLC_OUTPUT"`)
	a.Steps = append(a.Steps, ir.Step{ID: "use", Kind: ir.StepScript, Script: `echo "$BUILT" > got`,
		Env: []ir.EnvVar{{Name: "BUILT", FromStep: "run", Output: "ref"}}})
	h := newHarness(t, a)
	if _, err := h.run(context.Background(), h.options()); err != nil {
		t.Fatal(err)
	}
	if got := h.read("got"); got != "r/app@sha256:1" {
		t.Errorf("the later step saw %q, want the last ref the earlier one wrote", got)
	}

	a.Steps[1].Env[0].Output = "digest"
	h = newHarness(t, a)
	rec, err := h.run(context.Background(), h.options())
	if jr := job(t, rec, "a"); !errors.Is(err, ErrFailed) || !strings.Contains(jr.Reason, `step run wrote no "digest"`) {
		t.Errorf("a missing step output: %v, %q", err, jr.Reason)
	}
}

func TestFailingStepStopsDependantsWhileIndependentJobsFinish(t *testing.T) {
	h := newHarness(t,
		script("broken", "echo about to fail; exit 3"),
		script("after-broken", "touch must-not-exist", "broken"),
		script("independent", "sleep 0.3; touch independent-done"),
	)
	rec, err := h.run(context.Background(), h.options())
	if !errors.Is(err, ErrFailed) {
		t.Fatalf("err = %v, want ErrFailed", err)
	}
	if jr := job(t, rec, "broken"); jr.Status != StatusFailed || !strings.Contains(jr.Reason, "exit status 3") {
		t.Errorf("broken: %s %q", jr.Status, jr.Reason)
	}
	if jr := job(t, rec, "after-broken"); jr.Status != StatusSkipped || !strings.Contains(jr.Reason, "broken") {
		t.Errorf("after-broken: %s %q", jr.Status, jr.Reason)
	}
	if _, err := os.Stat(filepath.Join(h.dir, "must-not-exist")); err == nil {
		t.Error("a dependant of a failed job ran")
	}
	if jr := job(t, rec, "independent"); jr.Status != StatusSucceeded {
		t.Errorf("independent: %s %q", jr.Status, jr.Reason)
	}
	log, _ := os.ReadFile(filepath.Join(h.dir, ".mlc", "runs", rec.ID, "broken.log"))
	if !strings.Contains(string(log), "about to fail") {
		t.Errorf("broken.log lacks the step's output:\n%s", log)
	}
}

func TestStepHangingPastTimeoutFailsItsJob(t *testing.T) {
	hang := script("hang", "echo $$ > hang.pid; sleep 30")
	hang.Timeout = 300 * time.Millisecond
	h := newHarness(t, hang, script("after-hang", "touch must-not-exist", "hang"), script("independent", "touch independent-done"))

	rec, err := h.run(context.Background(), h.options())
	if !errors.Is(err, ErrFailed) {
		t.Fatalf("err = %v, want ErrFailed", err)
	}
	if jr := job(t, rec, "hang"); jr.Status != StatusFailed || !strings.Contains(jr.Reason, "timed out") {
		t.Errorf("hang: %s %q", jr.Status, jr.Reason)
	}
	if jr := job(t, rec, "after-hang"); jr.Status != StatusSkipped {
		t.Errorf("after-hang: %s", jr.Status)
	}
	if jr := job(t, rec, "independent"); jr.Status != StatusSucceeded {
		t.Errorf("independent: %s", jr.Status)
	}
	assertGone(t, h, "hang.pid")
}

func TestInterruptKillsEveryProcessGroupAndKeepsTheRecord(t *testing.T) {
	// Each job leaves a background child behind its shell, and the shell
	// ignores SIGTERM: only the group kill after the grace period stops it.
	sleeper := func(id string) *ir.Job {
		return script(id, `trap '' TERM; sleep 60 & echo $! > `+id+`.child; echo $$ > `+id+`.pid; wait`)
	}
	h := newHarness(t, sleeper("one"), sleeper("two"), script("later", "touch must-not-exist", "one"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var rec *Record
	var err error
	go func() {
		rec, err = h.run(ctx, h.options())
		close(done)
	}()
	for _, f := range []string{"one.pid", "one.child", "two.pid", "two.child"} {
		h.waitFor(f)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the run did not stop after the interrupt")
	}
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("err = %v, want ErrInterrupted", err)
	}
	for _, f := range []string{"one.pid", "one.child", "two.pid", "two.child"} {
		assertGone(t, h, f)
	}
	saved := h.savedRecord(rec.ID)
	if saved.Status != StatusCancelled {
		t.Errorf("record status %s, want cancelled", saved.Status)
	}
	for _, id := range []string{"one", "two", "later"} {
		if st := job(t, saved, id).Status; st != StatusCancelled {
			t.Errorf("%s: %s, want cancelled", id, st)
		}
	}
	if _, err := os.Stat(filepath.Join(h.dir, "must-not-exist")); err == nil {
		t.Error("a job started after the interrupt")
	}
}

// assertGone fails unless the process whose PID the file holds has exited
// (a zombie waiting for init to reap it counts as exited).
func assertGone(t *testing.T, h *harness, pidFile string) {
	t.Helper()
	pid, err := strconv.Atoi(h.read(pidFile))
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if syscall.Kill(pid, 0) != nil {
			return
		}
		if stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); err == nil && zombie(string(stat)) {
			return
		}
	}
	t.Errorf("process %d (%s) outlived the run", pid, pidFile)
}

// zombie reads the state field of /proc/PID/stat, after the command name.
func zombie(stat string) bool {
	i := strings.LastIndexByte(stat, ')')
	return i >= 0 && strings.HasPrefix(stat[i+1:], " Z")
}

func TestResumeReusesUnchangedSucceededJobs(t *testing.T) {
	// a counts its runs; b fails until the file state/fixed exists. The counts
	// live in a subdirectory: files next to a script are part of its job's
	// input digest, subdirectories are not.
	a := script("a", `mkdir -p state; echo x >> state/a.count; echo "ref=done" >> "$MLC_OUTPUT"`)
	a.Outputs = []ir.Output{{Name: "ref", Kind: ir.ArtifactValue, FromStep: "run"}}
	b := script("b", `test -f state/fixed`, "a")
	h := newHarness(t, a, b)

	first, err := h.run(context.Background(), h.options())
	if !errors.Is(err, ErrFailed) {
		t.Fatalf("first run: %v, want ErrFailed", err)
	}
	if err := os.WriteFile(filepath.Join(h.dir, "state", "fixed"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	opts := h.options()
	opts.Resume = first.ID
	second, err := h.run(context.Background(), opts)
	if err != nil {
		t.Fatalf("resumed run: %v", err)
	}
	if second.ID != first.ID {
		t.Errorf("resumed run has ID %s, want %s", second.ID, first.ID)
	}
	if st := job(t, second, "a").Status; st != StatusReused {
		t.Errorf("a: %s, want reused", st)
	}
	if job(t, second, "a").Outputs["ref"] != "done" {
		t.Error("a reused job lost its outputs")
	}
	if st := job(t, second, "b").Status; st != StatusSucceeded {
		t.Errorf("b: %s, want succeeded", st)
	}
	if got := h.read("state/a.count"); got != "x" {
		t.Errorf("a ran %d times, want once", strings.Count(got, "x"))
	}

	// Changing a's definition changes its input digest: it runs again.
	a.Steps[0].Script += "; true"
	opts.Resume = second.ID
	if _, err := h.run(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if got := h.read("state/a.count"); strings.Count(got, "x") != 2 {
		t.Errorf("a ran %d times after its script changed, want 2", strings.Count(got, "x"))
	}
}

func TestApproval(t *testing.T) {
	deploy := func() *ir.Job {
		j := script("deploy-production", "touch deployed")
		j.Approval = &ir.Approval{Environment: "production", Required: 1}
		return j
	}
	t.Run("no terminal and no --approve fails", func(t *testing.T) {
		h := newHarness(t, deploy())
		rec, err := h.run(context.Background(), h.options())
		if !errors.Is(err, ErrFailed) {
			t.Fatalf("err = %v", err)
		}
		if jr := job(t, rec, "deploy-production"); !strings.Contains(jr.Reason, "--approve production") {
			t.Errorf("reason %q does not say how to approve", jr.Reason)
		}
		if _, err := os.Stat(filepath.Join(h.dir, "deployed")); err == nil {
			t.Error("deployed without approval")
		}
	})
	t.Run("--approve ENV", func(t *testing.T) {
		h := newHarness(t, deploy())
		opts := h.options()
		opts.Approve = []string{"production"}
		if _, err := h.run(context.Background(), opts); err != nil {
			t.Fatal(err)
		}
		h.read("deployed")
	})
	t.Run("terminal answers", func(t *testing.T) {
		for answer, want := range map[bool]Status{true: StatusSucceeded, false: StatusFailed} {
			h := newHarness(t, deploy())
			opts := h.options()
			var asked string
			opts.Prompt = func(q string) (bool, error) { asked = q; return answer, nil }
			rec, _ := h.run(context.Background(), opts)
			if st := job(t, rec, "deploy-production").Status; st != want {
				t.Errorf("answer %v: %s, want %s", answer, st, want)
			}
			if !strings.Contains(asked, "production") {
				t.Errorf("question %q does not name the environment", asked)
			}
		}
	})
}

func TestInterruptDuringAnApprovalPrompt(t *testing.T) {
	j := script("deploy-production", "touch deployed")
	j.Approval = &ir.Approval{Environment: "production", Required: 1}
	h := newHarness(t, j)
	opts := h.options()
	asked := make(chan struct{})
	opts.Prompt = func(string) (bool, error) {
		close(asked)
		select {} // nobody answers
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-asked; cancel() }()
	rec, err := h.run(ctx, opts)
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("err = %v, want ErrInterrupted", err)
	}
	if st := job(t, rec, "deploy-production").Status; st != StatusCancelled {
		t.Errorf("deploy-production: %s, want cancelled", st)
	}
}

func TestMissingSecretIsAnErrorBeforeAnythingRuns(t *testing.T) {
	a := script("a", "touch ran")
	a.Steps[0].Secrets = []string{"DEPLOY_TOKEN"}
	a.Secrets = a.Steps[0].Secrets
	h := newHarness(t, a)
	_, err := h.run(context.Background(), h.options())
	if err == nil || !strings.Contains(err.Error(), "DEPLOY_TOKEN (job a)") {
		t.Fatalf("err = %v, want one naming DEPLOY_TOKEN and its job", err)
	}
	if _, err := os.Stat(filepath.Join(h.dir, "ran")); err == nil {
		t.Error("a job ran although a secret was missing")
	}
	if _, err := os.Stat(filepath.Join(h.dir, ".mlc", "runs")); err == nil {
		t.Error("a refused run left a run directory")
	}
}

func TestStepsGetACleanDeclaredEnvironment(t *testing.T) {
	withSecret := script("with-secret", "env > with-secret.env")
	withSecret.Env = []ir.EnvVar{{Name: "MLC_REGISTRY", Value: "ghcr.io/acme/ml"}, {Name: "THRESHOLD", Value: "0.8"}}
	withSecret.Steps[0].Secrets = []string{"API_TOKEN"}
	withSecret.Secrets = []string{"API_TOKEN"}
	h := newHarness(t, withSecret, script("without", "env > without.env"))
	h.host["API_TOKEN"] = "s3cret"
	h.host["HOST_ONLY"] = "leak"
	if _, err := h.run(context.Background(), h.options()); err != nil {
		t.Fatal(err)
	}
	env := h.read("with-secret.env")
	for _, want := range []string{"THRESHOLD=0.8", "API_TOKEN=s3cret", "MLC_REGISTRY=oci:.mlc/store", "PATH=", "MLC_REVISION=", "MLC_OUTPUT="} {
		if !strings.Contains(env, want) {
			t.Errorf("step env lacks %s:\n%s", want, env)
		}
	}
	if strings.Contains(env, "HOST_ONLY") {
		t.Error("the host's environment leaked into a step")
	}
	if strings.Contains(h.read("without.env"), "API_TOKEN") {
		t.Error("a step that does not declare the secret got it")
	}
}

func TestMLCStepsRunArgvWithoutAShell(t *testing.T) {
	j := &ir.Job{ID: "push", Steps: []ir.Step{{ID: "push", Kind: ir.StepMLC,
		Args: []string{"push", "dataset", "a dir; rm -rf /", "${MLC_REGISTRY}/t-dataset:${MLC_REVISION}"}}}}
	h := newHarness(t, j)
	rec, err := h.run(context.Background(), h.options())
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{"push", "dataset", "a dir; rm -rf /", "oci:.mlc/store/t-dataset:" + rec.Revision}, "\n")
	if got := h.read("argv"); got != want {
		t.Errorf("argv:\n%s\nwant:\n%s", got, want)
	}
}

func TestUnsetReferenceInAnArgumentFailsTheStep(t *testing.T) {
	j := &ir.Job{ID: "a", Steps: []ir.Step{{ID: "s", Kind: ir.StepMLC, Args: []string{"pull", "${MLC_NOWHERE}"}}}}
	h := newHarness(t, j)
	rec, _ := h.run(context.Background(), h.options())
	if jr := job(t, rec, "a"); jr.Status != StatusFailed || !strings.Contains(jr.Reason, "MLC_NOWHERE") {
		t.Errorf("a: %s %q", jr.Status, jr.Reason)
	}
}

func TestConditions(t *testing.T) {
	check := script("drift", `echo drift=true >> "$MLC_OUTPUT"`)
	check.Outputs = []ir.Output{{Name: "drift", Kind: ir.ArtifactValue, FromStep: "run"}}
	onDrift := script("retrain", "touch retrained", "drift")
	onDrift.Condition.WhenOutput = &ir.OutputEquals{Job: "drift", Output: "drift", Equals: "true"}
	onCalm := script("relax", "touch relaxed", "drift")
	onCalm.Condition.WhenOutput = &ir.OutputEquals{Job: "drift", Output: "drift", Equals: "false"}
	h := newHarness(t, check, onDrift, onCalm)

	rec, err := h.run(context.Background(), h.options())
	if err != nil {
		t.Fatal(err)
	}
	h.read("retrained")
	if jr := job(t, rec, "relax"); jr.Status != StatusSkipped || !strings.Contains(jr.Reason, `"true"`) {
		t.Errorf("relax: %s %q", jr.Status, jr.Reason)
	}
}

// TestDespiteSkippedNeeds: a job that runs despite skipped needs runs
// after one skipped by its condition (and its dependants skipped with
// it), never after a failure upstream of a skipped need.
func TestDespiteSkippedNeeds(t *testing.T) {
	changes := script("changes", `echo model=false >> "$MLC_OUTPUT"`)
	changes.Outputs = []ir.Output{outputFrom("run", "model")}
	train := script("train", "touch trained", "changes")
	train.Condition.WhenOutput = &ir.OutputEquals{Job: "changes", Output: "model", Equals: "true"}
	evaluate := script("evaluate", "touch evaluated", "train")
	pick := script("pick", "touch picked", "evaluate")
	pick.Condition.DespiteSkipped = true
	h := newHarness(t, changes, train, evaluate, pick)
	rec, err := h.run(context.Background(), h.options())
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]Status{"train": StatusSkipped, "evaluate": StatusSkipped, "pick": StatusSucceeded} {
		if jr := job(t, rec, id); jr.Status != want {
			t.Errorf("%s: %s (%s), want %s", id, jr.Status, jr.Reason, want)
		}
	}

	broken := script("train", "exit 1")
	h = newHarness(t, broken, script("evaluate", "touch evaluated", "train"), pick)
	rec, _ = h.run(context.Background(), h.options())
	if jr := job(t, rec, "pick"); jr.Status != StatusSkipped {
		t.Errorf("pick after a failed train: %s, want skipped", jr.Status)
	}
}

func TestJobsForOtherBranchesAreSkipped(t *testing.T) {
	release := script("release", "touch released")
	release.Condition.OnlyBranches = []string{"release"}
	h := newHarness(t, release) // not a git checkout: on no branch
	rec, err := h.run(context.Background(), h.options())
	if err != nil {
		t.Fatal(err)
	}
	if jr := job(t, rec, "release"); jr.Status != StatusSkipped || !strings.Contains(jr.Reason, "runs only on branch release") {
		t.Errorf("release: %s %q", jr.Status, jr.Reason)
	}
}

func TestJobsBoundsParallelism(t *testing.T) {
	// Each job fails if it finds another one running.
	body := `if ! mkdir running 2>/dev/null; then echo overlap >> overlaps; fi; sleep 0.2; rmdir running`
	h := newHarness(t, script("a", body), script("b", body), script("c", body))
	opts := h.options()
	opts.Jobs = 1
	if _, err := h.run(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(h.dir, "overlaps")); err == nil {
		t.Error("jobs overlapped with --jobs 1")
	}
}

func TestRetriesRunTheJobAgain(t *testing.T) {
	flaky := script("flaky", `echo x >> tries; test "$(wc -l < tries)" -ge 2`)
	flaky.Retries = 2
	h := newHarness(t, flaky)
	rec, err := h.run(context.Background(), h.options())
	if err != nil {
		t.Fatal(err)
	}
	if jr := job(t, rec, "flaky"); jr.Attempts != 2 {
		t.Errorf("attempts %d, want 2", jr.Attempts)
	}
}

func TestRefusedOptions(t *testing.T) {
	h := newHarness(t, script("a", "true"))
	h.p.Workflows = append(h.p.Workflows, &ir.Workflow{Name: "t-monitor", Jobs: []*ir.Job{script("m", "true")}})
	first, err := h.run(context.Background(), h.options())
	if err != nil {
		t.Fatal(err)
	}
	t.Run("resume without a workflow takes the run's", func(t *testing.T) {
		opts := h.options()
		opts.Workflow = "monitor"
		monitor, err := h.run(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		opts = h.options()
		opts.Resume = monitor.ID
		rec, err := Run(context.Background(), opts)
		if err != nil || rec.Workflow != "t-monitor" {
			t.Errorf("resumed %v (%v), want t-monitor", rec, err)
		}
	})
	for name, tc := range map[string]struct {
		change func(*Options)
		want   string
	}{
		"unknown workflow":         {func(o *Options) { o.Workflow = "nightly" }, "choose one of delivery, monitor"},
		"unknown run":              {func(o *Options) { o.Resume = "no-such-run" }, `no run "no-such-run"`},
		"another workflow's run":   {func(o *Options) { o.Resume, o.Workflow = first.ID, "monitor" }, "pass --workflow delivery"},
		"offline without fixtures": {func(o *Options) { o.Offline = true }, "--offline needs --fixtures"},
	} {
		t.Run(name, func(t *testing.T) {
			opts := h.options()
			tc.change(&opts)
			if _, err := Run(context.Background(), opts); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestResumeRerunsAJobWhoseArtifactIsGone(t *testing.T) {
	const hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	blob := filepath.Join(".mlc", "store", "t-model", "blobs", "sha256", hex)
	push := script("push", `mkdir -p "$(dirname `+blob+`)"; touch `+blob+`; echo x >> .mlc/pushes; echo "ref=oci:.mlc/store/t-model@sha256:`+hex+`" >> "$MLC_OUTPUT"`)
	push.Outputs = []ir.Output{{Name: "ref", Kind: ir.ArtifactModel, FromStep: "run"}}
	h := newHarness(t, push)
	first, err := h.run(context.Background(), h.options())
	if err != nil {
		t.Fatal(err)
	}
	opts := h.options()
	opts.Resume = first.ID
	if rec, _ := h.run(context.Background(), opts); job(t, rec, "push").Status != StatusReused {
		t.Fatalf("push: %s, want reused while its artifact is in the store", job(t, rec, "push").Status)
	}
	if err := os.Remove(filepath.Join(h.dir, blob)); err != nil {
		t.Fatal(err)
	}
	if rec, _ := h.run(context.Background(), opts); job(t, rec, "push").Status != StatusSucceeded {
		t.Errorf("push: %s, want run again once its artifact left the store", job(t, rec, "push").Status)
	}
	if got := strings.Count(h.read(".mlc/pushes"), "x"); got != 2 {
		t.Errorf("pushed %d times, want 2", got)
	}
}

func TestOneRunAtATimePerSpecDirectory(t *testing.T) {
	h := newHarness(t, script("slow", "echo x > started; sleep 2"))
	done := make(chan error)
	go func() {
		_, err := Run(context.Background(), h.options())
		done <- err
	}()
	h.waitFor("started")
	_, err := Run(context.Background(), h.options())
	if err == nil || !strings.Contains(err.Error(), "another mlc run") {
		t.Errorf("second run: %v, want a refusal", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), h.options()); err != nil {
		t.Errorf("a run after the first finished: %v", err)
	}
}

func TestTriggerStartsItsWorkflowOnceTheRunEnds(t *testing.T) {
	for _, noChain := range []bool{false, true} {
		// The retraining it starts has no base, so it runs every stage.
		h := newHarness(t, script("train", `echo "trained, base [$MLC_BASE]" >> trained.log`))
		monitor := &ir.Workflow{Name: "t-monitor", Jobs: []*ir.Job{
			{ID: "retrain", Name: "retrain", Steps: []ir.Step{{ID: "trigger", Kind: ir.StepTrigger, Triggers: []string{"t-delivery"}}}},
		}}
		h.p.Workflows = append(h.p.Workflows, monitor)
		opts := h.options()
		opts.Workflow, opts.NoChain, opts.Base = "monitor", noChain, "abc1234"
		rec, err := h.run(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		_, statErr := os.Stat(filepath.Join(h.dir, "trained.log"))
		if noChain {
			if statErr == nil || len(rec.Triggered) != 0 || !strings.Contains(h.out.String(), "not chained here") {
				t.Errorf("--no-chain: the delivery ran (%v) or was recorded (%v)", statErr, rec.Triggered)
			}
			continue
		}
		if statErr != nil || !slices.Equal(rec.Triggered, []string{"t-delivery"}) {
			t.Fatalf("the triggered delivery did not run: %v, triggered %v", statErr, rec.Triggered)
		}
		if got := h.read("trained.log"); got != "trained, base []" {
			t.Errorf("the triggered delivery ran with %q, want no base", got)
		}
		if !strings.Contains(h.out.String(), "chain: t-monitor run "+rec.ID+" succeeded → t-delivery run ") {
			t.Errorf("the summary does not show both runs:\n%s", h.out.String())
		}
		entries, _ := os.ReadDir(filepath.Join(h.dir, ".mlc", "runs"))
		var chained *Record
		for _, e := range entries {
			if r := h.savedRecord(e.Name()); r.ChainedFrom == rec.ID {
				chained = r
			}
		}
		if chained == nil || chained.Workflow != "t-delivery" || chained.Status != StatusSucceeded {
			t.Errorf("no succeeded delivery record chained from %s: %+v", rec.ID, chained)
		}
	}
}

// TestSplitDeliveryRunsEachWorkflow: "delivery" of a split spec is each
// of its delivery workflows, in order; a failure in one fails the run
// after the others ran. "batch" is each batch workflow the same way, and
// a full name runs that workflow alone.
func TestSplitDeliveryRunsEachWorkflow(t *testing.T) {
	h := newHarness(t)
	h.p.Workflows = []*ir.Workflow{
		{Name: "t-batch-a", Kind: ir.WorkflowBatch, Jobs: []*ir.Job{script("score-a", `echo score-a >> scored.log`)}},
		{Name: "t-batch-b", Kind: ir.WorkflowBatch, Jobs: []*ir.Job{script("score-b", `echo score-b >> scored.log`)}},
		{Name: "t-delivery-a", Kind: ir.WorkflowDelivery, Jobs: []*ir.Job{script("train-a", `echo a >> trained.log; exit 1`)}},
		{Name: "t-delivery-b", Kind: ir.WorkflowDelivery, Jobs: []*ir.Job{script("train-b", `echo b >> trained.log`)}},
		{Name: "t-monitor", Kind: ir.WorkflowMonitor, Jobs: []*ir.Job{script("drift", `echo drift >> trained.log`)}},
	}
	rec, err := h.run(context.Background(), h.options())
	if !errors.Is(err, ErrFailed) || rec == nil || rec.Workflow != "t-delivery-a" {
		t.Fatalf("run: %v (record %+v), want delivery-a's failure", err, rec)
	}
	if got := h.read("trained.log"); got != "a\nb" {
		t.Errorf("ran %q, want delivery-a then delivery-b", got)
	}
	if !strings.Contains(h.out.String(), "== delivery 2 of 2: t-delivery-b") {
		t.Errorf("the output does not announce the second delivery:\n%s", h.out.String())
	}
	opts := h.options()
	opts.Workflow = "batch"
	if _, err := h.run(context.Background(), opts); err != nil {
		t.Fatalf("batch: %v", err)
	}
	if got := h.read("scored.log"); got != "score-a\nscore-b" {
		t.Errorf("batch ran %q, want batch-a then batch-b", got)
	}
	if !strings.Contains(h.out.String(), "== batch 2 of 2: t-batch-b") {
		t.Errorf("the output does not announce the second batch:\n%s", h.out.String())
	}
	opts.Workflow = "batch-b"
	if _, err := h.run(context.Background(), opts); err != nil {
		t.Fatalf("batch-b: %v", err)
	}
	if got := h.read("scored.log"); got != "score-a\nscore-b\nscore-b" {
		t.Errorf("batch-b ran %q, want batch-b alone", got)
	}
}
