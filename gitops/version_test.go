package gitops

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/mlc-project/mlc/spec"
)

func read(t *testing.T, r *testRepo, opts ReadOptions) Version {
	t.Helper()
	if opts.Channels.Release.Tags == nil && opts.Channels.Beta.Branches == nil {
		opts.Channels = spec.DefaultChannels()
	}
	v, err := ReadVersion(r.repo, opts)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestDescribeAgreesWithGit: every commit of a history with annotated
// and lightweight tags, a merge, and a non-version tag gets the name
// git describe --tags --match 'v*' gives it.
func TestDescribeAgreesWithGit(t *testing.T) {
	r := newTestRepo(t)
	c1 := r.commit(map[string]string{"a": "1"})
	r.tag("v1.0.0", c1, true)
	r.commit(map[string]string{"a": "2"})
	c3 := r.commit(map[string]string{"a": "3"})
	r.tag("data-2026", c3, false) // not a version tag
	c4 := r.commit(map[string]string{"a": "4"})
	r.tag("v1.1.0", c4, false)
	r.tag("v1.1.0-rc1", c4, false) // two lightweight tags at one commit: git takes the first name
	// A side branch from c3, merged back.
	r.checkout(&git.CheckoutOptions{Hash: c3, Branch: plumbing.NewBranchReferenceName("side"), Create: true})
	side := r.commit(map[string]string{"b": "1"})
	r.checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName("main")})
	c5 := r.commit(map[string]string{"a": "5"})
	merge := r.commitWithParents(map[string]string{"b": "1"}, c5, side)
	r.commit(map[string]string{"a": "6"})
	for _, at := range []plumbing.Hash{c1, c3, c4, side, merge, c5} {
		r.checkout(&git.CheckoutOptions{Hash: at})
		v := read(t, r, ReadOptions{Branch: "main"})
		if want := stockGit(t, r.dir, "describe", "--tags", "--match", "v*", "--always"); v.Describe != want {
			t.Errorf("at %s: describe %q, git says %q", at.String()[:7], v.Describe, want)
		}
		if want := stockGit(t, r.dir, "rev-parse", "--short=7", "HEAD"); v.Short != want {
			t.Errorf("short %q, git says %q", v.Short, want)
		}
	}
}

func TestChannels(t *testing.T) {
	r := newTestRepo(t)
	c1 := r.commit(map[string]string{"a": "1"})
	if v := read(t, r, ReadOptions{}); v.Channel != Beta || v.Branch != "main" || v.Describe != v.Short {
		t.Errorf("main without tags: %+v, want beta and the short SHA", v)
	}
	r.tag("v2.0.0", c1, true)
	r.checkout(&git.CheckoutOptions{Hash: c1}) // CI checks out the tag: detached
	if v := read(t, r, ReadOptions{}); v.Channel != Release || v.Tag != "v2.0.0" || v.Describe != "v2.0.0" {
		t.Errorf("at a release tag: %+v", v)
	}
	r.checkout(&git.CheckoutOptions{Hash: c1, Branch: plumbing.NewBranchReferenceName("feature/x"), Create: true})
	r.commit(map[string]string{"a": "2"})
	if v := read(t, r, ReadOptions{}); v.Channel != Alpha || !strings.HasPrefix(v.Describe, "v2.0.0-1-g") {
		t.Errorf("on a feature branch: %+v", v)
	}
	custom := spec.Channels{Release: spec.ChannelRule{Tags: []string{"release-*"}}, Beta: spec.ChannelRule{Branches: []string{"feature/**", "!feature/wip*"}}}
	if v := read(t, r, ReadOptions{Channels: custom}); v.Channel != Beta || v.Describe != v.Short {
		t.Errorf("custom rules: %+v (v2.0.0 is no version tag under them)", v)
	}
	if v := read(t, r, ReadOptions{Channels: custom, Branch: "feature/wip-1"}); v.Channel != Alpha {
		t.Errorf("an excluded branch: %+v", v)
	}
}

