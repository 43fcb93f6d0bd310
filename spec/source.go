// Package spec holds the plain Go types of pipeline.cue that more than one
// package needs, with no CUE import: the compiler decodes them, the
// adapters and gates take them.
package spec

import (
	"maps"
	"slices"
)

// Source is a data acquisition adapter as pipeline.cue writes it: the
// adapter's name (s3, gcs, http, git, oci, local) and its fields. The
// schema's #Source says which adapters exist and what each takes; the
// adapter package decodes the fields of the one that is set, so adding an
// adapter changes no type here.
type Source map[string]map[string]any

// Kinds are the adapters s sets, sorted; a valid source sets exactly one.
func (s Source) Kinds() []string { return slices.Sorted(maps.Keys(s)) }

// ExactlyOne explains a source that does not set exactly one adapter, or
// is "" when it does.
func (s Source) ExactlyOne() string { return exactlyOne("source adapter", s.Kinds()) }

// LocalPath is the path of a local source, relative to the spec directory
// (or absolute), and whether s is one: changes under it change the
// dataset.
func (s Source) LocalPath() (string, bool) {
	p, ok := s["local"]["path"].(string)
	return p, ok
}
