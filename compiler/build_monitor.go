package compiler

import (
	"maps"
	"slices"
	"strings"

	"github.com/mlc-project/mlc/ir"
)

const monitorDir = workDir + "/monitor"

// monitorWorkflow checks production data for drift against the dataset the
// production model was trained on, and the production model's quality on
// labelled production data; each alerts or starts retraining.
func (b *builder) monitorWorkflow() *ir.Workflow {
	mon := b.spec.Monitor
	if mon == nil {
		return nil
	}
	var what []string
	if mon.Drift != nil {
		what = append(what, "drift")
	}
	if mon.Quality != nil {
		what = append(what, "model quality")
	}
	w := &ir.Workflow{
		Name:        b.workflowName(ir.WorkflowMonitor),
		Description: b.spec.Name + ": " + strings.Join(what, " and ") + " monitoring",
		Triggers:    ir.Triggers{Manual: true},
		Concurrency: b.workflowName(ir.WorkflowMonitor),
		Kind:        ir.WorkflowMonitor,
	}
	b.schedule(w, "monitor", mon.Schedule, "monitor", "schedule")
	driftRetrains, qualityRetrains := mon.Drift != nil && mon.OnDrift == "retrain", mon.Quality != nil && mon.OnQuality == "retrain"
	if dr := mon.Drift; dr != nil {
		w.Jobs = append(w.Jobs, b.driftJob(mon))
		if driftRetrains {
			w.Jobs = append(w.Jobs, b.retrainJob("retrain", "on_drift", &ir.OutputEquals{Job: "drift", Output: "drift", Equals: "true"},
				b.deliveriesWith("dataset-"+dr.Reference), alertDrift, dr.Reference, b.spec.Name+": drift detected, retraining"))
		}
	}
	if q := mon.Quality; q != nil {
		j := b.qualityJob(mon)
		if driftRetrains && qualityRetrains {
			// Drift retrains anyway: scoring the model it replaces would
			// start a second delivery.
			need(j, "drift", "", "")
			j.Condition.WhenOutput = &ir.OutputEquals{Job: "drift", Output: "drift", Equals: "false"}
		}
		w.Jobs = append(w.Jobs, j)
		if qualityRetrains {
			w.Jobs = append(w.Jobs, b.retrainJob("retrain-quality", "on_quality", &ir.OutputEquals{Job: "quality", Output: "passed", Equals: "false"},
				b.deliveriesWith("evaluate-"+q.Model), alertQuality, q.Model, b.spec.Name+": model "+q.Model+" below its quality gates, retraining"))
		}
	}
	// A check that does not retrain reports by failing its job; a retrain
	// job reports its own cause, so a failure is then something else.
	switch {
	case mon.Drift != nil && !driftRetrains && (mon.Quality == nil || qualityRetrains):
		b.onFailure(w, ir.WorkflowMonitor, alertDrift, mon.Drift.Reference, b.spec.Name+": drift detected or monitoring failed")
	case mon.Quality != nil && !qualityRetrains && (mon.Drift == nil || driftRetrains):
		b.onFailure(w, ir.WorkflowMonitor, alertQuality, mon.Quality.Model, b.spec.Name+": model "+mon.Quality.Model+" below its quality gates or monitoring failed")
	case !driftRetrains && !qualityRetrains:
		b.onFailure(w, ir.WorkflowMonitor, alertFailure, ir.WorkflowMonitor, b.spec.Name+": drift detected, model quality below its gates or monitoring failed")
	default:
		b.onFailure(w, ir.WorkflowMonitor, alertFailure, ir.WorkflowMonitor, b.spec.Name+": monitoring failed")
	}
	return w
}

