package compiler

import (
	"maps"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mlc-project/mlc/gitops"
)

// Stages are the spec's parts and the paths each depends on, for
// change-aware runs (mlc affected). Paths are joined to root, the spec
// directory relative to the repository root ("." when they are one).
// The spec's own files change everything.
func (s *Spec) Stages(root string) []gitops.Stage {
	at := func(p string) string { return path.Join(root, filepath.ToSlash(p)) }
	spec := gitops.Stage{Name: "spec", All: true, Paths: []string{at("cue.mod")}}
	for _, f := range s.Files() {
		if rel, err := filepath.Rel(s.Dir(), f); err == nil {
			spec.Paths = append(spec.Paths, at(rel))
		}
	}
	out := []gitops.Stage{spec}
	dirs := func(ds ...string) []string {
		var ps []string
		for _, d := range ds {
			if d != "" && !slices.Contains(ps, at(d)) {
				ps = append(ps, at(d))
			}
		}
		return ps
	}
	for _, name := range sorted(s.Datasets) {
		d := s.Datasets[name]
		var ps []string
		if p, ok := d.Source.LocalPath(); ok {
			ps = append(ps, p)
		}
		if d.Prepare != nil {
			ps = append(ps, d.Prepare.Dir)
		}
		if pr := s.pullRequest(); pr.Fixtures != "" {
			ps = append(ps, path.Join(pr.Fixtures, name))
		}
		out = append(out, gitops.Stage{Name: "datasets." + name, Paths: dirs(ps...)})
	}
	for _, name := range sorted(s.Code) {
		out = append(out, gitops.Stage{Name: "code." + name, Paths: dirs(s.Code[name].Path)})
	}
	for _, name := range sorted(s.Models) {
		t := s.Models[name].Train
		st := gitops.Stage{Name: "models." + name, Paths: dirs(t.Dir)}
		for _, d := range t.Data {
			st.After = append(st.After, "datasets."+d)
		}
		if t.Code != "" {
			st.After = append(st.After, "code."+t.Code)
		}
		out = append(out, st)
	}
	// A change to how an app is deployed redeploys it: a deployment needs
	// the app's image, built again from the model in production.
	envs := sorted(s.Environments)
	deployDirs := map[string][]string{}
	for _, env := range envs {
		if e := s.Environments[env]; e.Deploy != nil {
			deployDirs[e.App] = append(deployDirs[e.App], e.Deploy.Dir)
		}
	}
	for _, name := range sorted(s.Apps) {
		a := s.Apps[name]
		ps := []string{a.Image.Context, a.Image.Dockerfile}
		if a.Batch != nil {
			ps = append(ps, a.Batch.Dir)
		}
		ps = append(ps, deployDirs[name]...)
		out = append(out, gitops.Stage{Name: "apps." + name, Paths: dirs(ps...), After: []string{"models." + a.Model}})
	}
	for _, name := range envs {
		e := s.Environments[name]
		st := gitops.Stage{Name: "environments." + name, After: []string{"apps." + e.App}}
		if e.Deploy != nil {
			st.Paths = dirs(e.Deploy.Dir)
		}
		out = append(out, st)
	}
	for _, name := range sorted(s.Steps) {
		c := s.Steps[name]
		st := gitops.Stage{Name: "steps." + name, Paths: dirs(c.Dir)}
		for _, a := range c.After {
			st.After = append(st.After, stageOf(s, a))
		}
		out = append(out, st)
	}
	return out
}

// stageOf names the stage of a custom step's "after" entry: a section
// such as models.scorer is one already; a bare name is another step.
func stageOf(s *Spec, after string) string {
	if _, ok := s.Steps[after]; ok && !strings.Contains(after, ".") {
		return "steps." + after
	}
	return after
}

func sorted[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
