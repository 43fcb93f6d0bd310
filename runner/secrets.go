package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/mlc-project/mlc/ir"
)

// cosignPassword is the variable cosign reads a key's password from.
const cosignPassword = "COSIGN_PASSWORD"

// alertSinkURL marks a secret the run's alert sink supplies once it listens.
const alertSinkURL = "(local alert sink)"

// suppliedSecrets are the secrets a local run provides itself: the
// signing key steps name with --key env://NAME (always the local store's
// key) and its password, and the webhook URLs of alert steps (mlc notify)
// the host has none of (a local sink that prints the alerts). The token of
// a GitHub issue channel is no URL: it comes from the host.
func (r *run) suppliedSecrets() map[string]string {
	out := map[string]string{}
	r.eachStep(func(_ *ir.Job, st ir.Step) {
		if st.Kind != ir.StepMLC || len(st.Args) == 0 {
			return
		}
		for i, a := range st.Args[:len(st.Args)-1] {
			if next := st.Args[i+1]; a == "--key" && strings.HasPrefix(next, "env://") {
				out[strings.TrimPrefix(next, "env://")] = string(r.keys.private)
				out[cosignPassword] = r.keys.password
			}
		}
		if st.Args[0] != "notify" {
			return
		}
		for _, name := range st.Secrets {
			if v, ok := r.opts.LookupEnv(name); name != ir.TokenSecret && (!ok || v == "") {
				out[name] = alertSinkURL
			}
		}
	})
	return out
}

// checkSecrets fails before anything runs when a secret a step needs is
// neither supplied by the run nor set on the host. Offline, the fetch
// steps read fixtures and need no credentials.
func (r *run) checkSecrets() error {
	missing := map[string][]string{}
	r.eachStep(func(j *ir.Job, st ir.Step) {
		if r.opts.Offline && st.Kind == ir.StepMLC && len(st.Args) > 0 && st.Args[0] == "fetch" {
			return
		}
		for _, name := range st.Secrets {
			if _, ok := r.secret(name); !ok && !slices.Contains(missing[name], j.ID) {
				missing[name] = append(missing[name], j.ID)
			}
		}
	})
	if len(missing) == 0 {
		return nil
	}
	var names []string
	for name, jobs := range missing {
		names = append(names, fmt.Sprintf("%s (job %s)", name, strings.Join(jobs, ", ")))
	}
	sort.Strings(names)
	return fmt.Errorf("secrets not set in the environment: %s: export them before mlc run (local runs supply signing keys and alert webhooks themselves, and --offline needs no data credentials; docs/run.md)", strings.Join(names, ", "))
}

// secret is a secret's value: supplied by the run, else the host's.
func (r *run) secret(name string) (string, bool) {
	if v, ok := r.provided[name]; ok {
		return v, true
	}
	v, ok := r.opts.LookupEnv(name)
	return v, ok && v != ""
}

// eachStep calls fn for every step of the workflow, failure steps included.
func (r *run) eachStep(fn func(*ir.Job, ir.Step)) {
	for _, j := range r.wf.Jobs {
		for _, st := range j.Steps {
			fn(j, st)
		}
	}
	onFailure := &ir.Job{ID: "on-failure"}
	for _, st := range r.wf.OnFailure {
		fn(onFailure, st)
	}
}

// alertSink receives the alerts of a local run on loopback, prints them
// and appends them to alerts.log in the run directory.
type alertSink struct {
	srv *http.Server
}

// startAlertSink serves the webhook the run supplies, if it supplies one.
func (r *run) startAlertSink() (*alertSink, error) {
	var names []string
	for name, v := range r.provided {
		if v == alertSinkURL {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return &alertSink{}, nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("local alert sink: %w", err)
	}
	var mu sync.Mutex
	logPath := filepath.Join(r.dir, "alerts.log")
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var msg struct {
			Text string `json:"text"`
		}
		body, _ := io.ReadAll(io.LimitReader(req.Body, 64<<10))
		if json.Unmarshal(body, &msg) != nil || msg.Text == "" {
			msg.Text = string(body)
		}
		mu.Lock()
		defer mu.Unlock()
		if f, err := os.OpenFile(logPath, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
			fmt.Fprintln(f, msg.Text)
			f.Close()
		}
		r.progress.alert(msg.Text)
	})}
	go srv.Serve(ln) //nolint:errcheck // ends with Close
	url := "http://" + ln.Addr().String() + "/alert"
	for _, name := range names {
		r.provided[name] = url
	}
	return &alertSink{srv: srv}, nil
}

func (s *alertSink) close() {
	if s.srv != nil {
		_ = s.srv.Shutdown(context.Background())
	}
}
