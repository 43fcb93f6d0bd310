package compiler

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// checkReferences: every name one section uses from another exists, and
// evaluation gates have what they compare against.
func checkReferences(s *Spec) Errors {
	var errs Errors
	ref := func(kind string, known []string, name string, path ...string) {
		if _, ok := slices.BinarySearch(known, name); !ok { // known is sorted
			errs = append(errs, unknown(s, kind, name, known, path...))
		}
	}
	datasets, code, models := slices.Sorted(maps.Keys(s.Datasets)), slices.Sorted(maps.Keys(s.Code)), slices.Sorted(maps.Keys(s.Models))
	apps, envs, steps := slices.Sorted(maps.Keys(s.Apps)), slices.Sorted(maps.Keys(s.Environments)), slices.Sorted(maps.Keys(s.Steps))
	for _, name := range models {
		m := s.Models[name]
		if m.Train.Code != "" {
			ref("code", code, m.Train.Code, "models", name, "train", "code")
		}
		for _, d := range m.Train.Data {
			ref("dataset", datasets, d, "models", name, "train", "data")
		}
	}
	for _, name := range apps {
		ref("model", models, s.Apps[name].Model, "apps", name, "model")
		if b := s.Apps[name].Batch; b != nil {
			ref("dataset", datasets, b.Data, "apps", name, "batch", "data")
		}
	}
	for _, name := range envs {
		e := s.Environments[name]
		ref("app", apps, e.App, "environments", name, "app")
		if e.After != "" {
			ref("environment", envs, e.After, "environments", name, "after")
		}
	}
	if m := s.Monitor; m != nil && m.Drift != nil {
		ref("dataset", datasets, m.Drift.Reference, "monitor", "drift", "reference")
	}
	if m := s.Monitor; m != nil && m.Quality != nil {
		ref("model", models, m.Quality.Model, "monitor", "quality", "model")
		if p := m.Quality.Prepare; p != "" {
			ref("dataset", datasets, p, "monitor", "quality", "prepare")
		}
	}
	for _, name := range steps {
		for _, after := range s.Steps[name].After {
			section, target, ok := strings.Cut(after, ".")
			if !ok {
				continue // a job ID, checked on the graph
			}
			known := map[string][]string{"datasets": datasets, "code": code, "models": models,
				"apps": apps, "environments": envs, "steps": steps}[section]
			if known == nil {
				errs = append(errs, &Error{Pos: s.pos("steps", name, "after"), Path: "steps." + name + ".after",
					Msg:  fmt.Sprintf("%q names no section", after),
					Hint: "use datasets.NAME, code.NAME, models.NAME, apps.NAME, environments.NAME, steps.NAME or a job ID (mlc graph lists them)"})
				continue
			}
			ref(strings.TrimSuffix(section, "s"), known, target, "steps", name, "after")
		}
	}
	errs = append(errs, checkGates(s)...)
	return errs
}

// checkGates: a no-regression gate needs a production model to compare
// with, so the model must be deployed by some environment.
func checkGates(s *Spec) Errors {
	var errs Errors
	for _, name := range slices.Sorted(maps.Keys(s.Models)) {
		if len(s.Models[name].Evaluate.NoRegression) == 0 {
			continue
		}
		if _, ok := s.finalEnvironment(name); !ok {
			errs = append(errs, &Error{Pos: s.pos("models", name, "evaluate", "no_regression"),
				Path: "models." + name + ".evaluate.no_regression",
				Msg:  "no environment deploys model " + name + ", so there is no production model to compare with",
				Hint: "add an app serving the model and an environment deploying it, or remove no_regression"})
		}
	}
	return errs
}

func unknown(s *Spec, kind, name string, known []string, path ...string) *Error {
	hint := fmt.Sprintf("define %s %q, or use one of: %s", kind, name, strings.Join(known, ", "))
	if len(known) == 0 {
		hint = fmt.Sprintf("define %s %q; the spec has none", kind, name)
	}
	return &Error{Pos: s.pos(path...), Path: strings.Join(path, "."),
		Msg: fmt.Sprintf("unknown %s %q", kind, name), Hint: hint}
}
