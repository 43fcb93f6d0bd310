package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
)

// fakeGitHub is the part of GitHub's issues API the channel uses, on
// loopback: it keeps issues and comments and records every request.
type fakeGitHub struct {
	mu       sync.Mutex
	issues   []fakeIssue
	comments map[int][]string
	requests []string
	auth     []string
}

type fakeIssue struct {
	Number int      `json:"number"`
	State  string   `json:"state"`
	Title  string   `json:"title"`
	Body   string   `json:"body"`
	Labels []string `json:"-"`
}

func (f *fakeGitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r.Method+" "+r.URL.RequestURI())
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	var in struct {
		Title, Body string
		Labels      []string
	}
	json.NewDecoder(r.Body).Decode(&in)
	var n int
	switch {
	case r.Method == "GET" && r.URL.Path == "/repos/acme/ml/issues":
		q := r.URL.Query()
		out := []fakeIssue{}
		for _, is := range f.issues {
			if is.State == q.Get("state") && slices.Contains(is.Labels, q.Get("labels")) {
				out = append(out, is)
			}
		}
		json.NewEncoder(w).Encode(out)
	case r.Method == "POST" && r.URL.Path == "/repos/acme/ml/issues":
		f.issues = append(f.issues, fakeIssue{Number: len(f.issues) + 1, State: "open", Title: in.Title, Body: in.Body, Labels: in.Labels})
		w.WriteHeader(http.StatusCreated)
	case r.Method == "POST" && scan(r.URL.Path, "/repos/acme/ml/issues/%d/comments", &n) && n <= len(f.issues):
		f.comments[n] = append(f.comments[n], in.Body)
		w.WriteHeader(http.StatusCreated)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func scan(s, format string, n *int) bool {
	_, err := fmt.Sscanf(s, format, n)
	return err == nil
}

func newFakeGitHub(t *testing.T) (*fakeGitHub, GitHubIssue) {
	f := &fakeGitHub{comments: map[int][]string{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, GitHubIssue{ChannelName: "issues", API: srv.URL, Repo: "acme/ml", Token: "tok-123", Labels: []string{"ml"}}
}

func TestGitHubIssueOpensThenCommentsOnTheOpenIssue(t *testing.T) {
	f, g := newFakeGitHub(t)
	ctx, c := context.Background(), testClient()
	for range 2 {
		if err := g.Send(ctx, c, drift); err != nil {
			t.Fatal(err)
		}
	}
	if len(f.issues) != 1 || len(f.comments[1]) != 1 {
		t.Fatalf("issues %+v comments %v", f.issues, f.comments)
	}
	is := f.issues[0]
	if !slices.Equal(is.Labels, []string{AlertLabel, "ml"}) || !strings.Contains(is.Body, drift.DedupKey()) ||
		is.Title != "[mlc] credit-risk: drift in credit" || !strings.Contains(f.comments[1][0], drift.RunURL) {
		t.Fatalf("issue %+v comment %q", is, f.comments[1][0])
	}
	want := []string{
		"GET /repos/acme/ml/issues?state=open&labels=mlc-alert&per_page=100", "POST /repos/acme/ml/issues",
		"GET /repos/acme/ml/issues?state=open&labels=mlc-alert&per_page=100", "POST /repos/acme/ml/issues/1/comments",
	}
	if !slices.Equal(f.requests, want) {
		t.Fatalf("requests %q", f.requests)
	}
	for _, a := range f.auth {
		if a != "Bearer tok-123" {
			t.Fatalf("Authorization %q", a)
		}
	}
}

func TestGitHubIssueOtherSubjectOpensAnother(t *testing.T) {
	f, g := newFakeGitHub(t)
	other := drift
	other.Subject = "loans"
	for _, a := range []Alert{drift, other} {
		if err := g.Send(context.Background(), testClient(), a); err != nil {
			t.Fatal(err)
		}
	}
	if len(f.issues) != 2 || len(f.comments) != 0 {
		t.Fatalf("issues %+v comments %v", f.issues, f.comments)
	}
}

func TestGitHubIssueClosedIsNotReused(t *testing.T) {
	f, g := newFakeGitHub(t)
	if err := g.Send(context.Background(), testClient(), drift); err != nil {
		t.Fatal(err)
	}
	f.issues[0].State = "closed"
	if err := g.Send(context.Background(), testClient(), drift); err != nil {
		t.Fatal(err)
	}
	if len(f.issues) != 2 || f.issues[1].State != "open" || len(f.comments) != 0 {
		t.Fatalf("issues %+v comments %v", f.issues, f.comments)
	}
}

func TestGitHubIssueErrorNamesTheStepNotTheToken(t *testing.T) {
	_, g := newFakeGitHub(t)
	g.Repo = "acme/gone"
	err := Send(context.Background(), testClient(), []Channel{g}, drift)
	if err == nil || !strings.Contains(err.Error(), "channel issues (github_issue): listing open mlc-alert issues: refused: 404") ||
		strings.Contains(err.Error(), "tok-123") {
		t.Fatalf("err = %v", err)
	}
}
