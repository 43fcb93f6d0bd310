package adapter

import (
	"cmp"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/transport/client"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
)

// newGitRepo makes a repository with two commits on main (the second
// changes data/a.csv), tag v1 on the first, branch "old" on the first, and
// returns its path and the first commit's hash.
func newGitRepo(t *testing.T) (repo, first string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed; go-git's file transport runs git-upload-pack")
	}
	repo = t.TempDir()
	git := func(args ...string) string {
		cmd := exec.Command("git", args...)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
			"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	write := func(rel, content string) {
		p := filepath.Join(repo, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git("init", "-q", "-b", "main")
	write("data/a.csv", "v1\n")
	write("data/nested/b.csv", "b\n")
	write("README.md", "readme\n")
	if err := os.Symlink("README.md", filepath.Join(repo, "link")); err != nil {
		t.Fatal(err)
	}
	git("add", ".")
	git("commit", "-q", "-m", "first")
	first = git("rev-parse", "HEAD")
	git("tag", "-a", "v1", "-m", "v1")
	git("branch", "old")
	write("data/a.csv", "v2\n")
	git("commit", "-q", "-am", "second")
	return repo, first
}

func TestGitFetchesPathAtRef(t *testing.T) {
	repo, first := newGitRepo(t)
	v1 := map[string]string{"a.csv": "v1\n", "nested/b.csv": "b\n"}
	for _, tc := range []struct {
		ref  string
		want map[string]string
	}{
		{"", map[string]string{"a.csv": "v2\n", "nested/b.csv": "b\n"}},
		{"main", map[string]string{"a.csv": "v2\n", "nested/b.csv": "b\n"}},
		{"old", v1},
		{"v1", v1},
		{first, v1},
	} {
		t.Run("ref="+tc.ref, func(t *testing.T) {
			dst, m := mustFetch(t, sourceOf("git", GitSource{Repo: "file://" + repo, Ref: tc.ref, Path: "data/"}), Options{})
			assertTree(t, dst, tc.want)
			if !strings.Contains(m.Source, "@"+cmp.Or(tc.ref, "HEAD")+":data/ (commit ") {
				t.Errorf("manifest source %q", m.Source)
			}
			if tc.ref == first && !strings.HasSuffix(m.Source, "(commit "+first+")") {
				t.Errorf("manifest source %q does not name commit %s", m.Source, first)
			}
		})
	}
}

func TestGitWholeTreeSkipsSymlinksAndSingleFile(t *testing.T) {
	repo, _ := newGitRepo(t)
	// A relative repo path is resolved against the spec directory.
	specDir, rel := filepath.Split(repo)
	dst, _ := mustFetch(t, sourceOf("git", GitSource{Repo: rel}), Options{SpecDir: specDir, Offline: true})
	assertTree(t, dst, map[string]string{"README.md": "readme\n", "data/a.csv": "v2\n", "data/nested/b.csv": "b\n"})

	dst, _ = mustFetch(t, sourceOf("git", GitSource{Repo: repo, Path: "data/nested/b.csv"}), Options{})
	assertTree(t, dst, map[string]string{"b.csv": "b\n"})
}

func TestGitMissingRefAndPath(t *testing.T) {
	repo, _ := newGitRepo(t)
	assertErrContains(t, fetchErr(t, sourceOf("git", GitSource{Repo: repo, Ref: "nope"}), Options{}),
		`ref "nope" is neither a branch nor a tag`)
	assertErrContains(t, fetchErr(t, sourceOf("git", GitSource{Repo: repo, Path: "missing"}), Options{}),
		`path "missing" is not in the repository`)
	assertErrContains(t, fetchErr(t, sourceOf("git", GitSource{Repo: filepath.Join(repo, "absent")}), Options{}),
		"git "+filepath.Join(repo, "absent"))
}

// serveGitHTTPS serves the repositories under root over https with git's
// own smart-HTTP backend, requiring basic auth with password token, and
// makes go-git trust the test certificate.
func serveGitHTTPS(t *testing.T, root, token string) string {
	t.Helper()
	gitBin, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git is not installed")
	}
	backend := &cgi.Handler{Path: gitBin, Args: []string{"http-backend"},
		Env: []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"}}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pw, ok := r.BasicAuth(); !ok || pw != token {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		backend.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	client.InstallProtocol("https", githttp.NewClient(srv.Client()))
	t.Cleanup(func() { client.InstallProtocol("https", githttp.DefaultClient) })
	return srv.URL
}

func TestGitPrivateHTTPSRepoWithToken(t *testing.T) {
	repo, _ := newGitRepo(t)
	url := serveGitHTTPS(t, filepath.Dir(repo), "s3cret") + "/" + filepath.Base(repo)
	src := sourceOf("git", GitSource{Repo: url, Ref: "v1", Path: "data/nested"})

	t.Setenv("MLC_GIT_TOKEN", "")
	assertErrContains(t, fetchErr(t, src, Options{}), "authentication required")

	inURL := sourceOf("git", GitSource{Repo: strings.Replace(url, "https://", "https://u:wrong@", 1)})
	if err := fetchErr(t, inURL, Options{}); strings.Contains(err.Error(), "wrong") {
		t.Errorf("error %v shows the password in the repo URL", err)
	}

	t.Setenv("MLC_GIT_TOKEN", "s3cret")
	dst, _ := mustFetch(t, src, Options{})
	assertTree(t, dst, map[string]string{"b.csv": "b\n"})
}
