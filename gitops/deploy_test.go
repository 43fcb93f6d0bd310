package gitops

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

const kustomization = `resources:
- deployment.yaml
images:
- name: api
  newTag: v1
`

// envRepo is a bare repository on disk (the GitOps remote) whose main
// holds staging/kustomization.yaml, and a work tree that pushes to it.
func envRepo(t *testing.T) (bare string, work *testRepo) {
	t.Helper()
	bare = filepath.Join(t.TempDir(), "env.git")
	if _, err := git.PlainInitWithOptions(bare, &git.PlainInitOptions{Bare: true, InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")}}); err != nil {
		t.Fatal(err)
	}
	work = newTestRepo(t)
	work.commit(map[string]string{"staging/kustomization.yaml": kustomization, "staging/deployment.yaml": "kind: Deployment\n"})
	if _, err := work.repo.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{bare}}); err != nil {
		t.Fatal(err)
	}
	work.push()
	return bare, work
}

func (r *testRepo) push() {
	r.t.Helper()
	if err := r.repo.Push(&git.PushOptions{RemoteName: "origin", RefSpecs: []config.RefSpec{"refs/heads/main:refs/heads/main"}}); err != nil {
		r.t.Fatal(err)
	}
}

var testChange = Change{
	Environment: "staging",
	Image:       testRepo1 + "@" + testDigest,
	Model:       "ghcr.io/acme/ml/scorer@sha256:2222222222222222222222222222222222222222222222222222222222222222",
	Signature:   "sha256:3333333333333333333333333333333333333333333333333333333333333333",
	Datasets:    []string{"ghcr.io/acme/ml/credit@sha256:4444444444444444444444444444444444444444444444444444444444444444"},
	Code:        []string{"ghcr.io/acme/ml/trainer@sha256:5555555555555555555555555555555555555555555555555555555555555555"},
	Run:         "https://github.com/acme/credit-risk/actions/runs/1",
	Author:      object.Signature{Name: "mlc", Email: "mlc@example.com"},
}

func TestDeployByCommit(t *testing.T) {
	bare, _ := envRepo(t)
	target := Target{Repo: bare, Branch: "main", File: "staging/kustomization.yaml", Image: "api"}
	d, err := Deploy(context.Background(), target, testChange)
	if err != nil {
		t.Fatal(err)
	}
	if d.Branch != "main" || d.Unchanged {
		t.Errorf("deployed %+v", d)
	}
	// The stock git CLI reads what go-git pushed.
	if got := stockGit(t, bare, "log", "-1", "--format=%H"); got != d.Commit {
		t.Errorf("main is at %s, deployed %s", got, d.Commit)
	}
	if got := stockGit(t, bare, "log", "-1", "--format=%(trailers:key=Mlc-Model,valueonly)"); got != testChange.Model {
		t.Errorf("git reads Mlc-Model %q", got)
	}
	if got := stockGit(t, bare, "log", "-1", "--format=%(trailers:key=Mlc-Dataset,valueonly)"); got != testChange.Datasets[0] {
		t.Errorf("git reads Mlc-Dataset %q", got)
	}
	show := stockGit(t, bare, "show", "main:staging/kustomization.yaml")
	if !strings.Contains(show, "digest: "+testDigest) || strings.Contains(show, "newTag") {
		t.Errorf("manifest after deploy:\n%s", show)
	}
	if got := stockGit(t, bare, "log", "-1", "--format=%s"); got != "deploy staging: api@sha256:111111111111" {
		t.Errorf("subject %q", got)
	}
	commit, trailers, err := LastDeployment(context.Background(), bare, "main", "staging", nil)
	if err != nil || commit != d.Commit || trailers[TrailerSignature][0] != testChange.Signature {
		t.Errorf("LastDeployment: %s %v %v", commit, trailers, err)
	}
	// The same image again changes nothing and pushes nothing.
	again, err := Deploy(context.Background(), target, testChange)
	if err != nil || !again.Unchanged || again.Commit != d.Commit {
		t.Errorf("redeploy: %+v %v", again, err)
	}
}

func TestDeployForApproval(t *testing.T) {
	bare, _ := envRepo(t)
	before := stockGit(t, bare, "rev-parse", "main")
	c := testChange
	c.Approval = true
	d, err := Deploy(context.Background(), Target{Repo: bare, Branch: "main", File: "staging/kustomization.yaml", Image: "api"}, c)
	if err != nil {
		t.Fatal(err)
	}
	if d.Branch != "mlc/deploy/staging/111111111111" {
		t.Errorf("branch %q", d.Branch)
	}
	if after := stockGit(t, bare, "rev-parse", "main"); after != before {
		t.Error("continuous delivery pushed to main: the approval is the merge")
	}
	if got := stockGit(t, bare, "rev-parse", d.Branch); got != d.Commit {
		t.Errorf("%s is at %s, want %s", d.Branch, got, d.Commit)
	}
	if base := stockGit(t, bare, "merge-base", "main", d.Branch); base != before {
		t.Errorf("the branch does not start at main")
	}
}

