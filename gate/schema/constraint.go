package schema

import (
	"bytes"
	"fmt"
	"math"
	"regexp"
	"strconv"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/format"

	"github.com/mlc-project/mlc/gate/internal/memo"
	"github.com/mlc-project/mlc/gate/table"
)

// A cell is checked as every CUE value it can stand for (its candidates):
// a JSON string only as a string, a JSON number as a number, but an untyped
// CSV cell "3" as the int 3, the float 3.0 and the string "3" (and "3.0",
// as pandas writes an int column with gaps, also as the int 3). It passes if
// one candidate satisfies the column's constraint. Integers are also floats,
// so a float column accepts "3". "true" and "false" in any case are also
// booleans. NaN and ±Inf are not CUE numbers: as text they are only strings.
type candidate struct {
	kind cue.Kind // IntKind, FloatKind, StringKind, BoolKind or NullKind
	i    int64
	f    float64
	s    []byte // the text, for strings and booleans
}

// CSV booleans in any case: pandas writes True and False.
var textTrue, textFalse = []byte("true"), []byte("false")

// candidates appends to dst the interpretations of c whose kind is in
// kinds: parsing a number is wasted on a string column.
func candidates(dst []candidate, c table.Cell, kinds cue.Kind) []candidate {
	switch c.Kind {
	case table.Null:
		return appendIf(dst, kinds, candidate{kind: cue.NullKind})
	case table.String:
		return appendIf(dst, kinds, candidate{kind: cue.StringKind, s: c.Bytes})
	case table.Bool:
		return appendIf(dst, kinds, candidate{kind: cue.BoolKind, s: c.Bytes})
	}
	if kinds&cue.IntKind != 0 {
		if i, ok := c.Int(); ok {
			dst = append(dst, candidate{kind: cue.IntKind, i: i, f: float64(i)})
		} else if f, ok := c.Float(); ok && c.Kind == table.Text && f == math.Trunc(f) && math.Abs(f) < 1<<63 {
			dst = append(dst, candidate{kind: cue.IntKind, i: int64(f), f: f}) // "3.0"
		}
	}
	if kinds&cue.FloatKind != 0 {
		if f, ok := c.Float(); ok && !math.IsNaN(f) && !math.IsInf(f, 0) {
			dst = append(dst, candidate{kind: cue.FloatKind, f: f})
		}
	}
	if c.Kind == table.Text {
		switch {
		case bytes.EqualFold(c.Bytes, textTrue):
			dst = appendIf(dst, kinds, candidate{kind: cue.BoolKind, s: textTrue})
		case bytes.EqualFold(c.Bytes, textFalse):
			dst = appendIf(dst, kinds, candidate{kind: cue.BoolKind, s: textFalse})
		}
		dst = appendIf(dst, kinds, candidate{kind: cue.StringKind, s: c.Bytes})
	}
	return dst
}

func appendIf(dst []candidate, kinds cue.Kind, c candidate) []candidate {
	if kinds&c.kind == 0 {
		return dst
	}
	return append(dst, c)
}

// Rules a cell can break, as reported.
const (
	RuleType       = "type"       // no candidate has an allowed kind
	RuleNull       = "null"       // a null where the constraint does not allow null
	RuleRange      = "range"      // a number outside its bounds
	RuleEnum       = "enum"       // not one of the allowed literals
	RulePattern    = "pattern"    // a string not matching =~ (or matching !~)
	RuleConstraint = "constraint" // rejected by CUE itself (constraints mlc does not compile)
)

// bound is a numeric comparison such as >=18.
type bound struct {
	op    cue.Op
	f     float64
	i     int64
	isInt bool
}

func (b bound) holds(c candidate) bool {
	var cmp int
	if b.isInt && c.kind == cue.IntKind {
		cmp = compare(c.i, b.i)
	} else {
		cmp = compare(c.f, b.f)
	}
	switch b.op {
	case cue.LessThanOp:
		return cmp < 0
	case cue.LessThanEqualOp:
		return cmp <= 0
	case cue.GreaterThanOp:
		return cmp > 0
	case cue.GreaterThanEqualOp:
		return cmp >= 0
	case cue.NotEqualOp:
		return cmp != 0
	}
	return false
}

