package gitops

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/mlc-project/mlc/spec"
)

// Channel names, lowest first.
const (
	Alpha   = "alpha"
	Beta    = "beta"
	Release = "release"
)

// shortLen is git's default abbreviation for repositories of fewer than
// about 16,000 objects; longer SHAs would not be shorter to read.
const shortLen = 7

// Version is what a build of a checkout is stamped with.
type Version struct {
	Commit string `json:"commit"`
	Short  string `json:"short"`
	// Describe is `git describe --tags --match PATTERN` over the version
	// tags: v1.2.0 at a tag, v1.2.0-3-gabc1234 three commits later, the
	// short SHA when no version tag is reachable.
	Describe string `json:"describe"`
	Tag      string `json:"tag,omitempty"` // the version tag at HEAD
	Branch   string `json:"branch,omitempty"`
	Dirty    bool   `json:"dirty"`
	Channel  string `json:"channel"`
}

// ReadOptions are what git alone cannot tell.
type ReadOptions struct {
	Channels spec.Channels
	// Branch is the branch built, for a detached HEAD (CI checks out a
	// commit); it overrides the checked-out branch when set. HEAD or a
	// commit id names no branch (a Kubernetes run's revision parameter
	// may be either).
	Branch string
	// AllowDetached makes a detached HEAD with no branch and no version
	// tag the alpha channel instead of an error: a pipeline building a
	// commit by id cannot know its branch.
	AllowDetached bool
}

var commitID = regexp.MustCompile(`^[0-9a-f]{7,64}$`)

// ErrNotRepository: the directory is in no git repository.
var ErrNotRepository = errors.New("not in a git repository")

// Open opens the repository containing dir.
func Open(dir string) (*git.Repository, error) {
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, fmt.Errorf("%s is %w: versions come from git (run git init, or build from a clone)", dir, ErrNotRepository)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the git repository of %s: %w", dir, err)
	}
	return repo, nil
}

// ReadVersion reads the version of the checkout of repo.
func ReadVersion(repo *git.Repository, opts ReadOptions) (Version, error) {
	head, err := repo.Head()
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return Version{}, errors.New("the repository has no commit yet: commit first")
	}
	if err != nil {
		return Version{}, fmt.Errorf("reading HEAD: %w", err)
	}
	v := Version{Commit: head.Hash().String(), Short: head.Hash().String()[:shortLen], Branch: opts.Branch}
	if v.Branch == "HEAD" || commitID.MatchString(v.Branch) {
		v.Branch = ""
	}
	if v.Branch == "" && head.Name().IsBranch() {
		v.Branch = head.Name().Short()
	}
	patterns := opts.Channels.TagPatterns()
	tags, err := versionTags(repo, patterns)
	if err != nil {
		return Version{}, err
	}
	v.Tag = tags[head.Hash()]
	if v.Branch == "" && v.Tag == "" && !opts.AllowDetached {
		return Version{}, errors.New("HEAD is detached and no version tag points at it: pass --branch NAME (the branch CI builds) or check out a branch")
	}
	if v.Describe, err = describe(repo, head.Hash(), tags); err != nil {
		return Version{}, err
	}
	if v.Describe == "" {
		if shallow, _ := repo.Storer.Shallow(); len(shallow) > 0 && len(patterns) > 0 {
			return Version{}, fmt.Errorf("this is a shallow clone and no tag matching %s is reachable from HEAD: fetch the history and tags (git fetch --unshallow --tags; on GitHub, actions/checkout with fetch-depth: 0)", strings.Join(patterns, ", "))
		}
		v.Describe = v.Short
	}
	if v.Dirty, err = Dirty(repo); err != nil {
		return Version{}, err
	}
	v.Channel = channel(opts.Channels, v.Tag, v.Branch)
	return v, nil
}

// channel applies the rules, release before beta.
func channel(c spec.Channels, tag, branch string) string {
	for _, r := range []struct {
		name string
		rule spec.ChannelRule
	}{{Release, c.Release}, {Beta, c.Beta}} {
		if (tag != "" && Match(r.rule.Tags, tag)) || (branch != "" && Match(r.rule.Branches, branch)) {
			return r.name
		}
	}
	return Alpha
}

