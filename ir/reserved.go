package ir

import (
	"reflect"
	"unicode"
)

// Engine is what a target declares of its engine to the compiler, which
// checks the spec against it (compiler.Options.Engines).
type Engine struct {
	Name string
	// Reserved is syntax the engine evaluates in any text of its files.
	Reserved []Reserved
	// Env are variables the engine sets in every job that mlc arguments
	// may reference, besides MLC_REVISION and the job's own env and inputs.
	Env []string
	// Keyless: the engine gives jobs an OIDC identity Fulcio certifies
	// (signing.keyless), issued by Issuer; certificates name Identity (an
	// mlc argument, so it may reference Env).
	Keyless  bool
	Issuer   string
	Identity string
	// MLCImage: the engine runs mlc steps in Pipeline.MLCImage (a
	// container), not an mlc installed on the runner.
	MLCImage bool
	// MaxScheduleName is the longest "<workflow>-<schedule>" the engine
	// names a schedule's object by (a Kubernetes CronJob: 52), 0 for any.
	MaxScheduleName int
	// Check finds what only the renderer can see in a compiled pipeline
	// (names derived from job IDs, a registry its jobs cannot share),
	// every problem, where it is. The compiler reports them at the spec's
	// positions; Render refuses the same (Refuse). Nil: nothing to check.
	Check func(*Pipeline) []Problem
}

// Reserved is text an engine evaluates wherever it appears in the files
// rendered for it (GitHub's "${{", Tekton's "$(", Argo's "{{"). Each target
// declares its own; the compiler refuses them in every string and key of
// the spec, at its position, so user text never becomes an expression.
type Reserved struct {
	Seq    string // the opening sequence
	Engine string // what the engine takes it for
	Hint   string // what to write instead
}

// Invisible reports characters that make text read differently from what
// runs: controls other than tab and newline (NUL, CR, escapes), the
// Unicode line and paragraph separators, and bidirectional overrides and
// isolates (U+202E, U+2066: "trojan source"). The compiler refuses them in
// the spec, and targets in what they write into comments.
func Invisible(r rune) bool {
	if r == '\t' || r == '\n' {
		return false
	}
	return unicode.IsControl(r) || unicode.In(r, unicode.Zl, unicode.Zp, unicode.Bidi_Control)
}

// UnsafeInComment reports characters text written into a one-line comment
// must not hold: Invisible ones, and tab and newline, which end or
// disguise the comment (the header every generated file starts with names
// the spec's directory and files).
func UnsafeInComment(r rune) bool { return r == '\n' || r == '\t' || Invisible(r) }

// AnyString reports whether any exported string reachable from v satisfies
// f, map keys included: the cheap scan before a walk that names where.
func AnyString(v reflect.Value, f func(string) bool) bool {
	switch v.Kind() {
	case reflect.String:
		return f(v.String())
	case reflect.Pointer, reflect.Interface:
		return !v.IsNil() && AnyString(v.Elem(), f)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() && AnyString(v.Field(i), f) {
				return true
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if AnyString(v.Index(i), f) {
				return true
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			if AnyString(it.Key(), f) || AnyString(it.Value(), f) {
				return true
			}
		}
	}
	return false
}