func compare[T int64 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// literal is a concrete value a candidate must equal.
type literal struct {
	kind cue.Kind
	i    int64
	f    float64
	s    string
}

func (l literal) equals(c candidate) bool {
	if l.kind != c.kind {
		return false
	}
	switch l.kind {
	case cue.IntKind:
		return l.i == c.i
	case cue.FloatKind:
		return l.f == c.f
	case cue.NullKind:
		return true
	}
	return l.s == string(c.s)
}

// conj is a conjunction of simple constraints that Go checks directly.
type conj struct {
	kinds    cue.Kind
	bounds   []bound
	literal  *literal
	match    []*regexp.Regexp
	notMatch []*regexp.Regexp
}

// test returns "" if c satisfies the conjunction, else the rule it breaks.
func (k *conj) test(c candidate) string {
	if k.kinds&c.kind == 0 {
		if c.kind == cue.NullKind {
			return RuleNull
		}
		return RuleType
	}
	if k.literal != nil && !k.literal.equals(c) {
		return RuleEnum
	}
	if c.kind == cue.IntKind || c.kind == cue.FloatKind {
		for _, b := range k.bounds {
			if !b.holds(c) {
				return RuleRange
			}
		}
	}
	if c.kind == cue.StringKind {
		for _, re := range k.match {
			if !re.Match(c.s) {
				return RulePattern
			}
		}
		for _, re := range k.notMatch {
			if re.Match(c.s) {
				return RulePattern
			}
		}
	}
	return ""
}

// compiled is a disjunction of conjunctions; nil when the constraint uses
// something compile does not understand and CUE must decide.
type compiled []*conj

// compile turns v into Go checks, or reports ok == false.
func compile(v cue.Value) (compiled, bool) {
	out, ok := compileExpr(v)
	if !ok {
		return nil, false
	}
	// The value's own kind bounds every branch (e.g. !=3 is a number).
	for _, k := range out {
		k.kinds &= v.IncompleteKind()
	}
	return out, true
}

func compileExpr(v cue.Value) (compiled, bool) {
	op, args := v.Expr()
	switch op {
	case cue.OrOp:
		var out compiled
		for _, a := range args {
			c, ok := compileExpr(a)
			if !ok {
				return nil, false
			}
			out = append(out, c...)
		}
		return out, true
	case cue.AndOp:
		acc := &conj{kinds: cue.TopKind}
		for _, a := range args {
			c, ok := compileExpr(a)
			if !ok || len(c) != 1 {
				return nil, false // a disjunction inside a conjunction: leave it to CUE
			}
			if !acc.and(c[0]) {
				return nil, false
			}
		}
		return compiled{acc}, true
	case cue.NoOp:
		k, ok := compileAtom(v)
		if !ok {
			return nil, false
		}
		return compiled{k}, true
	case cue.LessThanOp, cue.LessThanEqualOp, cue.GreaterThanOp, cue.GreaterThanEqualOp, cue.NotEqualOp:
		if len(args) != 1 {
			return nil, false
		}
		b, ok := numericBound(op, args[0])
		if !ok {
			return nil, false
		}
		return compiled{{kinds: cue.NumberKind, bounds: []bound{b}}}, true
	case cue.RegexMatchOp, cue.NotRegexMatchOp:
		if len(args) != 1 || args[0].Kind() != cue.StringKind {
			return nil, false
		}
		pattern, _ := args[0].String()
		re, err := regexp.Compile(pattern)
		if err != nil {
			return nil, false
		}
		k := &conj{kinds: cue.StringKind}
		if op == cue.RegexMatchOp {
			k.match = []*regexp.Regexp{re}
		} else {
			k.notMatch = []*regexp.Regexp{re}
		}
		return compiled{k}, true
	}
	return nil, false
}

// and narrows k by o; false if the two cannot be merged simply.
func (k *conj) and(o *conj) bool {
	if k.literal != nil && o.literal != nil {
		return false
	}
	k.kinds &= o.kinds
	k.bounds = append(k.bounds, o.bounds...)
	if o.literal != nil {
		k.literal = o.literal
	}
	k.match = append(k.match, o.match...)
	k.notMatch = append(k.notMatch, o.notMatch...)
	return true
}

// basicTypes are the predeclared CUE types a bare identifier may name.
var basicTypes = map[string]cue.Kind{
	"int": cue.IntKind, "float": cue.FloatKind, "number": cue.NumberKind,
	"string": cue.StringKind, "bool": cue.BoolKind, "null": cue.NullKind, "_": cue.TopKind,
}

// compileAtom handles a literal or a bare basic type.
func compileAtom(v cue.Value) (*conj, bool) {
	if v.IsConcrete() {
		l, ok := literalOf(v)
		if !ok {
			return nil, false
		}
		return &conj{kinds: l.kind, literal: &l}, true
	}
	id, ok := v.Syntax().(*ast.Ident)
	if !ok {
		return nil, false
	}
	kind, ok := basicTypes[id.Name]
	if !ok || kind&v.IncompleteKind() != kind {
		return nil, false
	}
	return &conj{kinds: kind}, true
}

func literalOf(v cue.Value) (literal, bool) {
	switch v.Kind() {
	case cue.NullKind:
		return literal{kind: cue.NullKind}, true
	case cue.BoolKind:
		b, _ := v.Bool()
		return literal{kind: cue.BoolKind, s: strconv.FormatBool(b)}, true
	case cue.StringKind:
		s, _ := v.String()
		return literal{kind: cue.StringKind, s: s}, true
	case cue.IntKind:
		i, err := v.Int64()
		return literal{kind: cue.IntKind, i: i}, err == nil
	case cue.FloatKind:
		f, err := v.Float64()
		return literal{kind: cue.FloatKind, f: f}, err == nil
	}
	return literal{}, false
}

func numericBound(op cue.Op, arg cue.Value) (bound, bool) {
	switch arg.Kind() {
	case cue.IntKind:
		i, err := arg.Int64()
		return bound{op: op, i: i, f: float64(i), isInt: true}, err == nil
	case cue.FloatKind:
		f, err := arg.Float64()
		return bound{op: op, f: f}, err == nil
	}
	return bound{}, false
}

// Constraint checks cells against one column's CUE constraint, in Go when
// compile understood it and through CUE unification otherwise.
type Constraint struct {
	value    cue.Value
	text     string
	fast     compiled
	kinds    cue.Kind // the kinds some branch of fast accepts
	cands    []candidate
	verdicts *memo.Memo[string] // fallback verdicts by kind and value
	key      []byte
}

// NewConstraint prepares v for checking.
func NewConstraint(v cue.Value) *Constraint {
	c := &Constraint{value: v, text: sourceText(v), verdicts: memo.New[string](10000)}
	if fast, ok := compile(v); ok {
		c.fast = fast
		for _, k := range fast {
			c.kinds |= k.kinds
		}
	}
	return c
}

// sourceText is the constraint as the user wrote it (CUE would print
// int & >=18 as uint & >=18), or as CUE prints it when there is no source.
func sourceText(v cue.Value) string {
	src := v.Source()
	if f, ok := src.(*ast.Field); ok {
		src = f.Value
	}
	if expr, ok := src.(ast.Expr); ok {
		if b, err := format.Node(expr); err == nil {
			return string(b)
		}
	}
	return fmt.Sprint(v)
}

// Compiled reports whether cells are checked in Go (true) or by CUE.
func (c *Constraint) Compiled() bool { return c.fast != nil }

// String is the constraint as CUE prints it.
func (c *Constraint) String() string { return c.text }

// Check returns "" if the cell satisfies the constraint, else the rule it breaks.
func (c *Constraint) Check(cell table.Cell) string {
	if c.fast != nil {
		c.cands = candidates(c.cands[:0], cell, c.kinds)
		return c.checkFast(cell, c.cands)
	}
	c.cands = candidates(c.cands[:0], cell, cue.TopKind)
	return c.checkCUE(cell, c.cands)
}

// checkFast tests the candidates of an accepted kind; with none, the cell
// has the wrong kind.
func (c *Constraint) checkFast(cell table.Cell, cands []candidate) string {
	if len(cands) == 0 {
		if cell.IsNull() {
			return RuleNull
		}
		return RuleType
	}
	rule := ""
	for _, k := range c.fast {
		for _, cand := range cands {
			r := k.test(cand)
			if r == "" {
				return ""
			}
			if rule == "" || rule == RuleType || rule == RuleNull {
				rule = r // the most specific reason seen
			}
		}
	}
	return rule
}

func (c *Constraint) checkCUE(cell table.Cell, cands []candidate) string {
	c.key = append(append(c.key[:0], byte(cell.Kind)), cell.Bytes...)
	if r, ok := c.verdicts.Get(c.key); ok {
		return r
	}
	rule := RuleConstraint
	if cell.Kind == table.Null {
		rule = RuleNull
	}
	for _, cand := range cands {
		if c.unifies(cand) {
			rule = ""
			break
		}
	}
	c.verdicts.Put(c.key, rule)
	return rule
}

// unifies asks CUE whether the candidate satisfies the constraint.
func (c *Constraint) unifies(cand candidate) bool {
	var x any
	switch cand.kind {
	case cue.IntKind:
		x = cand.i
	case cue.FloatKind:
		x = cand.f
	case cue.StringKind:
		x = string(cand.s)
	case cue.BoolKind:
		x = string(cand.s) == "true"
	}
	u := c.value.Unify(c.value.Context().Encode(x))
	return u.Validate(cue.Concrete(true)) == nil
}
