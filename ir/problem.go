package ir

import (
	"errors"
	"slices"
)

// Where is a part of a compiled pipeline: one of its jobs (Workflow and
// Job), one of a workflow's schedules (Workflow and Schedule), a field of
// a workflow (Workflow and Field, e.g. "OnFailure" for its alert steps)
// or of the pipeline (Field alone, e.g. "Registry"). The compiler knows
// the spec position each part was expanded from.
type Where struct {
	Workflow string
	Job      string
	Schedule string
	Field    string
}

// Problem is something an engine cannot express, found by its
// Engine.Check before anything is rendered: where it is, and a message
// that names the engine and stands on its own. The compiler reports it at
// the spec position of that part; Render refuses it without one.
type Problem struct {
	Where
	Msg string
}

func (p Problem) Error() string { return p.Msg }

// Verify is what Render runs first: the engine's Check, every problem as
// one error, unless the compiler already ran it on p and it found nothing
// (p.Checked): a large pipeline is not walked twice.
func (e Engine) Verify(p *Pipeline) error {
	if e.Check == nil || slices.Contains(p.Checked, e.Name) {
		return nil
	}
	return Refuse(e.Check(p))
}

// Refuse is the error for problems a check found, every one, or nil when
// there are none.
func Refuse(ps []Problem) error {
	errs := make([]error, len(ps))
	for i, p := range ps {
		errs[i] = p
	}
	return errors.Join(errs...)
}
