package compiler

import (
	"strings"

	"github.com/mlc-project/mlc/ir"
)

// customJob is the escape hatch: a user script that runs after the jobs or
// spec sections it names.
func (b *builder) customJob(name string) *ir.Job {
	c := b.spec.Steps[name]
	j := b.job("step-"+name, name, ir.StageCustom, "steps", name)
	j.Image = c.Image
	j.Resources = resources(c.Resources)
	j.Timeout = duration(c.Timeout)
	for _, after := range c.After {
		for _, id := range b.jobsOf(after) {
			need(j, id, "", "")
		}
	}
	st := withSecrets(j, b.script("run", name, c.Run, c.Dir, c.Env, nil), c.Secrets...)
	st.GPU = j.Resources.GPU > 0
	j.Steps = append(j.Steps, st)
	return j
}

// jobsOf resolves an "after" reference: a section ("datasets.credit",
// "models.scorer", "environments.staging", …) names the job that finishes
// it; anything else is taken as a job ID and checked later.
func (b *builder) jobsOf(ref string) []string {
	section, name, ok := strings.Cut(ref, ".")
	if !ok {
		return []string{ref}
	}
	switch section {
	case "datasets":
		return []string{"dataset-" + name}
	case "code":
		return []string{"code-" + name}
	case "models":
		return []string{"evaluate-" + name}
	case "apps":
		return []string{"package-" + name}
	case "environments":
		return []string{b.lastJobOf(name)}
	case "steps":
		return []string{"step-" + name}
	}
	return []string{ref}
}
