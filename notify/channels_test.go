package notify

import (
	"strings"
	"testing"

	"github.com/mlc-project/mlc/spec"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestChannelsFromSpec(t *testing.T) {
	a := spec.Alert{WebhookSecret: "SLACK_URL", Channels: map[string]spec.AlertChannel{
		"ops":    {Webhook: &spec.WebhookChannel{URLSecret: "OPS_URL"}},
		"issues": {GitHubIssue: &spec.GitHubIssueChannel{Labels: []string{"ml"}}},
	}}
	chs, err := Channels(a, env(map[string]string{"SLACK_URL": "https://hooks.example/s", "OPS_URL": "http://127.0.0.1:1/o",
		"GH_TOKEN": "t", "GITHUB_REPOSITORY": "acme/ml"}))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range chs {
		names = append(names, c.Name())
	}
	if got := strings.Join(names, ", "); got != "issues (github_issue), ops (webhook), webhook_secret (slack)" {
		t.Fatalf("channels %s", got)
	}
	if g := chs[0].(GitHubIssue); g.API != "https://api.github.com" || g.Repo != "acme/ml" || g.Token != "t" {
		t.Fatalf("github %+v", g)
	}
}

func TestChannelsNameWhatToSet(t *testing.T) {
	a := spec.Alert{Channels: map[string]spec.AlertChannel{
		"ops":    {Webhook: &spec.WebhookChannel{URLSecret: "OPS_URL"}},
		"bad":    {Slack: &spec.WebhookChannel{URLSecret: "BAD_URL"}},
		"issues": {GitHubIssue: &spec.GitHubIssueChannel{}},
		"two":    {Slack: &spec.WebhookChannel{URLSecret: "X"}, GitHubIssue: &spec.GitHubIssueChannel{}},
	}}
	_, err := Channels(a, env(map[string]string{"BAD_URL": "ftp://secret-host/x"}))
	for _, want := range []string{
		"channel ops: environment variable OPS_URL is empty",
		"channel bad: environment variable BAD_URL does not hold an http(s) URL",
		"channel issues: no repository",
		"channel two: 2 channel kinds set (slack, github_issue)",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want %q", err, want)
		}
	}
	if err != nil && strings.Contains(err.Error(), "secret-host") {
		t.Errorf("err leaks the URL: %v", err)
	}
}

func TestRunURL(t *testing.T) {
	got := RunURL(env(map[string]string{"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/ml", "GITHUB_RUN_ID": "42"}))
	if got != "https://github.com/acme/ml/actions/runs/42" || RunURL(env(nil)) != "" {
		t.Fatalf("RunURL = %q", got)
	}
}
