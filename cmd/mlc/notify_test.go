package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// runNotify runs mlc notify and returns its exit code and error text.
func runNotify(t *testing.T, args ...string) (int, string) {
	t.Helper()
	return runCommand(t, newNotifyCmd(), args...)
}

func TestNotifyCommandSendsToEveryChannel(t *testing.T) {
	var bodies []map[string]string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b map[string]string
		json.NewDecoder(r.Body).Decode(&b)
		bodies = append(bodies, b)
	}))
	defer srv.Close()
	t.Setenv("SLACK_URL", srv.URL+"/slack")
	t.Setenv("OPS_URL", srv.URL+"/ops")
	t.Setenv("GITHUB_SERVER_URL", "")
	code, msg := runNotify(t, "--webhook-env", "SLACK_URL", "--channels", `{"ops":{"webhook":{"url_secret":"OPS_URL"}}}`,
		"--pipeline", "credit-risk", "--workflow", "credit-risk-monitor", "--cause", "drift", "--subject", "credit", "--message", "drift in credit")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, msg)
	}
	if len(bodies) != 2 || bodies[0]["dedup_key"] != "mlc-alert/credit-risk/drift/credit" || bodies[0]["workflow"] != "credit-risk-monitor" ||
		!strings.HasPrefix(bodies[1]["text"], "drift in credit") {
		t.Fatalf("bodies %v", bodies)
	}
}

func TestNotifyCommandExitCodes(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusForbidden) }))
	defer srv.Close()
	t.Setenv("REFUSING_URL", srv.URL+"/secret-token")
	t.Setenv("EMPTY_URL", "")
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"refused", []string{"--webhook-env", "REFUSING_URL", "--message", "m"}, exitFailed, "channel webhook_secret (slack): refused: 403"},
		{"empty secret", []string{"--webhook-env", "EMPTY_URL", "--message", "m"}, exitBadInput, "EMPTY_URL is empty: set it to the webhook URL"},
		{"no channel", []string{"--message", "m"}, exitBadInput, "no channel: pass --webhook-env or --channels"},
		{"bad cause", []string{"--webhook-env", "REFUSING_URL", "--cause", "rain", "--message", "m"}, exitBadInput, `cause "rain" is not one of drift, failure, quality`},
		{"bad channels", []string{"--channels", "[]", "--message", "m"}, exitBadInput, "--channels is not the JSON of alert.channels"},
	} {
		code, msg := runNotify(t, tc.args...)
		if code != tc.code || !strings.Contains(msg, tc.want) || strings.Contains(msg, "secret-token") {
			t.Errorf("%s: exit %d: %s", tc.name, code, msg)
		}
	}
}
