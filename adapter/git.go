package adapter

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
)

// gitFetcher makes a bare, shallow clone of one ref in a temporary
// directory and streams the files under Path out of its object store, so
// no worktree is checked out. Symbolic links and submodules are not copied.
type gitFetcher struct {
	src  GitSource
	repo string // clone URL, or a local path resolved against the spec dir
	auth transport.AuthMethod
}

// Environment variables that authenticate https clones of private
// repositories; list the token among the dataset's secrets. ssh URLs use
// the ssh agent.
const (
	envGitToken    = "MLC_GIT_TOKEN"
	envGitUsername = "MLC_GIT_USERNAME" // default x-access-token (GitHub); GitLab accepts any
)

// GitSource is Path (the whole tree when empty) at Ref of Repo.
type GitSource struct {
	Repo string `json:"repo"`
	Ref  string `json:"ref"`
	Path string `json:"path"`
}

func init() { register("git", newGitFetcher) }

func newGitFetcher(src GitSource, opts Options) (Fetcher, error) {
	if err := opts.required("source.git.repo", src.Repo, "give a clone URL or a path to a local repository"); err != nil {
		return nil, err
	}
	repo := src.Repo
	switch {
	case !isLocalRepo(repo) && opts.Offline:
		return nil, opts.invalid("offline: git repo %q needs the network; use a local repository path or a file:// URL", repo)
	case isLocalRepo(repo) && !strings.HasPrefix(repo, "file://") && !filepath.IsAbs(repo):
		repo = filepath.Join(opts.SpecDir, repo)
	}
	if p := strings.Trim(src.Path, "/"); p != "" && (!filepath.IsLocal(p) || path.Clean(p) != p) {
		return nil, opts.invalid("source.git.path %q is not a plain path inside the repository; write it like data/raw", src.Path)
	}
	f := &gitFetcher{src: src, repo: repo}
	if token := os.Getenv(envGitToken); token != "" && strings.HasPrefix(repo, "https://") {
		f.auth = &githttp.BasicAuth{Username: cmp.Or(os.Getenv(envGitUsername), "x-access-token"), Password: token}
	}
	return f, nil
}

// isLocalRepo tells paths and file:// URLs from https://, ssh:// and
// scp-like (git@host:repo) remotes.
func isLocalRepo(repo string) bool {
	return strings.HasPrefix(repo, "file://") || !strings.Contains(repo, ":")
}

// location names the source in messages and the manifest, without
// credentials a clone URL may carry.
func (f *gitFetcher) location() string {
	repo := f.src.Repo
	if strings.Contains(repo, "://") {
		repo = redactedURL(repo)
	}
	loc := repo + "@" + f.ref()
	if f.src.Path != "" {
		loc += ":" + f.src.Path
	}
	return loc
}

func (f *gitFetcher) ref() string {
	if f.src.Ref == "" {
		return "HEAD"
	}
	return f.src.Ref
}

func (f *gitFetcher) Fetch(ctx context.Context, dst string) (*Manifest, error) {
	tmp, err := os.MkdirTemp("", "mlc-git-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	commit, err := f.clone(ctx, tmp)
	if err != nil {
		return nil, fmt.Errorf("git %s: %w", f.location(), err)
	}
	tree, err := commit.Tree()
	if err != nil {
		return nil, err
	}
	out := newSink(dst)
	if err := f.copy(ctx, tree, out); err != nil {
		return nil, fmt.Errorf("git %s: %w", f.location(), err)
	}
	return out.manifest(f.location() + " (commit " + commit.Hash.String() + ")"), nil
}

// clone fetches the one commit the ref names: HEAD, a branch, a tag or a
// full commit hash (which needs the whole history, as servers do not
// serve single commits by hash to shallow clones).
func (f *gitFetcher) clone(ctx context.Context, tmp string) (*object.Commit, error) {
	ref := f.ref()
	opts := git.CloneOptions{URL: f.repo, Auth: f.auth, Depth: 1, SingleBranch: true, Tags: git.NoTags}
	if plumbing.IsHash(ref) {
		opts.Depth, opts.SingleBranch = 0, false
		r, err := git.PlainCloneContext(ctx, filepath.Join(tmp, "full"), true, &opts)
		if err != nil {
			return nil, err
		}
		return r.CommitObject(plumbing.NewHash(ref))
	}
	candidates := []plumbing.ReferenceName{plumbing.HEAD}
	if ref != "HEAD" {
		candidates = []plumbing.ReferenceName{plumbing.NewBranchReferenceName(ref), plumbing.NewTagReferenceName(ref)}
	}
	for i, name := range candidates {
		opts.ReferenceName = name
		r, err := git.PlainCloneContext(ctx, filepath.Join(tmp, fmt.Sprint(i)), true, &opts)
		var noMatch git.NoMatchingRefSpecError
		if errors.Is(err, plumbing.ErrReferenceNotFound) || errors.As(err, &noMatch) {
			continue
		}
		if err != nil {
			return nil, err
		}
		head, err := r.Head()
		if err != nil {
			return nil, err
		}
		return r.CommitObject(head.Hash())
	}
	return nil, fmt.Errorf("ref %q is neither a branch nor a tag of the repository; give a branch, a tag or a full commit hash", ref)
}

// copy writes the file or directory at Path (everything when empty).
func (f *gitFetcher) copy(ctx context.Context, tree *object.Tree, out *sink) error {
	p := strings.Trim(f.src.Path, "/")
	if p != "" && p != "." {
		entry, err := tree.FindEntry(p)
		if err != nil {
			return fmt.Errorf("path %q is not in the repository at this ref", f.src.Path)
		}
		if entry.Mode != filemode.Dir {
			file, err := tree.File(p)
			if err != nil {
				return err
			}
			return writeBlob(file, path.Base(p), out)
		}
		if tree, err = tree.Tree(p); err != nil {
			return err
		}
	}
	return tree.Files().ForEach(func(file *object.File) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if file.Mode == filemode.Symlink {
			return nil
		}
		return writeBlob(file, file.Name, out)
	})
}

func writeBlob(file *object.File, rel string, out *sink) error {
	r, err := file.Reader()
	if err != nil {
		return err
	}
	defer r.Close()
	return out.write(rel, r, "")
}
