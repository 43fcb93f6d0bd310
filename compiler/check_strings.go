package compiler

import (
	"strings"

	"cuelang.org/go/cue"
)

// engineSyntax are sequences an engine would evaluate if they reached its
// templates. Targets pass user strings through env vars, but a script with
// a GitHub expression is almost always a mistake (template injection), so
// it is refused at the source.
var engineSyntax = []struct{ seq, engine string }{
	{"${{", "GitHub Actions expression"},
}

// checkStrings: no user string carries engine template syntax.
func checkStrings(s *Spec) Errors {
	var errs Errors
	s.src.user.Walk(func(v cue.Value) bool {
		str, err := v.String()
		if err != nil {
			return true
		}
		for _, e := range engineSyntax {
			if strings.Contains(str, e.seq) {
				errs = append(errs, &Error{Pos: v.Pos(), Path: v.Path().String(),
					Msg:  "contains " + e.seq + " (" + e.engine + ")",
					Hint: "pass values to scripts through env (and read $VAR) instead of engine expressions"})
			}
		}
		return true
	}, nil)
	return errs
}
