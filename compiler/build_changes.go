package compiler

import (
	"maps"
	"slices"
	"strings"

	"github.com/mlc-project/mlc/gitops"
	"github.com/mlc-project/mlc/ir"
)

// Change-aware delivery: the version job also runs mlc affected against
// the commit a push went on, and each job runs only when the change
// reaches its stage. A change under an app's context rebuilds and
// redeploys the app with the model production runs; one under a
// trainer's code or a dataset's preparation retrains; one to the spec
// runs everything, as does a run with nothing to compare with (a
// schedule, by hand, a new branch): docs/gitops.md.

// gateByChanges gives each job of the delivery workflow w the condition
// that its stage is affected. Datasets and code used by one model of w run
// with that model; those several models share always run.
func (b *builder) gateByChanges(w *ir.Workflow) {
	if b.spec.Triggers == nil || b.spec.Triggers.Push == nil {
		return // no push, no base: every run runs everything
	}
	// A push that touches no stage's paths starts nothing at all; one
	// workflow of a split delivery starts for its own stages' paths.
	if b.stages == nil {
		b.stages = b.spec.Stages(b.specDir)
	}
	units := map[string]bool{}
	for _, j := range w.Jobs {
		units[unitOf(b.origin[j.ID])] = true
	}
	var paths []string
	for _, st := range b.stages {
		if st.All || b.groups == nil || units[st.Name] {
			paths = append(paths, st.Paths...)
		}
	}
	slices.Sort(paths)
	w.Triggers.Push.Paths = slices.Compact(paths)
	// The models of w using each dataset and code, once: in a split
	// delivery, a dataset other groups train on too runs with the one
	// model of its group.
	users := map[string][]string{}
	for _, j := range w.Jobs {
		if j.Stage != ir.StageTrain {
			continue
		}
		m := b.origin[j.ID][1]
		t := b.spec.Models[m].Train
		for _, d := range t.Data {
			users["datasets."+d] = append(users["datasets."+d], m)
		}
		if t.Code != "" {
			users["code."+t.Code] = append(users["code."+t.Code], m)
		}
	}
	for _, j := range w.Jobs {
		stage := b.stageOf(j, users)
		if stage == "" {
			continue
		}
		need(j, versionJobID, "", "")
		j.Condition.WhenOutput = &ir.OutputEquals{Job: versionJobID, Output: gitops.OutputKey(stage), Equals: "true"}
	}
}

// stageOf is the mlc affected stage whose verdict gates job j, or "";
// users are the models using each dataset and code stage.
func (b *builder) stageOf(j *ir.Job, users map[string][]string) string {
	origin := b.origin[j.ID]
	if len(origin) < 2 || j.Stage == ir.StageRegister {
		return "" // the model job picks this run's model or production's
	}
	section, name := origin[0], origin[1]
	switch section {
	case "datasets", "code":
		if u := users[section+"."+name]; len(u) == 1 {
			return "models." + u[0]
		}
		return ""
	case "models":
		if !b.deploysModel(name) {
			return "" // no production model to reuse: it always trains
		}
		return section + "." + name
	case "apps", "environments":
		return section + "." + name
	}
	return ""
}

// modelSource is the job whose "ref" is the model a run packages: the
// model job, or, for a model no environment runs, its evaluation.
func (b *builder) modelSource(name string) string {
	if b.deploysModel(name) {
		return "model-" + name
	}
	return "evaluate-" + name
}

// deploysModel: an app packages the model and an environment runs it, so
// there is a model in production a run that does not retrain can reuse.
func (b *builder) deploysModel(name string) bool {
	_, ok := b.spec.finalEnvironment(name)
	return ok
}

// changesStep adds mlc affected to the version job of w when jobs of w
// are gated on its verdicts, with an output for each verdict they read.
func (b *builder) changesStep(w *ir.Workflow, j *ir.Job) {
	outputs := map[string]bool{}
	for _, job := range w.Jobs {
		if c := job.Condition.WhenOutput; c != nil && c.Job == versionJobID {
			outputs[c.Output] = true
		}
	}
	if len(outputs) == 0 {
		return
	}
	j.Name = "Version and changes"
	j.Steps = append(j.Steps, b.mlc("affected", "Stages the change reaches",
		b.withTags([]string{"affected", ".", "--base", "${MLC_BASE}", "--all-if-no-base"})...))
	for _, o := range slices.Sorted(maps.Keys(outputs)) {
		j.Outputs = append(j.Outputs, ir.Output{Name: o, Kind: ir.ArtifactValue, FromStep: "affected"})
	}
	slices.SortFunc(j.Outputs, func(a, c ir.Output) int { return strings.Compare(a.Name, c.Name) })
}

// modelJob picks the model this run deploys: the one it registered, or,
// when the change did not retrain (its jobs were skipped), the one in
// production, verified either way.
func (b *builder) modelJob(name string) *ir.Job {
	j := b.job("model-"+name, "Model "+name+" for this run", ir.StageRegister, "models", name)
	j.Condition.DespiteSkipped = true
	b.useRegistry(j, false)
	need(j, "evaluate-"+name, "", "")
	env, _ := b.spec.finalEnvironment(name)
	args := []string{"verify", b.ref("model", name, "${MLC_REVISION}"), "--else", b.ref("model", name, env)}
	j.Steps = []ir.Step{b.mlc("verify", "Verify the model", append(args, b.trustArgs()...)...)}
	j.Outputs = []ir.Output{{Name: "ref", Kind: ir.ArtifactModel, FromStep: "verify"}}
	return j
}