// versionTags maps commits to the tag matching patterns that git
// describe would name them by: annotated before lightweight, then the
// newest tagger date, then the first name.
func versionTags(repo *git.Repository, patterns []string) (map[plumbing.Hash]string, error) {
	type candidate struct {
		name string
		when time.Time // zero for a lightweight tag
	}
	best := map[plumbing.Hash]candidate{}
	if len(patterns) == 0 {
		return nil, nil
	}
	iter, err := repo.Tags()
	if err != nil {
		return nil, fmt.Errorf("listing tags: %w", err)
	}
	err = iter.ForEach(func(ref *plumbing.Reference) error {
		c := candidate{name: ref.Name().Short()}
		if !Match(patterns, c.name) {
			return nil
		}
		hash := ref.Hash()
		if tag, err := repo.TagObject(hash); err == nil {
			commit, err := tag.Commit()
			if err != nil {
				return nil // a tag of a tree or blob names no version
			}
			hash, c.when = commit.Hash, tag.Tagger.When
		}
		old, seen := best[hash]
		if !seen || c.when.After(old.when) || (c.when.Equal(old.when) && c.name < old.name) {
			best[hash] = c
		}
		return nil
	})
	out := make(map[plumbing.Hash]string, len(best))
	for h, c := range best {
		out[h] = c.name
	}
	return out, err
}

// describe finds the nearest tagged ancestor as git describe does: the
// tag whose commit leaves the fewest commits of HEAD's history outside
// its own ("" when none is reachable).
func describe(repo *git.Repository, head plumbing.Hash, tags map[plumbing.Hash]string) (string, error) {
	if name := tags[head]; name != "" {
		return name, nil
	}
	if len(tags) == 0 {
		return "", nil
	}
	headCount, err := countAncestors(repo, head)
	if err != nil {
		return "", err
	}
	best, bestDepth := "", -1
	for hash, name := range tags {
		if ok, err := isAncestor(repo, hash, head); err != nil || !ok {
			continue
		}
		n, err := countAncestors(repo, hash)
		if err != nil {
			return "", err
		}
		if depth := headCount - n; bestDepth < 0 || depth < bestDepth || (depth == bestDepth && name < best) {
			best, bestDepth = name, depth
		}
	}
	if best == "" {
		return "", nil
	}
	return fmt.Sprintf("%s-%d-g%s", best, bestDepth, head.String()[:shortLen]), nil
}

func countAncestors(repo *git.Repository, h plumbing.Hash) (int, error) {
	c, err := repo.CommitObject(h)
	if err != nil {
		return 0, fmt.Errorf("reading commit %s: %w", h, err)
	}
	n := 0
	err = object.NewCommitPreorderIter(c, nil, nil).ForEach(func(*object.Commit) error { n++; return nil })
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		err = nil // the edge of a shallow clone
	}
	return n, err
}

func isAncestor(repo *git.Repository, anc, of plumbing.Hash) (bool, error) {
	a, err := repo.CommitObject(anc)
	if err != nil {
		return false, err
	}
	o, err := repo.CommitObject(of)
	if err != nil {
		return false, err
	}
	return a.IsAncestor(o)
}

// Dirty is git describe --dirty's notion: tracked files changed, staged
// or not; untracked files do not count.
func Dirty(repo *git.Repository) (bool, error) {
	wt, err := repo.Worktree()
	if errors.Is(err, git.ErrIsBareRepository) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	st, err := wt.Status()
	if err != nil {
		return false, fmt.Errorf("reading the work tree's status: %w", err)
	}
	for _, s := range st {
		if s.Worktree == git.Untracked {
			continue
		}
		if s.Staging != git.Unmodified || s.Worktree != git.Unmodified {
			return true, nil
		}
	}
	return false, nil
}

// Head is the commit and branch checked out at dir; each is "" when
// unknown (outside git, no commit yet, a detached HEAD).
func Head(dir string) (commit, branch string) {
	repo, err := Open(dir)
	if err != nil {
		return "", ""
	}
	head, err := repo.Head()
	if err != nil {
		return "", ""
	}
	if head.Name().IsBranch() {
		branch = head.Name().Short()
	}
	return head.Hash().String(), branch
}
