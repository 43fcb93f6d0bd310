package compiler

import (
	"maps"
	"slices"
	"strings"

	"github.com/mlc-project/mlc/ir"
)

func predictionsDir(app string) string { return workDir + "/predictions/" + app }

// batchWorkflows score each batch app's dataset with the model its final
// environment runs: one workflow, or with a split delivery one per group
// holding batch apps ("<pipeline>-batch-<group>", beside its delivery).
func (b *builder) batchWorkflows() []*ir.Workflow {
	apps := b.batchApps()
	if len(apps) == 0 {
		return nil
	}
	if b.groups == nil {
		return []*ir.Workflow{b.batchWorkflow(ir.WorkflowBatch, apps)}
	}
	var out []*ir.Workflow
	for _, g := range b.groups {
		var mine []string
		for _, name := range apps {
			if g.units["apps."+name] {
				mine = append(mine, name)
			}
		}
		if len(mine) > 0 {
			out = append(out, b.batchWorkflow(ir.WorkflowBatch+"-"+g.name, mine))
		}
	}
	return out
}

// batchWorkflow is the batch workflow named kind for apps: the data
// acquired and versioned as in delivery, the model by the digest its
// signature was verified on, the predictions checked, versioned and signed
// with a provenance naming both.
func (b *builder) batchWorkflow(kind string, apps []string) *ir.Workflow {
	w := &ir.Workflow{
		Name:        b.workflowName(kind),
		Description: b.spec.Name + ": batch prediction with the production model",
		Triggers:    ir.Triggers{Manual: true},
		Concurrency: b.workflowName(kind),
		Kind:        ir.WorkflowBatch,
	}
	subject := b.spec.Name + " batch prediction failed"
	if group, ok := strings.CutPrefix(kind, ir.WorkflowBatch+"-"); ok {
		w.Description = b.spec.Name + ", " + group + ": batch prediction with the production model"
		subject = b.spec.Name + " " + kind + " failed"
	}
	var data []string
	for _, name := range apps {
		bt := b.spec.Apps[name].Batch
		if bt.Schedule != "" {
			b.schedule(w, "batch-"+name, bt.Schedule, "apps", name, "batch", "schedule")
		}
		if !slices.Contains(data, bt.Data) {
			data = append(data, bt.Data)
		}
	}
	slices.Sort(data)
	for _, d := range data {
		w.Jobs = append(w.Jobs, b.datasetJob(d, true))
	}
	for _, name := range apps {
		w.Jobs = append(w.Jobs, b.productionModelJob(name), b.scoreJob(name))
	}
	b.onFailure(w, kind, alertFailure, kind, subject)
	return w
}

// batchApps are the apps that score in batch, sorted.
func (b *builder) batchApps() []string {
	var apps []string
	for _, name := range slices.Sorted(maps.Keys(b.spec.Apps)) {
		if b.spec.Apps[name].Batch != nil {
			apps = append(apps, name)
		}
	}
	return apps
}

// scoredOnly reports whether dataset is only scored in batch, never
// trained on: delivery does not version it.
func (b *builder) scoredOnly(dataset string) bool {
	if b.scored == nil { // once: a loop over every model per dataset is quadratic
		b.scored = map[string]bool{}
		for _, name := range b.batchApps() {
			b.scored[b.spec.Apps[name].Batch.Data] = true
		}
		for _, m := range b.spec.Models {
			for _, d := range m.Train.Data {
				delete(b.scored, d)
			}
		}
		if mon := b.spec.Monitor; mon != nil && mon.Drift != nil {
			delete(b.scored, mon.Drift.Reference)
		}
	}
	return b.scored[dataset]
}

// productionModelJob resolves the model the app's final environment runs
// to the digest its signature is verified on, once for the whole run.
func (b *builder) productionModelJob(app string) *ir.Job {
	a := b.spec.Apps[app]
	j := b.job("model-"+app, "Production model of "+app, ir.StageBatch, "apps", app, "batch")
	b.useRegistry(j, false)
	env, _ := b.spec.finalEnvironment(a.Model) // checkBatch made sure there is one
	verify := append([]string{"verify", b.ref("model", a.Model, env)}, b.trustArgs()...)
	j.Steps = append(j.Steps, b.mlc("verify", "Verify production model", verify...))
	j.Outputs = []ir.Output{{Name: "ref", Kind: ir.ArtifactModel, FromStep: "verify"}}
	return j
}

// scoreJob runs the user's scoring on the dataset with that model, checks
// the predictions and versions them.
func (b *builder) scoreJob(app string) *ir.Job {
	a := b.spec.Apps[app]
	bt := a.Batch
	j := b.job("score-"+app, "Score with "+app, ir.StageBatch, "apps", app, "batch")
	j.Image = bt.Image
	b.useRegistry(j, true)
	dataEnv := "MLC_DATASET_" + envName(bt.Data)
	need(j, "model-"+app, "ref", "MLC_MODEL")
	need(j, "dataset-"+bt.Data, "ref", dataEnv)
	out := predictionsDir(app)
	j.Steps = append(j.Steps,
		b.mlc("pull-model", "Pull model", "pull", "${MLC_MODEL}", modelDir(a.Model)),
		b.mlc("pull-data", "Pull data", "pull", "${"+dataEnv+"}", dataDir(bt.Data)),
		withSecrets(j, b.script("score", "Score", bt.Run, bt.Dir, bt.Env, map[string]string{
			"MLC_DATA": dataDir(bt.Data), "MLC_MODEL_DIR": modelDir(a.Model), "MLC_PREDICTIONS": out}), bt.Secrets...))
	if bt.Predictions != nil {
		j.Steps = append(j.Steps, b.mlc("check", "Check predictions",
			b.withSpec([]string{"check", "schema", out}, "--at", BatchPredictionsPath(app))...))
	}
	j.Steps = append(j.Steps, b.signedPush(j, "push", "Version predictions", "push", "dataset", out,
		b.ref("predictions", app, "${MLC_REVISION}"), "--from-model", "${MLC_MODEL}", "--from-dataset", "${"+dataEnv+"}"))
	j.Outputs = []ir.Output{{Name: "ref", Kind: ir.ArtifactDataset, FromStep: "push"}}
	return j
}
