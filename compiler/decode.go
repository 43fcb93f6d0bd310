package compiler

import (
	"reflect"
	"strings"
	"sync"

	"cuelang.org/go/cue"
)

// fastDecode fills x (a pointer) from v as cue.Value.Decode does for the
// spec's types, and reports whether it could. It looks each Go field up by
// name instead of listing the CUE struct's fields, which CUE sorts
// topologically on every call: that sort was half of decoding a large spec.
// Anything it does not handle, or any error, returns false, and the caller
// decodes again with cue's decoder, whose errors have CUE's positions.
func fastDecode(v cue.Value, x any) bool {
	return decodeInto(reflect.ValueOf(x).Elem(), v)
}

func decodeInto(x reflect.Value, v cue.Value) bool {
	v, _ = v.Default()
	// Kind is BottomKind for a value that is not concrete (or an error):
	// one call where Err, IsNull and IsConcrete would each set up an
	// evaluation context.
	kind := v.Kind()
	switch x.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface:
		if kind == cue.BottomKind {
			if err := v.Err(); err != nil && !cue.IsIncomplete(err) {
				return false
			}
		}
		if kind == cue.BottomKind || kind == cue.NullKind {
			x.SetZero()
			return true
		}
	default:
		if kind == cue.BottomKind {
			return false
		}
	}
	switch x.Kind() {
	case reflect.Pointer:
		if x.IsNil() {
			x.Set(reflect.New(x.Type().Elem()))
		}
		return decodeInto(x.Elem(), v)
	case reflect.Struct:
		return decodeStruct(x, v)
	case reflect.Map:
		return decodeMap(x, v)
	case reflect.Slice:
		return decodeSlice(x, v)
	case reflect.Interface:
		return decodeScalar(x, v)
	case reflect.String:
		s, err := v.String()
		x.SetString(s)
		return err == nil
	case reflect.Bool:
		b, err := v.Bool()
		x.SetBool(b)
		return err == nil
	case reflect.Int, reflect.Int64:
		i, err := v.Int64()
		x.SetInt(i)
		return err == nil && !x.OverflowInt(i)
	case reflect.Float64:
		f, err := v.Float64()
		x.SetFloat(f)
		return err == nil
	}
	return false
}

func decodeStruct(x reflect.Value, v cue.Value) bool {
	if v.Kind() != cue.StructKind {
		return false
	}
	for _, f := range structFields(x.Type()) {
		if f.name == "" { // an embedded struct: its fields are v's
			if !decodeInto(x.Field(f.index), v) {
				return false
			}
			continue
		}
		// Optional fields the spec did not set are not found, as Fields
		// would not list them.
		fv := v.LookupPath(f.path)
		if !fv.Exists() {
			continue
		}
		if !decodeInto(x.Field(f.index), fv) {
			return false
		}
	}
	return true
}

func decodeMap(x reflect.Value, v cue.Value) bool {
	t := x.Type()
	if t.Key().Kind() != reflect.String || v.Kind() != cue.StructKind {
		return false
	}
	iter, err := v.Fields()
	if err != nil {
		return false
	}
	m := reflect.MakeMap(t)
	for iter.Next() {
		e := reflect.New(t.Elem()).Elem()
		if !decodeInto(e, iter.Value()) {
			return false
		}
		m.SetMapIndex(reflect.ValueOf(iter.Selector().Unquoted()).Convert(t.Key()), e)
	}
	x.Set(m)
	return true
}

func decodeSlice(x reflect.Value, v cue.Value) bool {
	list, err := v.List()
	if err != nil {
		return false
	}
	var items []cue.Value
	for list.Next() {
		items = append(items, list.Value())
	}
	s := reflect.MakeSlice(x.Type(), len(items), len(items))
	for i, item := range items {
		if !decodeInto(s.Index(i), item) {
			return false
		}
	}
	x.Set(s)
	return true
}

// decodeScalar fills an interface with what cue's decoder would: bool,
// int64, float64 or string.
func decodeScalar(x reflect.Value, v cue.Value) bool {
	var (
		val any
		err error
	)
	switch v.Kind() {
	case cue.BoolKind:
		val, err = v.Bool()
	case cue.IntKind:
		val, err = v.Int64()
	case cue.FloatKind:
		val, err = v.Float64()
	case cue.StringKind:
		val, err = v.String()
	default:
		return false
	}
	if err != nil {
		return false
	}
	x.Set(reflect.ValueOf(val))
	return true
}

// field is a Go struct field decoded from the CUE field of its JSON name;
// an embedded struct has no name.
type field struct {
	index int
	name  string
	path  cue.Path
}

var fieldCache sync.Map // reflect.Type → []field

func structFields(t reflect.Type) []field {
	if fs, ok := fieldCache.Load(t); ok {
		return fs.([]field)
	}
	var fs []field
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			fs = append(fs, field{index: i})
			continue
		}
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fs = append(fs, field{index: i, name: name, path: cue.MakePath(cue.Str(name))})
	}
	fieldCache.Store(t, fs)
	return fs
}
