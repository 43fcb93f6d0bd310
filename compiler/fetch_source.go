package compiler

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// The names mlc fetch takes, besides a dataset's, for the monitor's data:
// compiled monitor workflows fetch by them, and --fixtures directories are
// named after them.
const (
	MonitorCurrent  = "monitor.drift.current"
	MonitorLabelled = "monitor.quality.data"
)

// FetchSource is the source a fetch name stands for: a dataset's source,
// or one of the monitor's.
func (s *Spec) FetchSource(name string) (Source, error) {
	m := s.Monitor
	switch {
	case name == MonitorCurrent && m != nil && m.Drift != nil:
		return m.Drift.Current, nil
	case name == MonitorLabelled && m != nil && m.Quality != nil:
		return m.Quality.Data, nil
	case name == MonitorCurrent || name == MonitorLabelled:
		return Source{}, fmt.Errorf("the spec has no %s; add it to the monitor block or fetch a dataset by name", name)
	}
	d, ok := s.Datasets[name]
	if !ok {
		return Source{}, fmt.Errorf("no dataset %q in the spec; it has: %s", name,
			strings.Join(slices.Sorted(maps.Keys(s.Datasets)), ", "))
	}
	return d.Source, nil
}
