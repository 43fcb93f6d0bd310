package compiler

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mlc-project/mlc/ir"
)

// checkScheduleNames: an engine that names an object after a workflow and
// its schedule (a Kubernetes CronJob, at most 52 characters) can name
// every schedule. A split spec's schedule names one object per delivery:
// it is reported once, with the longest name.
func checkScheduleNames(p *ir.Pipeline, b *builder) Errors {
	var errs Errors
	reported := map[string]*Error{} // spec path → its error
	longest := map[string]int{}     // spec path → the length of its name
	for _, w := range p.Workflows {
		for _, s := range w.Triggers.Schedules {
			name := w.Name + "-" + s.Name
			var refuse []string
			limit := 0
			for _, e := range b.spec.src.engines {
				if e.MaxScheduleName > 0 && len(name) > e.MaxScheduleName {
					refuse = append(refuse, e.Name)
					if limit == 0 || e.MaxScheduleName < limit {
						limit = e.MaxScheduleName
					}
				}
			}
			if len(refuse) == 0 {
				continue
			}
			slices.Sort(refuse)
			path := b.schedules[w.Name+"/"+s.Name]
			hint := fmt.Sprintf("shorten the schedule's name or the pipeline's (%q)", b.spec.Name)
			if len(b.groups) > 0 {
				hint = fmt.Sprintf("shorten the schedule's name, the pipeline's (%q) or the longest model name (split names a delivery workflow after its first model)", b.spec.Name)
			}
			e := &Error{Pos: b.spec.pos(path...), Path: strings.Join(path, "."),
				Msg:  fmt.Sprintf("%s name this schedule %q, %d characters, and allow %d", strings.Join(refuse, " and "), name, len(name), limit),
				Hint: hint}
			key := strings.Join(path, ".")
			if prev, ok := reported[key]; ok {
				if len(name) > longest[key] {
					*prev, longest[key] = *e, len(name)
				}
				continue
			}
			reported[key], longest[key] = e, len(name)
			errs = append(errs, e)
		}
	}
	return errs
}
