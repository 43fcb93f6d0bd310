package gitops

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// testRepo is a repository in a temp dir, written with go-git.
type testRepo struct {
	t    *testing.T
	dir  string
	repo *git.Repository
	wt   *git.Worktree
	n    int
}

func newTestRepo(t *testing.T) *testRepo {
	t.Helper()
	dir := t.TempDir()
	repo, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")}})
	if err != nil {
		t.Fatal(err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	return &testRepo{t: t, dir: dir, repo: repo, wt: wt}
}

var testAuthor = object.Signature{Name: "Ada", Email: "ada@example.com"}

// commit writes files (path → content) and commits them.
func (r *testRepo) commit(files map[string]string) plumbing.Hash {
	r.t.Helper()
	return r.commitWithParents(files)
}

// commitWithParents commits with the given parents (a merge when two;
// HEAD when none).
func (r *testRepo) commitWithParents(files map[string]string, parents ...plumbing.Hash) plumbing.Hash {
	r.t.Helper()
	for p, content := range files {
		full := filepath.Join(r.dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			r.t.Fatal(err)
		}
		if _, err := r.wt.Add(p); err != nil {
			r.t.Fatal(err)
		}
	}
	r.n++
	sig := testAuthor
	sig.When = time.Date(2026, 1, 1, 0, 0, r.n, 0, time.UTC)
	h, err := r.wt.Commit("change "+string(rune('a'+r.n%26)), &git.CommitOptions{Author: &sig, Committer: &sig, AllowEmptyCommits: true, Parents: parents})
	if err != nil {
		r.t.Fatal(err)
	}
	return h
}

func (r *testRepo) tag(name string, at plumbing.Hash, annotated bool) {
	r.t.Helper()
	var opts *git.CreateTagOptions
	if annotated {
		sig := testAuthor
		sig.When = time.Date(2026, 1, 1, 0, 0, r.n, 0, time.UTC)
		opts = &git.CreateTagOptions{Tagger: &sig, Message: name}
	}
	if _, err := r.repo.CreateTag(name, at, opts); err != nil {
		r.t.Fatal(err)
	}
}

func (r *testRepo) checkout(opts *git.CheckoutOptions) {
	r.t.Helper()
	if err := r.wt.Checkout(opts); err != nil {
		r.t.Fatal(err)
	}
}

// stockGit runs the git CLI, to check that what go-git wrote is what git
// reads; the test is skipped where git is not installed.
func stockGit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}
