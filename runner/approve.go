package runner

import (
	"fmt"
	"slices"

	"github.com/mlc-project/mlc/ir"
)

// approve decides a job's approval: given in advance with --approve ENV,
// else asked on the terminal. Without a terminal nobody can answer, so the
// job fails rather than waiting forever.
func (r *run) approve(j *ir.Job) error {
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
	ok, err := r.opts.Prompt(fmt.Sprintf("%s: deploy to %s? [y/N] ", j.ID, env))
	if err != nil {
		return fmt.Errorf("approval for %s: %w", env, err)
	}
	if !ok {
		return fmt.Errorf("approval for %s refused", env)
	}
	r.progress.note(j.ID, "approved for "+env+" on the terminal")
	return nil
}
