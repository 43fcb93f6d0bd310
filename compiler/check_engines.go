package compiler

import (
	"strings"

	"github.com/mlc-project/mlc/ir"
)

// checkEngines: what a target refuses in the compiled pipeline, which only
// its renderer can see (ir.Engine.Check: names derived from job IDs, a
// registry its jobs cannot share), is reported at the spec position the
// refused part was expanded from, every problem of every engine compiled
// for. It runs on the final IR, once the graph checks passed.
func checkEngines(p *ir.Pipeline, b *builder) Errors {
	var errs Errors
	for _, e := range b.spec.src.engines {
		if e.Check == nil {
			continue
		}
		problems := e.Check(p)
		for _, pr := range problems {
			path := b.originOf(pr.Where)
			errs = append(errs, &Error{Pos: b.spec.pos(path...), Path: strings.Join(path, "."), Msg: pr.Msg})
		}
		if len(problems) == 0 {
			p.Checked = append(p.Checked, e.Name) // Render need not check again
		}
	}
	return errs
}

// pipelineOrigin is the spec path of each ir.Pipeline field the spec sets.
var pipelineOrigin = map[string][]string{
	"Name":       {"name"},
	"Registry":   {"registry"},
	"Repository": {"repository"},
	"MLCImage":   {"mlc", "image"},
	"Helpers":    {"mlc", "helpers"},
	"MLCInstall": {"mlc", "install"},
	"Runners":    {"runners"},
}

// originOf is the spec path a part of the pipeline was expanded from: a
// job's and a schedule's as the builder recorded them, a workflow's alert
// steps from alert, the rest of a workflow from the pipeline's name (which
// names it), a pipeline field from that field; nil when the spec has none
// (the spec's directory, mlc's version).
func (b *builder) originOf(w ir.Where) []string {
	switch {
	case w.Job != "":
		return b.origin[w.Job]
	case w.Schedule != "":
		return b.schedules[w.Workflow+"/"+w.Schedule]
	case w.Workflow != "" && w.Field == "OnFailure":
		return []string{"alert"}
	case w.Workflow != "":
		return []string{"name"}
	}
	return pipelineOrigin[w.Field]
}
