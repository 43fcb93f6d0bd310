package compiler

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"cuelang.org/go/cue"

	"github.com/mlc-project/mlc/ir"
)

// checkStrings: no string or key of the spec carries syntax an engine
// compiled for would evaluate (Options.Engines, declared by the targets): a key such as "x${{ secrets.TOKEN }}" would reach GitHub as
// an expression just as a value would. Nor does any hold a character that
// hides what the text says from a reviewer (ir.Invisible). The decoded spec
// is scanned first (cheap); only when something is found is the CUE value
// walked, so every hit is reported where the user wrote it.
func checkStrings(s *Spec) Errors {
	var reserved []ir.Reserved
	for _, e := range s.src.engines {
		reserved = append(reserved, e.Reserved...)
	}
	holds := func(str string) bool {
		return reservedIn(str, reserved) != nil || strings.IndexFunc(str, ir.Invisible) >= 0
	}
	if !ir.AnyString(reflect.ValueOf(s).Elem(), holds) {
		return nil
	}
	var errs Errors
	report := func(v cue.Value, what, str string) {
		if r := reservedIn(str, reserved); r != nil {
			errs = append(errs, &Error{Pos: v.Pos(), Path: v.Path().String(),
				Msg: what + " contains " + r.Seq + " (" + r.Engine + ")", Hint: r.Hint})
		}
		if i := strings.IndexFunc(str, ir.Invisible); i >= 0 {
			errs = append(errs, &Error{Pos: v.Pos(), Path: v.Path().String(),
				Msg:  fmt.Sprintf("%s holds the invisible character %U", what, []rune(str[i:])[0]),
				Hint: "remove it: control, line-separator and bidirectional characters make text read differently from what runs"})
		}
	}
	s.src.user.Walk(func(v cue.Value) bool {
		if sel := v.Path().Selectors(); len(sel) > 0 && sel[len(sel)-1].LabelType() == cue.StringLabel {
			key := sel[len(sel)-1].Unquoted()
			report(v, "key "+strconv.Quote(key), key)
		}
		if str, err := v.String(); err == nil {
			report(v, "the value", str)
		}
		return true
	}, nil)
	return errs
}

// reservedIn is the first reserved sequence s holds, nil for none.
func reservedIn(s string, reserved []ir.Reserved) *ir.Reserved {
	for i, r := range reserved {
		if strings.Contains(s, r.Seq) {
			return &reserved[i]
		}
	}
	return nil
}
