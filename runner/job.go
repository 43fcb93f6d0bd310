package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/mlc-project/mlc/gitops"
	"github.com/mlc-project/mlc/ir"
)

// interrupted is the reason recorded for jobs the run's end cut short.
const interrupted = "run interrupted"

// runJob waits for the job's needs, then runs it, reuses an earlier
// result, or records why it did not run.
func (r *run) runJob(ctx context.Context, j *ir.Job) {
	for _, n := range j.Needs {
		<-r.done[n] // every job closes its channel, whatever its outcome
	}
	for _, n := range j.Needs {
		if st := r.journal.job(n).Status; !st.ok() && !(j.Condition.DespiteSkipped && st == StatusSkipped && !r.failedUpstream(n)) {
			if st == StatusCancelled || ctx.Err() != nil {
				r.settle(j.ID, StatusCancelled, interrupted)
			} else {
				r.settle(j.ID, StatusSkipped, fmt.Sprintf("needs %s (%s)", n, st))
			}
			return
		}
	}
	if ctx.Err() != nil {
		r.settle(j.ID, StatusCancelled, interrupted)
		return
	}
	if reason, ok := r.condition(j); !ok {
		r.settle(j.ID, StatusSkipped, reason)
		return
	}
	inputs, err := r.inputs(j)
	if err != nil {
		r.settle(j.ID, StatusFailed, err.Error())
		return
	}
	digest, err := r.inputDigest(j, inputs)
	if err != nil {
		r.settle(j.ID, StatusFailed, err.Error())
		return
	}
	if prev, ok := r.reusable(j, digest); ok {
		r.reuse(j.ID, prev)
		return
	}
	if j.Approval != nil {
		if err := r.approve(ctx, j); err != nil {
			if ctx.Err() != nil {
				r.settle(j.ID, StatusCancelled, interrupted)
			} else {
				r.settle(j.ID, StatusFailed, err.Error())
			}
			return
		}
	}
	select {
	case r.slots <- struct{}{}:
		defer func() { <-r.slots }()
	case <-ctx.Done():
		r.settle(j.ID, StatusCancelled, interrupted)
		return
	}
	r.execute(ctx, j, inputs, digest)
}

// failedUpstream reports whether job id, or a job it (transitively)
// needs, failed: a job skipped for that reason stops even a job that runs
// despite skipped needs, as GitHub's failure() does.
func (r *run) failedUpstream(id string) bool {
	needs := map[string][]string{}
	for _, j := range r.wf.Jobs {
		needs[j.ID] = j.Needs
	}
	seen := map[string]bool{}
	for todo := []string{id}; len(todo) > 0; {
		n := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if seen[n] {
			continue // a job reached twice is walked once
		}
		seen[n] = true
		if r.journal.job(n).Status == StatusFailed {
			return true
		}
		todo = append(todo, needs[n]...)
	}
	return false
}

// condition evaluates the job's run condition for a local run, which is
// like a manual start on the current branch.
func (r *run) condition(j *ir.Job) (string, bool) {
	c := j.Condition
	if len(c.OnlyBranches) > 0 {
		if _, b := gitops.Head(r.specDir); !slices.Contains(c.OnlyBranches, b) {
			return fmt.Sprintf("runs only on branch %s (this is %q)", strings.Join(c.OnlyBranches, ", "), b), false
		}
	}
	if w := c.WhenOutput; w != nil {
		got := r.journal.job(w.Job).Outputs[w.Output]
		if got != w.Equals {
			return fmt.Sprintf("runs when %s.%s is %q (it is %q)", w.Job, w.Output, w.Equals, got), false
		}
	}
	return "", true
}

// inputs are the values of the job's inputs, by Input.Name, taken from the
// outputs its needs recorded.
func (r *run) inputs(j *ir.Job) (map[string]string, error) {
	vals := map[string]string{}
	for _, in := range j.Inputs {
		v, ok := r.journal.job(in.Job).Outputs[in.Output]
		if !ok || v == "" {
			return nil, fmt.Errorf("input %s: job %s wrote no output %q to $MLC_OUTPUT", in.Env, in.Job, in.Output)
		}
		vals[in.Name] = v
	}
	return vals, nil
}

