// Package compiler turns a pipeline.cue into the IR: it loads the spec with
// cue/load, unifies it with the embedded schema, checks what CUE cannot
// (references, sources, secrets, strings), expands the spec into jobs and
// checks the job graph. Each check is a small pass in its own file.
package compiler

import (
	"os"
	"path/filepath"

	"github.com/mlc-project/mlc/ir"
)

// specCheck is a pass over the validated spec, before expansion.
type specCheck func(*Spec) Errors

// graphCheck is a pass over the expanded IR.
type graphCheck func(*ir.Pipeline, *builder) Errors

var (
	specChecks  = []specCheck{checkSources, checkAlert, checkReferences, checkSecrets, checkStrings, checkKeyless, checkPullRequestSecrets, checkBatch, checkMonitor, checkInstall, checkGenerated}
	graphChecks = []graphCheck{checkDuplicates, checkNeeds, checkCycles, checkReachable, checkArgRefs, checkScheduleNames}
)

// Compile loads the spec in dir and compiles it.
func Compile(dir string) (*ir.Pipeline, error) { return CompileWith(dir, Options{}) }

// CompileWith is Compile with load options.
func CompileWith(dir string, opts Options) (*ir.Pipeline, error) {
	s, err := LoadWith(dir, opts)
	if err != nil {
		return nil, err
	}
	return s.Compile()
}

// Compile checks the spec, expands it into the IR, checks the graph and
// then what each engine compiled for checks before rendering. On error
// the result is nil and the error is Errors.
func (s *Spec) Compile() (*ir.Pipeline, error) {
	var errs Errors
	for _, c := range specChecks {
		errs = append(errs, c(s)...)
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	if s.src.warn != nil {
		for _, w := range warnMutableImages(s) {
			s.src.warn(w)
		}
	}
	p, b := build(s, repoRelative(s.src.dir))
	for _, c := range graphChecks {
		errs = append(errs, c(p, b)...)
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	for _, w := range p.Workflows {
		sortJobs(w)
	}
	if err := checkEngines(p, b).err(); err != nil {
		return nil, err
	}
	return p, nil
}

// repoRelative is dir relative to the root of the git repository holding
// it (slash-separated, "." at the root), or "." outside a repository: the
// generated jobs run from the repository root.
func repoRelative(dir string) string {
	root, ok := RepoRoot(dir)
	if !ok {
		return "."
	}
	rel, err := filepath.Rel(root, dir)
	if err != nil {
		return "."
	}
	return filepath.ToSlash(rel)
}

// RepoRoot is the root of the git repository holding dir (an absolute
// path), and whether there is one.
func RepoRoot(dir string) (string, bool) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", false
	}
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			return d, true
		}
		if filepath.Dir(d) == d {
			return "", false
		}
	}
}
