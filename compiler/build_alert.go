package compiler

import (
	"encoding/json"

	"github.com/mlc-project/mlc/ir"
)

// Causes of alerts, as mlc notify --cause takes them: with the pipeline
// and the subject, the cause keys the deduplication of alerts.
const (
	alertFailure = "failure"
	alertDrift   = "drift"
	alertQuality = "quality"
)

// alertSteps notify the spec's alert channels, when it has any. The
// channels travel as arguments, not read from the spec at run time:
// alert jobs have no checkout. The step gets only the channels' secrets,
// and the run's token for a github_issue channel.
func (b *builder) alertSteps(workflow, cause, subject, message string) []ir.Step {
	a := b.spec.Alert
	if a == nil {
		return nil
	}
	args := []string{"notify", "--pipeline", b.spec.Name, "--workflow", b.workflowName(workflow),
		"--cause", cause, "--subject", subject, "--message", message}
	if a.WebhookSecret != "" {
		args = append(args, "--webhook-env", a.WebhookSecret)
	}
	if len(a.Channels) > 0 {
		channels, _ := json.Marshal(a.Channels) // plain structs: cannot fail
		args = append(args, "--channels", string(channels))
	}
	st := b.mlc("alert", "Alert", args...)
	for _, c := range a.All() {
		if c.GitHubIssue != nil {
			st.Secrets = addSecret(st.Secrets, ir.TokenSecret)
		} else {
			st.Secrets = addSecret(st.Secrets, c.Secret())
		}
	}
	return []ir.Step{st}
}

// alertPermissions are ps plus what the alert channels need of the run's
// token: issues: write to open and comment on alert issues.
func (b *builder) alertPermissions(ps []ir.Permission) []ir.Permission {
	for _, c := range b.spec.Alert.All() {
		if c.GitHubIssue != nil {
			return addPermission(ps, "issues", "write")
		}
	}
	return ps
}

// alertIn adds the alert step to job j of workflow, with its secrets and
// permissions.
func (b *builder) alertIn(j *ir.Job, workflow, cause, subject, message string) {
	for _, st := range b.alertSteps(workflow, cause, subject, message) {
		j.Steps = append(j.Steps, withSecrets(j, st, st.Secrets...))
		j.Permissions = b.alertPermissions(j.Permissions)
	}
}

// onFailure alerts when any job of w fails.
func (b *builder) onFailure(w *ir.Workflow, workflow, cause, subject, message string) {
	w.OnFailure = b.alertSteps(workflow, cause, subject, message)
	if len(w.OnFailure) > 0 {
		w.OnFailurePermissions = b.alertPermissions(nil)
	}
}