// settle records a job that ends without running (or after running).
func (r *run) settle(id string, st Status, reason string) {
	_ = r.journal.update(func(*Record) {
		jr := r.journal.jobs[id]
		jr.Status, jr.Reason = st, reason
	})
	r.progress.finished(r.journal.job(id))
}

// execute runs the job's steps, retrying the whole job up to Retries times.
func (r *run) execute(ctx context.Context, j *ir.Job, inputs map[string]string, digest string) {
	logPath := filepath.Join(r.dir, j.ID+".log")
	_ = r.journal.update(func(*Record) {
		jr := r.journal.jobs[j.ID]
		jr.Status, jr.Started, jr.Reason = StatusRunning, time.Now().UTC(), ""
		jr.Log, jr.InputDigest = j.ID+".log", digest
		jr.Inputs = map[string]string{}
		for _, in := range j.Inputs {
			jr.Inputs[in.Env] = inputs[in.Name]
		}
	})
	r.progress.started(j)
	start := time.Now()
	// Appended to, so a resumed run keeps the log of the attempt it repeats.
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		r.settle(j.ID, StatusFailed, err.Error())
		return
	}
	defer log.Close()
	fmt.Fprintf(log, "==== %s %s, run %s\n", j.ID, time.Now().UTC().Format(time.RFC3339), r.journal.rec.ID)

	var res attempt
	for n := 1; n <= 1+j.Retries; n++ {
		if n > 1 {
			fmt.Fprintf(log, "\n==== attempt %d of %d ====\n", n, 1+j.Retries)
			r.progress.note(j.ID, fmt.Sprintf("retrying (attempt %d of %d)", n, 1+j.Retries))
		}
		res = r.attempt(ctx, j, inputs, log)
		_ = r.journal.update(func(*Record) { r.journal.jobs[j.ID].Attempts = n })
		if res.status != StatusFailed || ctx.Err() != nil {
			break
		}
	}
	_ = r.journal.update(func(*Record) {
		jr := r.journal.jobs[j.ID]
		jr.Status, jr.Reason, jr.Steps, jr.Outputs = res.status, res.reason, res.steps, res.outputs
		jr.Seconds = time.Since(start).Seconds()
	})
	r.progress.finished(r.journal.job(j.ID))
}

// attempt is the outcome of one try at a job.
type attempt struct {
	status  Status
	reason  string
	steps   []StepRecord
	outputs map[string]string
}

// attempt runs the job's steps once, under its timeout.
func (r *run) attempt(ctx context.Context, j *ir.Job, inputs map[string]string, log *os.File) attempt {
	jobCtx := ctx
	if j.Timeout > 0 {
		var cancel context.CancelFunc
		jobCtx, cancel = context.WithTimeout(ctx, j.Timeout)
		defer cancel()
	}
	res := attempt{status: StatusSucceeded, outputs: map[string]string{}}
	stepOutputs := map[string]map[string]string{}
	for _, st := range j.Steps {
		started := time.Now()
		out, err := r.step(jobCtx, j, st, values{inputs, stepOutputs}, log)
		sr := StepRecord{ID: st.ID, Kind: string(st.Kind), Status: StatusSucceeded, ExitCode: out.code, Seconds: time.Since(started).Seconds()}
		stepOutputs[st.ID] = out.outputs
		switch {
		case ctx.Err() != nil:
			sr.Status, res.status, res.reason = StatusCancelled, StatusCancelled, interrupted
		case errors.Is(jobCtx.Err(), context.DeadlineExceeded):
			sr.Status, res.status = StatusFailed, StatusFailed
			res.reason = fmt.Sprintf("step %s: timed out (job timeout %s)", st.ID, j.Timeout)
		case err != nil:
			sr.Status, res.status = StatusFailed, StatusFailed
			res.reason = fmt.Sprintf("step %s: %v", st.ID, err)
		}
		res.steps = append(res.steps, sr)
		r.progress.step(j.ID, sr, out.headline)
		if res.status != StatusSucceeded {
			return res
		}
	}
	for _, o := range j.Outputs {
		if v, ok := stepOutputs[o.FromStep][o.Name]; ok {
			res.outputs[o.Name] = v
		} else {
			res.status = StatusFailed
			res.reason = fmt.Sprintf("step %s wrote no %q to $MLC_OUTPUT", o.FromStep, o.Name)
		}
	}
	return res
}
