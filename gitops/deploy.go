package gitops

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/go-git/go-billy/v5/memfs"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/go-git/go-git/v5/storage/memory"
)

// Target is an environment's manifest in a GitOps repository, which
// Argo CD or Flux syncs to a cluster.
type Target struct {
	Repo   string // clone URL, or a path on disk
	Branch string // the branch the environment syncs from
	File   string // the manifest, relative to the repository root
	// Image names the kustomization images: entry to set; Field is a
	// YAML path to set instead (spec.template.spec.containers[0].image).
	Image string
	Field string
	Auth  transport.AuthMethod
}

// Change is what a deployment records: the image by digest, and what it
// is made of, as commit trailers.
type Change struct {
	Environment string
	Image       string // REPO@sha256:…
	Model       string
	Signature   string // digest of the image's verified signature
	Datasets    []string
	Code        []string
	Run         string // URL of the CI run that deploys
	// Approval pushes a branch for a person to merge (continuous
	// delivery) instead of the environment's branch.
	Approval bool
	Author   object.Signature
}

// Trailer keys of a deployment commit (git interpret-trailers format).
const (
	TrailerEnvironment = "Mlc-Environment"
	TrailerImage       = "Mlc-Image"
	TrailerModel       = "Mlc-Model"
	TrailerSignature   = "Mlc-Signature"
	TrailerDataset     = "Mlc-Dataset"
	TrailerCode        = "Mlc-Code"
	TrailerRun         = "Mlc-Run"
)

// Deployed is the outcome: the commit pushed and the branch it went to.
type Deployed struct {
	Commit    string
	Branch    string
	Unchanged bool // the manifest already named the image: nothing pushed
}

// ErrRejected is a push the remote refused twice.
var ErrRejected = errors.New("push rejected")

// Deploy writes c.Image into the target's manifest, commits with the
// trailers and pushes. The clone lives in memory, so a failure leaves no
// file and no commit behind; a push that loses a race (non-fast-forward)
// is redone once on a fresh clone.
func Deploy(ctx context.Context, t Target, c Change) (Deployed, error) {
	if (t.Image == "") == (t.Field == "") {
		return Deployed{}, errors.New("say what to set: a kustomization image name or a YAML field, not both")
	}
	repoName, digest, err := splitDigestRef(c.Image)
	if err != nil {
		return Deployed{}, err
	}
	if !isLocalPath(t.File) {
		return Deployed{}, fmt.Errorf("file %q: want a path inside the repository", t.File)
	}
	branch := t.Branch
	if c.Approval {
		branch = fmt.Sprintf("mlc/deploy/%s/%s", c.Environment, strings.TrimPrefix(digest, "sha256:")[:12])
	}
	for attempt := 0; ; attempt++ {
		d, err := deployOnce(ctx, t, c, branch, repoName, digest)
		if errors.Is(err, git.ErrNonFastForwardUpdate) || err != nil && strings.Contains(err.Error(), "non-fast-forward") {
			if attempt == 0 {
				continue
			}
			return Deployed{}, fmt.Errorf("%w twice by %s (non-fast-forward: another deployment pushed meanwhile): run mlc deploy again", ErrRejected, t.Repo)
		}
		return d, err
	}
}

func deployOnce(ctx context.Context, t Target, c Change, branch, repoName, digest string) (Deployed, error) {
	fs := memfs.New()
	repo, err := git.CloneContext(ctx, memory.NewStorage(), fs, &git.CloneOptions{
		URL: t.Repo, Auth: t.Auth, ReferenceName: plumbing.NewBranchReferenceName(t.Branch), SingleBranch: true,
	})
	if err != nil {
		return Deployed{}, fmt.Errorf("cloning branch %s of %s: %w", t.Branch, t.Repo, cloneHint(err))
	}
	f, err := fs.Open(t.File)
	if err != nil {
		return Deployed{}, fmt.Errorf("%s has no %s on branch %s: commit the environment's manifest first", t.Repo, t.File, t.Branch)
	}
	src, err := io.ReadAll(f)
	f.Close()
	if err != nil {
		return Deployed{}, err
	}
	var out []byte
	if t.Image != "" {
		out, err = setKustomizeImage(src, t.Image, repoName, digest)
	} else {
		out, err = setField(src, t.Field, c.Image)
	}
	if err != nil {
		return Deployed{}, fmt.Errorf("%s in %s (branch %s): %w; fix the file in the repository, or the environment's gitops settings", t.File, t.Repo, t.Branch, err)
	}
	if string(out) == string(src) {
		head, _ := repo.Head()
		return Deployed{Commit: head.Hash().String(), Branch: t.Branch, Unchanged: true}, nil
	}
	wt, err := repo.Worktree()
	if err != nil {
		return Deployed{}, err
	}
	w, err := fs.Create(t.File)
	if err != nil {
		return Deployed{}, err
	}
	if _, err := w.Write(out); err != nil {
		return Deployed{}, err
	}
	if err := w.Close(); err != nil {
		return Deployed{}, err
	}
	if _, err := wt.Add(t.File); err != nil {
		return Deployed{}, err
	}
	author := c.Author
	if author.When.IsZero() {
		author.When = time.Now()
	}
	hash, err := wt.Commit(commitMessage(t, c), &git.CommitOptions{Author: &author, Committer: &author})
	if err != nil {
		return Deployed{}, err
	}
	beforePush()
	spec := config.RefSpec(fmt.Sprintf("%s:refs/heads/%s", hash, branch))
	if c.Approval {
		spec = "+" + spec // mlc's own branch: a rerun replaces it
	}
	err = repo.PushContext(ctx, &git.PushOptions{RemoteName: "origin", RefSpecs: []config.RefSpec{spec}, Auth: t.Auth})
	if err != nil {
		return Deployed{}, fmt.Errorf("pushing to %s: %w", t.Repo, err)
	}
	return Deployed{Commit: hash.String(), Branch: branch}, nil
}

