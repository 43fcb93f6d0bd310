package compiler

import (
	"maps"
	"slices"
	"strings"

	"cuelang.org/go/cue"
)

// checkSources: every data source sets exactly one adapter.
func checkSources(s *Spec) Errors {
	var errs Errors
	for _, name := range slices.Sorted(maps.Keys(s.Datasets)) {
		if e := checkSource(s, s.Datasets[name].Source, "datasets", name, "source"); e != nil {
			errs = append(errs, e)
		}
	}
	if m := s.Monitor; m != nil && m.Drift != nil {
		if e := checkSource(s, m.Drift.Current, "monitor", "drift", "current"); e != nil {
			errs = append(errs, e)
		}
	}
	if m := s.Monitor; m != nil && m.Quality != nil {
		if e := checkSource(s, m.Quality.Data, "monitor", "quality", "data"); e != nil {
			errs = append(errs, e)
		}
	}
	return errs
}

func checkSource(s *Spec, src Source, path ...string) *Error {
	msg := src.ExactlyOne()
	if msg == "" {
		return nil
	}
	return &Error{Pos: s.pos(path...), Path: strings.Join(path, "."), Msg: msg,
		Hint: "set exactly one of " + strings.Join(s.adapters(path...), ", ")}
}

// adapters are the source adapters the schema offers at path, sorted:
// its #Source's fields, so the hint names every adapter mlc has.
func (s *Spec) adapters(path ...string) []string {
	var names []string
	it, err := s.src.value.LookupPath(cue.MakePath(labels(path)...)).Fields(cue.Optional(true))
	for err == nil && it.Next() {
		names = append(names, it.Selector().Unquoted())
	}
	slices.Sort(names)
	return names
}
