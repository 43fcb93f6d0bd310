package compiler

import (
	"reflect"
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

// checkStrings: no user string carries engine template syntax. The decoded
// spec is scanned first (cheap); only when something is found is the CUE
// value walked to report positions.
func checkStrings(s *Spec) Errors {
	if !anyString(reflect.ValueOf(s).Elem(), hasEngineSyntax) {
		return nil
	}
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

func hasEngineSyntax(s string) bool {
	for _, e := range engineSyntax {
		if strings.Contains(s, e.seq) {
			return true
		}
	}
	return false
}

// anyString reports whether any exported string reachable from v satisfies f.
func anyString(v reflect.Value, f func(string) bool) bool {
	switch v.Kind() {
	case reflect.String:
		return f(v.String())
	case reflect.Pointer, reflect.Interface:
		return !v.IsNil() && anyString(v.Elem(), f)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() && anyString(v.Field(i), f) {
				return true
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if anyString(v.Index(i), f) {
				return true
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			if anyString(it.Key(), f) || anyString(it.Value(), f) {
				return true
			}
		}
	}
	return false
}
