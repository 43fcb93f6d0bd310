package runner

import (
	"context"
	"fmt"
	"slices"

	"github.com/mlc-project/mlc/ir"
)

// approve decides a job's approval: given in advance with --approve ENV,
// else asked on the terminal. Without a terminal nobody can answer, so the
// job fails rather than waiting forever.
func (r *run) approve(ctx context.Context, j *ir.Job) error {
	env := j.Approval.Environment
	if slices.Contains(r.opts.Approve, env) {
		r.progress.note(j.ID, fmt.Sprintf("approved for %s by --approve %s", env, env))
		return nil
	}
	if r.opts.Prompt == nil {
		return fmt.Errorf("needs approval for %s and there is no terminal to ask: pass --approve %s", env, env)
	}
	// One question at a time; other jobs go on (and print) meanwhile.
	r.promptMu.Lock()
	defer r.promptMu.Unlock()
	type answer struct {
		yes bool
		err error
	}
	answered := make(chan answer, 1)
	go func() { // the read cannot be interrupted; Ctrl-C must not wait for it
		yes, err := r.opts.Prompt(fmt.Sprintf("%s: deploy to %s? [y/N] ", j.ID, env))
		answered <- answer{yes, err}
	}()
	var a answer
	select {
	case a = <-answered:
	case <-ctx.Done():
		return ctx.Err()
	}
	if a.err != nil {
		return fmt.Errorf("approval for %s: %w", env, a.err)
	}
	if !a.yes {
		return fmt.Errorf("approval for %s refused", env)
	}
	r.progress.note(j.ID, "approved for "+env+" on the terminal")
	return nil
}
