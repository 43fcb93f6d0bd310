package compiler

import (
	"github.com/mlc-project/mlc/ir"
	"maps"
	"slices"
)

const monitorDir = workDir + "/monitor"

// monitorWorkflow checks production data for drift against the dataset the
// production model was trained on, and alerts or starts retraining.
func (b *builder) monitorWorkflow() *ir.Workflow {
	mon := b.spec.Monitor
	if mon == nil {
		return nil
	}
	w := &ir.Workflow{
		Name:        b.workflowName(workflowMonitor),
		Description: b.spec.Name + ": drift monitoring",
		Triggers:    ir.Triggers{Schedules: []ir.Schedule{{Name: "monitor", Cron: mon.Schedule}}, Manual: true},
		Concurrency: b.workflowName(workflowMonitor),
	}
	dr := mon.Drift
	j := b.job("drift", "Drift check", ir.StageMonitor, "monitor", "drift")
	b.useRegistry(j, false)
	current := monitorDir + "/current"
	j.Steps = append(j.Steps, withSecrets(j, b.mlc("fetch", "Acquire production data", b.withSpec([]string{"fetch", "monitor.drift.current"}, "--out", monitorDir+"/raw")...), mon.Secrets...))
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
	check := b.mlc("drift", "Check drift", args...)
	check.ContinueOnError = mon.OnDrift == "retrain"
	j.Steps = append(j.Steps, check)
	j.Outputs = []ir.Output{{Name: "drift", Kind: ir.ArtifactValue, FromStep: "drift"}}
	w.Jobs = append(w.Jobs, j)

	if mon.OnDrift == "retrain" {
		r := b.job("retrain", "Retrain", ir.StageRetrain, "monitor", "on_drift")
		r.Workspace = false
		need(r, "drift", "", "")
		r.Condition.WhenOutput = &ir.OutputEquals{Job: "drift", Output: "drift", Equals: "true"}
		r.Permissions = addPermission(r.Permissions, "actions", "write")
		b.alertIn(r, workflowMonitor, alertDrift, dr.Reference, b.spec.Name+": drift detected, retraining")
		r.Steps = append(r.Steps, ir.Step{ID: "trigger", Name: "Start delivery", Kind: ir.StepTrigger, Trigger: b.workflowName(workflowDelivery)})
		w.Jobs = append(w.Jobs, r)
		// Drift is reported by the retrain job; a failure is something else.
		b.onFailure(w, workflowMonitor, alertFailure, workflowMonitor, b.spec.Name+": monitoring failed")
	} else {
		// The drift check failing the job is how drift is reported.
		b.onFailure(w, workflowMonitor, alertDrift, dr.Reference, b.spec.Name+": drift detected or monitoring failed")
	}
	return w
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