// driftJob compares the current production data, prepared as the
// reference dataset is, with the reference the production model was
// trained on.
func (b *builder) driftJob(mon *Monitor) *ir.Job {
	dr := mon.Drift
	j := b.job("drift", "Drift check", ir.StageMonitor, "monitor", "drift")
	b.useRegistry(j, false)
	current := monitorDir + "/current"
	j.Steps = append(j.Steps, withSecrets(j, b.mlc("fetch", "Acquire production data", b.withSpec([]string{"fetch", MonitorCurrent}, "--out", monitorDir+"/raw")...), mon.Secrets...))
	if d, ok := b.spec.Datasets[dr.Reference]; ok && d.Prepare != nil {
		j.Image = d.Prepare.Image
		j.Steps = append(j.Steps, b.script("prepare", "Prepare", d.Prepare.Run, d.Prepare.Dir, d.Prepare.Env,
			map[string]string{"MLC_DATA": monitorDir + "/raw", "MLC_PREPARED": current}))
	} else {
		current = monitorDir + "/raw"
	}
	refTag := "latest"
	if env, ok := b.referenceEnvironment(dr.Reference); ok {
		refTag = env
	}
	reference := monitorDir + "/reference"
	// The reference is read by tag: pull verifies its signature and then
	// reads the digest it verified.
	pull := append([]string{"pull", b.ref("dataset", dr.Reference, refTag), reference}, b.trustArgs()...)
	j.Steps = append(j.Steps, b.mlc("pull-reference", "Pull reference", pull...))
	args := []string{"check", "drift", "--reference", reference, "--current", current, "--method", dr.Method,
		"--drift-share", num(dr.DriftShare)}
	if dr.Threshold != nil {
		args = append(args, "--threshold", num(*dr.Threshold))
	}
	for _, col := range slices.Sorted(maps.Keys(dr.Columns)) {
		c := dr.Columns[col]
		method := c.Method
		if method == "" {
			method = dr.Method
		}
		spec := col + ":" + method
		if c.Threshold != nil {
			spec += ":" + num(*c.Threshold)
		}
		args = append(args, "--column", spec)
	}
	if mon.OnDrift == "retrain" {
		args = append(args, "--no-fail") // drift=true starts the retrain job
	}
	j.Steps = append(j.Steps, b.mlc("drift", "Check drift", args...))
	j.Outputs = []ir.Output{{Name: "drift", Kind: ir.ArtifactValue, FromStep: "drift"}}
	return j
}

// qualityJob scores the labelled production data with the model its
// final environment runs (pulled by the digest its signature verifies),
// and gates the metrics; no_regression compares them with the metrics
// that model was registered with.
func (b *builder) qualityJob(mon *Monitor) *ir.Job {
	q := mon.Quality
	m := b.spec.Models[q.Model]
	j := b.job("quality", "Model quality check", ir.StageMonitor, "monitor", "quality")
	j.Image = b.spec.qualityImage()
	b.useRegistry(j, false)
	env, _ := b.spec.finalEnvironment(q.Model) // checkMonitor made sure there is one
	production := b.ref("model", q.Model, env)
	labelled, metrics := monitorDir+"/labelled", monitorDir+"/quality/metrics.json"
	j.Steps = append(j.Steps,
		withSecrets(j, b.mlc("fetch", "Acquire labelled production data", b.withSpec([]string{"fetch", MonitorLabelled}, "--out", labelled)...), mon.Secrets...))
	if q.Prepare != "" {
		p := b.spec.Datasets[q.Prepare].Prepare
		prepared := monitorDir + "/labelled-prepared"
		j.Steps = append(j.Steps, b.script("prepare", "Prepare as "+q.Prepare+" is", p.Run, p.Dir, p.Env,
			map[string]string{"MLC_DATA": labelled, "MLC_PREPARED": prepared}))
		labelled = prepared
	}
	j.Steps = append(j.Steps,
		b.mlc("pull-model", "Pull production model", append([]string{"pull", production, modelDir(q.Model)}, b.trustArgs()...)...),
		withSecrets(j, b.script("score", "Score labelled data", q.Run, m.Train.Dir, copyEnv(m.Train.Env), map[string]string{
			"MLC_DATA": labelled, "MLC_MODEL_DIR": modelDir(q.Model), "MLC_METRICS": metrics}), m.Train.Secrets...))
	gate := b.metricsCheck(metrics, b.spec.qualityGates(), production)
	if mon.OnQuality == "retrain" {
		gate = append(gate, "--no-fail") // passed=false starts the retrain job
	}
	j.Steps = append(j.Steps, b.mlc("gates", "Quality gates", gate...))
	j.Outputs = []ir.Output{{Name: "passed", Kind: ir.ArtifactValue, FromStep: "gates"}}
	return j
}

// retrainJob starts the delivery workflows when a check's output says so,
// after alerting with the check's cause.
func (b *builder) retrainJob(id, field string, when *ir.OutputEquals, workflows []string, cause, subject, message string) *ir.Job {
	r := b.job(id, "Retrain", ir.StageRetrain, "monitor", field)
	r.Workspace = false
	need(r, when.Job, "", "")
	r.Condition.WhenOutput = when
	r.Permissions = addPermission(r.Permissions, "actions", "write")
	b.alertIn(r, ir.WorkflowMonitor, cause, subject, message)
	r.Steps = append(r.Steps, ir.Step{ID: "trigger", Name: "Start delivery", Kind: ir.StepTrigger, Triggers: workflows})
	return r
}

// referenceEnvironment is the final environment of a model trained on
// dataset: its tag names the reference data production was trained on.
func (b *builder) referenceEnvironment(dataset string) (string, bool) {
	for _, name := range slices.Sorted(maps.Keys(b.spec.Models)) {
		if slices.Contains(b.spec.Models[name].Train.Data, dataset) {
			if env, ok := b.spec.finalEnvironment(name); ok {
				return env, true
			}
		}
	}
	return "", false
}