// commitMessage names the artifact in the subject and everything it is
// made of in trailers, which git log --format=%(trailers) reads.
func commitMessage(t Target, c Change) string {
	_, digest, _ := splitDigestRef(c.Image)
	var b strings.Builder
	fmt.Fprintf(&b, "deploy %s: %s@%s\n\n", c.Environment, path.Base(strings.SplitN(c.Image, "@", 2)[0]), digest[:len("sha256:")+12])
	fmt.Fprintf(&b, "mlc deploy set %s in %s.\n\n", c.Image, t.File)
	trailer := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	trailer(TrailerEnvironment, c.Environment)
	trailer(TrailerImage, c.Image)
	trailer(TrailerModel, c.Model)
	trailer(TrailerSignature, c.Signature)
	for _, d := range c.Datasets {
		trailer(TrailerDataset, d)
	}
	for _, d := range c.Code {
		trailer(TrailerCode, d)
	}
	trailer(TrailerRun, c.Run)
	return b.String()
}

func cloneHint(err error) error {
	var noRef git.NoMatchingRefSpecError
	switch {
	case errors.As(err, &noRef):
		return fmt.Errorf("%w: create the branch with the environment's manifests first", err)
	case errors.Is(err, transport.ErrAuthenticationRequired), errors.Is(err, transport.ErrAuthorizationFailed):
		return fmt.Errorf("%w: give the environment's gitops.token_secret a token that can push", err)
	case errors.Is(err, plumbing.ErrReferenceNotFound), errors.Is(err, transport.ErrEmptyRemoteRepository):
		return fmt.Errorf("%w: create the branch with the environment's manifests first", err)
	}
	return err
}

func isLocalPath(p string) bool {
	return p != "" && !path.IsAbs(p) && !strings.HasPrefix(path.Clean(p), "..") && !strings.Contains(p, "\\")
}

// LastDeployment finds the newest commit on branch of repo whose trailers
// name env, and returns its trailers (several values per key in order).
func LastDeployment(ctx context.Context, repoURL, branch, env string, auth transport.AuthMethod) (commit string, trailers map[string][]string, err error) {
	repo, err := git.CloneContext(ctx, memory.NewStorage(), nil, &git.CloneOptions{
		URL: repoURL, Auth: auth, ReferenceName: plumbing.NewBranchReferenceName(branch), SingleBranch: true, NoCheckout: true,
	})
	if err != nil {
		return "", nil, fmt.Errorf("cloning branch %s of %s: %w", branch, repoURL, cloneHint(err))
	}
	head, err := repo.Head()
	if err != nil {
		return "", nil, err
	}
	iter, err := repo.Log(&git.LogOptions{From: head.Hash()})
	if err != nil {
		return "", nil, err
	}
	err = iter.ForEach(func(c *object.Commit) error {
		if tr := Trailers(c.Message); len(tr[TrailerEnvironment]) > 0 && tr[TrailerEnvironment][0] == env {
			commit, trailers = c.Hash.String(), tr
			return errStop
		}
		return nil
	})
	if errors.Is(err, errStop) {
		return commit, trailers, nil
	}
	if err != nil {
		return "", nil, err
	}
	return "", nil, fmt.Errorf("no commit on branch %s of %s deploys %s (mlc deploy writes a %s trailer)", branch, repoURL, env, TrailerEnvironment)
}

var errStop = errors.New("stop")

// beforePush lets tests push a rival commit between clone and push.
var beforePush = func() {}

// Trailers parses the last paragraph of a commit message as "Key: value"
// lines, as git interpret-trailers does for Mlc- keys.
func Trailers(msg string) map[string][]string {
	paras := strings.Split(strings.TrimRight(msg, "\n"), "\n\n")
	out := map[string][]string{}
	for _, line := range strings.Split(paras[len(paras)-1], "\n") {
		k, v, ok := strings.Cut(line, ": ")
		if !ok || strings.ContainsAny(k, " \t") {
			return map[string][]string{}
		}
		out[k] = append(out[k], v)
	}
	return out
}

// TokenAuth is HTTPS basic auth with a token, as GitHub and GitLab take
// it; "" is none.
func TokenAuth(token string) transport.AuthMethod {
	if token == "" {
		return nil
	}
	return &githttp.BasicAuth{Username: "x-access-token", Password: token}
}
