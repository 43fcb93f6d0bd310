package main

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/mlc-project/mlc/compiler"
	"github.com/mlc-project/mlc/gitops"
	"github.com/mlc-project/mlc/spec"
)

func newVersionCmd() *cobra.Command {
	var (
		asJSON, allowDetached bool
		branch                string
		tags                  []string
	)
	cmd := &cobra.Command{
		Use:   "version [dir]",
		Short: "Print the version a build of this checkout is stamped with",
		Long: `version reads git (go-git, no git binary) for the checkout holding dir
(default "."): the commit, the nearest version tag as git describe --tags
names it (v1.2.0, v1.2.0-3-gabc1234), the branch, whether tracked files
changed, and the channel the spec's git.channels give it (by default a v*
tag is a release, main is beta, anything else alpha). It also writes them
to $MLC_OUTPUT for the steps after it. mlc --version is mlc's own version.

CI checks out a commit, not a branch: --branch names the branch built
(default $MLC_BRANCH, or GitHub's $GITHUB_HEAD_REF / $GITHUB_REF_NAME).`,
		Example: `  mlc version
  mlc version examples/credit-risk --json --branch main`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := specDir(args)
			channels, err := specChannels(dir, tags)
			if err != nil {
				return err
			}
			repo, err := gitops.Open(dir)
			if errors.Is(err, gitops.ErrNotRepository) && allowDetached {
				// mlc run outside git: nothing to name the build by.
				fmt.Fprintf(cmd.ErrOrStderr(), "mlc: %v; the build is unversioned, on the alpha channel\n", err)
				return writeOutputs("channel", gitops.Alpha, "version", "")
			}
			if err != nil {
				return badInput(err)
			}
			v, err := gitops.ReadVersion(repo, gitops.ReadOptions{Channels: channels, Branch: branch, AllowDetached: allowDetached})
			if err != nil {
				return badInput(err)
			}
			if err := writeOutputs("commit", v.Commit, "short", v.Short, "version", v.Describe,
				"channel", v.Channel, "branch", v.Branch, "tag", v.Tag, "dirty", strconv.FormatBool(v.Dirty)); err != nil {
				return failed(err)
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(v)
			}
			dirty := ""
			if v.Dirty {
				dirty = ", dirty"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s (%s, %s, %s%s)\n", v.Describe, v.Channel, cmp.Or(v.Branch, "tag "+v.Tag), v.Short, dirty)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the version as JSON")
	cmd.Flags().StringVar(&branch, "branch", ciBranch(), "the branch built, for a detached HEAD (HEAD or a commit id names none)")
	cmd.Flags().BoolVar(&allowDetached, "allow-detached", false, "a detached HEAD with no branch and no version tag, or no git repository at all, is the alpha channel, not an error (a pipeline building a commit by id, mlc run outside git)")
	addTagFlag(cmd, &tags)
	return cmd
}

// ciBranch is the branch CI says it builds: mlc's own variable, then
// GitHub's (the head branch of a pull request, else the pushed branch).
func ciBranch() string {
	pushed := ""
	if os.Getenv("GITHUB_REF_TYPE") == "branch" {
		pushed = os.Getenv("GITHUB_REF_NAME")
	}
	return cmp.Or(os.Getenv("MLC_BRANCH"), os.Getenv("GITHUB_HEAD_REF"), pushed)
}

// specChannels are the spec's channel rules, or the defaults when dir
// holds no spec (mlc version works in any repository).
func specChannels(dir string, tags []string) (spec.Channels, error) {
	if cue, _ := filepath.Glob(filepath.Join(dir, "*.cue")); len(cue) == 0 {
		return spec.DefaultChannels(), nil
	}
	s, err := compiler.LoadWith(dir, compiler.Options{Tags: tags})
	if err != nil {
		return spec.Channels{}, badInput(err)
	}
	return s.Git.Channels, nil
}
