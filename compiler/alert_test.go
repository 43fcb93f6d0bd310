package compiler

import (
	"slices"
	"strings"
	"testing"

	"github.com/mlc-project/mlc/ir"
	"github.com/mlc-project/mlc/targets"
	"github.com/mlc-project/mlc/targets/argo"
	"github.com/mlc-project/mlc/targets/github"
	"github.com/mlc-project/mlc/targets/tekton"
)

const alertSpec = base + `registry: "ghcr.io/acme/ml"
secrets: ["SLACK_WEBHOOK", "OPS_HOOK", "AWS_KEY"]
monitor: {
	schedule: "0 * * * *"
	drift: {reference: "d", current: local: path: "live"}
	secrets: ["AWS_KEY"]
	on_drift: "retrain"
}
alert: {
	webhook_secret: "SLACK_WEBHOOK"
	channels: {
		ops: webhook: url_secret: "OPS_HOOK"
		issues: github_issue: labels: ["ml"]
	}
}
`

// The alert step gets exactly the channels' secrets and the run's token,
// its job issues: write; no other step or job gets them.
func TestAlertStepSecretsAndPermissions(t *testing.T) {
	p, err := CompileWith(writeSpec(t, map[string]string{"pipeline.cue": alertSpec}), Options{Engines: allEngines()})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"GITHUB_TOKEN", "OPS_HOOK", "SLACK_WEBHOOK"}
	issues := []ir.Permission{{Scope: "issues", Access: "write"}}
	for _, w := range p.Workflows {
		if len(w.OnFailure) != 1 || !slices.Equal(w.OnFailure[0].Secrets, want) || !slices.Equal(w.OnFailurePermissions, issues) {
			t.Errorf("%s on failure: %+v, permissions %v", w.Name, w.OnFailure, w.OnFailurePermissions)
		}
		for _, j := range w.Jobs {
			for _, st := range j.Steps {
				if st.ID == "alert" != slices.Contains(st.Secrets, "OPS_HOOK") {
					t.Errorf("%s/%s step %s secrets %v", w.Name, j.ID, st.ID, st.Secrets)
				}
			}
			if j.ID == "retrain" != hasPermission(j, "issues", "write") {
				t.Errorf("%s/%s permissions %v", w.Name, j.ID, j.Permissions)
			}
		}
	}
	retrain := p.Workflows[1].Jobs[1]
	args := strings.Join(retrain.Steps[0].Args, " ")
	if retrain.ID != "retrain" || !slices.Equal(retrain.Secrets, want) || !hasPermission(retrain, "actions", "write") ||
		!strings.Contains(args, "--cause drift --subject d ") ||
		!strings.Contains(args, `--webhook-env SLACK_WEBHOOK --channels {"issues":{"github_issue":{"labels":["ml"]}},"ops":{"webhook":{"url_secret":"OPS_HOOK"}}}`) {
		t.Fatalf("retrain %s: secrets %v, args %s", retrain.ID, retrain.Secrets, args)
	}
	// Every target renders the token: GitHub's own, a Secret key on Kubernetes.
	for _, tc := range []struct {
		target targets.Target
		want   []string
	}{
		{github.Target{}, []string{"GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}", "issues: write"}},
		{tekton.Target{}, []string{"key: GITHUB_TOKEN"}},
		{argo.Target{}, []string{"key: GITHUB_TOKEN"}},
	} {
		files, err := tc.target.Render(p)
		if err != nil {
			t.Fatal(err)
		}
		var all strings.Builder
		for _, f := range files {
			all.Write(f.Data)
		}
		for _, w := range tc.want {
			// The retrain job, and the failure alerts of delivery and monitor.
			if n := strings.Count(all.String(), w); n != 3 {
				t.Errorf("%s: %q %d times, want 3", tc.target.Name(), w, n)
			}
		}
	}
}
