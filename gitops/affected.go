package gitops

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Stage is one part of a pipeline and what it depends on.
type Stage struct {
	Name string // "models.scorer"
	// Paths are repository-relative, slash-separated files or
	// directories; "" or "." is the whole repository.
	Paths []string
	// After are the stages whose change changes this one (a model
	// retrains when its dataset changed).
	After []string
	// All marks the stage whose change affects every stage (the spec).
	All bool
}

// Reason says why a stage is affected: a changed path under one of its
// paths, or a stage it depends on.
type Reason struct {
	Path    string `json:"path,omitempty"`
	Matched string `json:"matched,omitempty"`
	Via     string `json:"via,omitempty"`
	// NoBase says why there was nothing to compare with (a scheduled
	// run, a new branch, a force push): every stage is affected.
	NoBase string `json:"no_base,omitempty"`
}

// OutputKey is the step output mlc affected writes a stage's verdict to,
// and the jobs it gates read: models.scorer → models_scorer.
func OutputKey(stage string) string { return strings.ReplaceAll(stage, ".", "_") }

// Everything is every stage affected, for a change that cannot be
// compared with a base (why says so): running all is the safe answer.
func Everything(stages []Stage, why string) []Effect {
	out := make([]Effect, len(stages))
	for i, s := range stages {
		out[i] = Effect{Stage: s.Name, Affected: true, Because: []Reason{{NoBase: why}}}
	}
	return out
}

// NoBase says why base names nothing to compare with, or "": empty (a
// scheduled or manual run), all zeros (GitHub's before of a new branch).
func NoBase(base string) string {
	switch {
	case base == "":
		return "no base given"
	case strings.Trim(base, "0") == "" && len(base) >= 40:
		return "a new branch"
	}
	return ""
}

// Effect is one stage's verdict.
type Effect struct {
	Stage    string   `json:"stage"`
	Affected bool     `json:"affected"`
	Because  []Reason `json:"because,omitempty"`
}

// Changed lists the paths that differ between the merge base of base and
// head, and head: what a pull request from head into base changes.
func Changed(repo *git.Repository, base, head string) ([]string, error) {
	b, err := commitAt(repo, base)
	if err != nil {
		return nil, err
	}
	h, err := commitAt(repo, head)
	if err != nil {
		return nil, err
	}
	bases, err := b.MergeBase(h)
	if err != nil {
		return nil, fmt.Errorf("finding the merge base of %s and %s: %w", base, head, err)
	}
	if len(bases) == 0 {
		return nil, fmt.Errorf("%s and %s share no history (in a shallow clone, fetch more: git fetch --unshallow)", base, head)
	}
	from, err := bases[0].Tree()
	if err != nil {
		return nil, err
	}
	to, err := h.Tree()
	if err != nil {
		return nil, err
	}
	changes, err := object.DiffTree(from, to)
	if err != nil {
		return nil, fmt.Errorf("comparing %s with %s: %w", base, head, err)
	}
	var paths []string
	for _, c := range changes {
		for _, p := range []string{c.From.Name, c.To.Name} {
			if p != "" && !slices.Contains(paths, p) {
				paths = append(paths, p)
			}
		}
	}
	slices.Sort(paths)
	return paths, nil
}

func commitAt(repo *git.Repository, rev string) (*object.Commit, error) {
	h, err := repo.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return nil, fmt.Errorf("revision %q not found: fetch it first (git fetch origin BRANCH; on GitHub, actions/checkout with fetch-depth: 0)", rev)
	}
	c, err := repo.CommitObject(*h)
	if err != nil {
		return nil, fmt.Errorf("revision %q: %w", rev, err)
	}
	return c, nil
}

// Affected decides, for each stage in order, whether the changed paths
// reach it, directly or through the stages it comes after.
func Affected(changed []string, stages []Stage) []Effect {
	out := make([]Effect, len(stages))
	byName := map[string]*Effect{}
	var all *Effect
	for i, s := range stages {
		out[i] = Effect{Stage: s.Name, Because: direct(changed, s.Paths)}
		byName[s.Name] = &out[i]
		if s.All && len(out[i].Because) > 0 {
			all = &out[i]
		}
	}
	// After edges may point forwards: repeat until nothing changes.
	for changedAny := true; changedAny; {
		changedAny = false
		for i, s := range stages {
			e := &out[i]
			if len(e.Because) > 0 && !e.Affected {
				e.Affected, changedAny = true, true
			}
			if e.Affected {
				continue
			}
			if all != nil && e != all {
				e.Because = []Reason{{Via: all.Stage}}
				continue
			}
			for _, a := range s.After {
				if dep := byName[a]; dep != nil && dep.Affected {
					e.Because = append(e.Because, Reason{Via: a})
				}
			}
		}
	}
	return out
}

// direct lists the changed paths under any of paths.
func direct(changed, paths []string) []Reason {
	var out []Reason
	for _, c := range changed {
		for _, p := range paths {
			if under(c, p) {
				out = append(out, Reason{Path: c, Matched: p})
				break
			}
		}
	}
	return out
}

func under(file, dir string) bool {
	dir = path.Clean(dir)
	return dir == "." || file == dir || strings.HasPrefix(file, dir+"/")
}

// Root is the directory of repo's work tree.
func Root(repo *git.Repository) (string, error) {
	wt, err := repo.Worktree()
	if err != nil {
		return "", fmt.Errorf("the repository has no work tree: %w", err)
	}
	return wt.Filesystem.Root(), nil
}
