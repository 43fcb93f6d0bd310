package compiler

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"cuelang.org/go/cue/token"
)

// Error is one problem in a spec, at a position in the user's files.
type Error struct {
	Pos  token.Pos // the spec position; invalid when the spec has none
	Path string    // spec path, e.g. "models.scorer.train.data[0]"
	Msg  string    // what is wrong
	Hint string    // what to do about it
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Pos.IsValid() {
		fmt.Fprintf(&b, "%s:%d:%d: ", displayPath(e.Pos.Filename()), e.Pos.Line(), e.Pos.Column())
	}
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	if e.Hint != "" {
		b.WriteString("\n\t" + e.Hint)
	}
	return b.String()
}

// Errors is a list of spec errors, reported together, sorted by position.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// err returns nil for an empty list, so callers can return it directly.
func (es Errors) err() error {
	if len(es) == 0 {
		return nil
	}
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i].Pos, es[j].Pos
		if a.Filename() != b.Filename() {
			return a.Filename() < b.Filename()
		}
		if a.Line() != b.Line() {
			return a.Line() < b.Line()
		}
		if a.Column() != b.Column() {
			return a.Column() < b.Column()
		}
		return es[i].Msg < es[j].Msg
	})
	return es
}

// displayPath shows a file relative to the working directory when it is
// below it, so messages read like compiler output.
func displayPath(p string) string {
	wd, err := os.Getwd()
	if err != nil || !filepath.IsAbs(p) {
		return p
	}
	if rel, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return p
}
