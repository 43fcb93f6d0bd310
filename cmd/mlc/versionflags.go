package main

import (
	"errors"
	"fmt"
	"slices"

	"github.com/spf13/pflag"

	"github.com/mlc-project/mlc/artifact"
	"github.com/mlc-project/mlc/gitops"
)

// versionFlags stamp a pushed artifact with the build's version and
// channel, as mlc version printed them: annotations always, and on the
// release channel the version as a tag too (v1.2.0 beside the commit's).
type versionFlags struct {
	version, channel string
	allowDirty       bool
}

func addVersionFlags(fs *pflag.FlagSet) *versionFlags {
	f := &versionFlags{}
	fs.StringVar(&f.version, "version", "", "the build's version (mlc version): annotation "+artifact.AnnotationVersion+", and a tag on the release channel")
	fs.StringVar(&f.channel, "channel", "", "the build's channel, alpha, beta or release (mlc version): annotation "+artifact.AnnotationChannel)
	fs.BoolVar(&f.allowDirty, "allow-dirty", false, "push a release built from a work tree with uncommitted changes")
	return f
}

// check refuses what would mislabel an artifact: an unknown channel, a
// release without a version that can be a tag, or a release of a work
// tree (the checkout holding dir) that differs from its commit.
func (f *versionFlags) check(ref artifact.Ref, dir string) error {
	if f.channel != "" && !slices.Contains([]string{gitops.Alpha, gitops.Beta, gitops.Release}, f.channel) {
		return badInput(fmt.Errorf("--channel %q: want alpha, beta or release (what mlc version prints)", f.channel))
	}
	if f.channel != gitops.Release {
		return nil
	}
	if _, err := artifact.ParseRef(ref.WithTag(f.version).String()); err != nil || f.version == "" {
		return badInput(fmt.Errorf("--channel release tags the artifact with --version, and %q cannot be a tag: give the version mlc version prints (v1.2.0)", f.version))
	}
	if f.allowDirty {
		return nil
	}
	repo, err := gitops.Open(dir)
	if err != nil {
		return badInput(fmt.Errorf("a release is built from a commit: %w", err))
	}
	dirty, err := gitops.Dirty(repo)
	if err != nil {
		return failed(err)
	}
	if dirty {
		return badInput(errors.New("the work tree has uncommitted changes to tracked files, so this release would not be the commit it names: commit or stash them (or pass --allow-dirty)"))
	}
	return nil
}

// annotations are the stamps for the manifest (or the image's labels).
func (f *versionFlags) annotations() map[string]string {
	a := map[string]string{}
	if f.version != "" {
		a[artifact.AnnotationVersion] = f.version
	}
	if f.channel != "" {
		a[artifact.AnnotationChannel] = f.channel
	}
	return a
}

// tags are the tags a release adds once the artifact is signed.
func (f *versionFlags) tags() []string {
	if f.channel == gitops.Release {
		return []string{f.version}
	}
	return nil
}