// TestDeployRace: another push lands between clone and push; mlc deploy
// redoes its change once on a fresh clone, and fails clearly the second
// time.
func TestDeployRace(t *testing.T) {
	bare, work := envRepo(t)
	rivals := 0
	rival := func() {
		rivals++
		if err := work.wt.Pull(&git.PullOptions{RemoteName: "origin", ReferenceName: plumbing.NewBranchReferenceName("main")}); err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
			t.Fatal(err)
		}
		work.commit(map[string]string{"staging/other.yaml": strings.Repeat("x", rivals)})
		work.push()
	}
	t.Cleanup(func() { beforePush = func() {} })
	target := Target{Repo: bare, Branch: "main", File: "staging/kustomization.yaml", Image: "api"}

	beforePush = func() {
		if rivals == 0 {
			rival()
		}
	}
	d, err := Deploy(context.Background(), target, testChange)
	if err != nil {
		t.Fatal(err)
	}
	if parent := stockGit(t, bare, "rev-parse", d.Commit+"^"); parent != work.head() {
		t.Errorf("the retried commit is not on top of the rival's")
	}

	c := testChange
	c.Image = testRepo1 + "@sha256:" + strings.Repeat("9", 64)
	beforePush = rival
	_, err = Deploy(context.Background(), target, c)
	if !errors.Is(err, ErrRejected) || !strings.Contains(err.Error(), "run mlc deploy again") {
		t.Errorf("two lost races: %v", err)
	}
	if got := stockGit(t, bare, "rev-parse", "main"); got != work.head() {
		t.Errorf("main moved to %s, want the rival's %s", got, work.head())
	}
}

func (r *testRepo) head() string {
	h, err := r.repo.Head()
	if err != nil {
		r.t.Fatal(err)
	}
	return h.Hash().String()
}

func TestDeployErrors(t *testing.T) {
	bare, _ := envRepo(t)
	before := stockGit(t, bare, "rev-parse", "main")
	ctx := context.Background()
	for _, c := range []struct {
		name   string
		target Target
		image  string
		want   string
	}{
		{"by tag", Target{Repo: bare, Branch: "main", File: "staging/kustomization.yaml", Image: "api"}, "ghcr.io/acme/ml/api:v2", "deploy by digest"},
		{"no such file", Target{Repo: bare, Branch: "main", File: "prod/kustomization.yaml", Image: "api"}, "", "has no prod/kustomization.yaml"},
		{"field missing", Target{Repo: bare, Branch: "main", File: "staging/deployment.yaml", Field: "spec.template.spec.containers[0].image"}, "", "no document has spec.template"},
		{"no branch", Target{Repo: bare, Branch: "prod", File: "staging/kustomization.yaml", Image: "api"}, "", "create the branch"},
		{"no repository", Target{Repo: filepath.Join(t.TempDir(), "none"), Branch: "main", File: "a.yaml", Image: "api"}, "", "cloning branch main"},
		{"outside", Target{Repo: bare, Branch: "main", File: "../a.yaml", Image: "api"}, "", "inside the repository"},
		{"both", Target{Repo: bare, Branch: "main", File: "a.yaml", Image: "api", Field: "a"}, "", "not both"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ch := testChange
			if c.image != "" {
				ch.Image = c.image
			}
			_, err := Deploy(ctx, c.target, ch)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want %q", err, c.want)
			}
		})
	}
	if after := stockGit(t, bare, "rev-parse", "main"); after != before {
		t.Error("a failed deployment moved main")
	}
	if refs := stockGit(t, bare, "for-each-ref", "--format=%(refname)"); refs != "refs/heads/main" {
		t.Errorf("refs after failures: %s", refs)
	}
}

// TestDeployNeedsCredentials: a remote that wants a token says which
// setting gives it one.
func TestDeployNeedsCredentials(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
		http.Error(w, "auth", http.StatusUnauthorized)
	}))
	defer srv.Close()
	_, err := Deploy(context.Background(), Target{Repo: srv.URL + "/env.git", Branch: "main", File: "a.yaml", Image: "api"}, testChange)
	if err == nil || !strings.Contains(err.Error(), "gitops.token_secret") {
		t.Errorf("got %v", err)
	}
}

func TestTrailers(t *testing.T) {
	got := Trailers("subject\n\nbody: not a trailer\n\nMlc-Dataset: a\nMlc-Dataset: b\nMlc-Run: r\n")
	if len(got["Mlc-Dataset"]) != 2 || got["Mlc-Run"][0] != "r" || got["body"] != nil {
		t.Errorf("%v", got)
	}
	if got := Trailers("subject\n\njust a sentence here\n"); len(got) != 0 {
		t.Errorf("prose read as trailers: %v", got)
	}
}
