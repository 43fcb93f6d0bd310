package compiler

import (
	"fmt"
	"path"
	"slices"
	"strings"
)

// checkGenerated: the stale-output check runs in the pull-request
// workflow, and compares with directories inside the repository.
func checkGenerated(s *Spec) Errors {
	g := s.Git
	if len(g.Generated) == 0 {
		return nil
	}
	var errs Errors
	if s.Triggers == nil || s.Triggers.PullRequest == nil {
		errs = append(errs, &Error{Pos: s.pos("git", "generated"), Path: "git.generated",
			Msg:  "git.generated is checked on every pull request, but the spec has no pull-request trigger",
			Hint: "add triggers: pull_request: {} (or drop git.generated)"})
	}
	for i, t := range g.Generated {
		if slices.Index(g.Generated, t) < i {
			errs = append(errs, &Error{Pos: s.pos("git", "generated"), Path: "git.generated",
				Msg: fmt.Sprintf("target %s is listed twice", t), Hint: "list each target once"})
		}
	}
	for _, t := range slices.Sorted(slices.Values(g.Generated)) {
		dir := g.Dirs[t]
		if dir == "" || path.IsAbs(dir) || path.Clean(dir) != dir || dir == ".." || strings.HasPrefix(dir, "../") || strings.Contains(dir, `\`) {
			errs = append(errs, &Error{Pos: s.pos("git", "dirs", t), Path: "git.dirs." + t,
				Msg:  fmt.Sprintf("%q is not a directory inside the repository", dir),
				Hint: "give a clean slash-separated path relative to the repository root, such as " + defaultGeneratedDir(t)})
		}
	}
	return errs
}

// defaultGeneratedDir is the schema's default of git.dirs.TARGET.
func defaultGeneratedDir(target string) string {
	if target == "github" {
		return ".github/workflows"
	}
	return "deploy/" + target
}