func TestDirty(t *testing.T) {
	r := newTestRepo(t)
	r.commit(map[string]string{"a": "1"})
	if err := os.WriteFile(filepath.Join(r.dir, "untracked"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if v := read(t, r, ReadOptions{}); v.Dirty {
		t.Error("an untracked file made the tree dirty; git describe --dirty says it is not")
	}
	if err := os.WriteFile(filepath.Join(r.dir, "a"), []byte("2"), 0o644); err != nil {
		t.Fatal(err)
	}
	if v := read(t, r, ReadOptions{}); !v.Dirty {
		t.Error("a changed tracked file did not make the tree dirty")
	}
	if got := stockGit(t, r.dir, "describe", "--always", "--dirty"); !strings.HasSuffix(got, "-dirty") {
		t.Errorf("git disagrees: %s", got)
	}
}

func TestVersionErrors(t *testing.T) {
	empty := newTestRepo(t)
	if _, err := ReadVersion(empty.repo, ReadOptions{Channels: spec.DefaultChannels()}); err == nil || !strings.Contains(err.Error(), "no commit") {
		t.Errorf("empty repository: %v", err)
	}
	if _, err := Open(t.TempDir()); err == nil || !strings.Contains(err.Error(), "not in a git repository") {
		t.Errorf("not a repository: %v", err)
	}
	r := newTestRepo(t)
	c1 := r.commit(map[string]string{"a": "1"})
	r.commit(map[string]string{"a": "2"})
	r.checkout(&git.CheckoutOptions{Hash: c1})
	if _, err := ReadVersion(r.repo, ReadOptions{Channels: spec.DefaultChannels()}); err == nil || !strings.Contains(err.Error(), "--branch") {
		t.Errorf("detached HEAD without --branch: %v", err)
	}
	// A Kubernetes run's revision parameter names a commit or HEAD, not
	// a branch; a pipeline building it allows the detached HEAD: alpha.
	for _, branch := range []string{"HEAD", c1.String(), c1.String()[:7]} {
		if _, err := ReadVersion(r.repo, ReadOptions{Channels: spec.DefaultChannels(), Branch: branch}); err == nil {
			t.Errorf("--branch %s taken for a branch", branch)
		}
		v, err := ReadVersion(r.repo, ReadOptions{Channels: spec.DefaultChannels(), Branch: branch, AllowDetached: true})
		if err != nil || v.Channel != Alpha || v.Branch != "" {
			t.Errorf("--branch %s --allow-detached: %+v, %v; want alpha with no branch", branch, v, err)
		}
	}
	if v := read(t, r, ReadOptions{Channels: spec.DefaultChannels(), Branch: "main", AllowDetached: true}); v.Channel != Beta {
		t.Errorf("--branch main --allow-detached: channel %s, want beta", v.Channel)
	}
}

// TestShallowClone: describe needs the tags' history, and says how to
// fetch it.
func TestShallowClone(t *testing.T) {
	r := newTestRepo(t)
	c1 := r.commit(map[string]string{"a": "1"})
	r.tag("v1.0.0", c1, true)
	r.commit(map[string]string{"a": "2"})
	r.commit(map[string]string{"a": "3"})
	// go-git's in-process server serves no shallow fetch: clone without
	// tags and cut the history as a depth-1 fetch would.
	dir := t.TempDir()
	shallow, err := git.PlainClone(dir, false, &git.CloneOptions{URL: r.dir, Tags: git.NoTags})
	if err != nil {
		t.Fatal(err)
	}
	head, err := shallow.Head()
	if err != nil {
		t.Fatal(err)
	}
	if err := shallow.Storer.SetShallow([]plumbing.Hash{head.Hash()}); err != nil {
		t.Fatal(err)
	}
	if got := stockGit(t, dir, "rev-parse", "--is-shallow-repository"); got != "true" {
		t.Fatalf("git says shallow = %s", got)
	}
	_, err = ReadVersion(shallow, ReadOptions{Channels: spec.DefaultChannels()})
	if err == nil || !strings.Contains(err.Error(), "shallow") || !strings.Contains(err.Error(), "fetch-depth: 0") {
		t.Errorf("shallow clone: %v", err)
	}
}
