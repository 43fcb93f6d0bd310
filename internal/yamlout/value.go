package yamlout

// The struct fields the value emitter writes, read from their yaml tags.

import (
	"cmp"
	"fmt"
	"reflect"
	"strings"
	"sync"
)

type field struct {
	index     []int
	key       string
	omitEmpty bool
	flow      bool
}

type fieldsResult struct {
	fields []field
	err    error
}

var fieldCache sync.Map // reflect.Type → fieldsResult

// fieldsOf reads the exported fields of a struct type and their tags once.
func fieldsOf(t reflect.Type) ([]field, error) {
	if r, ok := fieldCache.Load(t); ok {
		return r.(fieldsResult).fields, r.(fieldsResult).err
	}
	var r fieldsResult
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("yaml")
		if !sf.IsExported() || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		f := field{index: []int{i}, key: cmp.Or(name, strings.ToLower(sf.Name))}
		inline := false
		for opt := range strings.SplitSeq(opts, ",") {
			switch opt {
			case "":
			case "omitempty":
				f.omitEmpty = true
			case "flow":
				f.flow = true
			case "inline":
				inline = true
			default:
				r.err = fmt.Errorf("yamlout: %s.%s: tag option %q is not supported", t, sf.Name, opt)
			}
		}
		if !inline {
			r.fields = append(r.fields, f)
			continue
		}
		if sf.Type.Kind() != reflect.Struct {
			r.err = fmt.Errorf("yamlout: %s.%s: only structs can be inlined", t, sf.Name)
			continue
		}
		inner, err := fieldsOf(sf.Type)
		if err != nil {
			r.err = err
		}
		for _, in := range inner {
			in.index = append([]int{i}, in.index...)
			r.fields = append(r.fields, in)
		}
	}
	fieldCache.Store(t, r)
	return r.fields, r.err
}

// isZero is yaml.v3's test for omitempty: empty strings, slices and maps,
// nil pointers, zero numbers, false, and structs whose exported fields are
// all zero.
func isZero(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String, reflect.Slice, reflect.Map:
		return v.Len() == 0
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() && !isZero(v.Field(i)) {
				return false
			}
		}
		return true
	}
	return v.IsZero()
}
