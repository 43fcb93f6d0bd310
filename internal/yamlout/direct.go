package yamlout

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// The value emitter writes a Go value (structs with yaml tags, maps,
// slices, scalars; *yaml.Node and yaml.Node as the tree emitter writes
// them) straight to YAML by yaml.v3's marshalling rules, without building
// its node tree first: a node per value, allocated and then collected,
// cost more than the emitting itself in Tekton's and Argo's rendering. The
// bytes are the tree emitter's: TestValueEmitterMatchesTree and
// FuzzValueEmitterMatchesTree compare the two.
//
// Differences from yaml.v3, all errors rather than silent changes: no
// floats, inline maps or Marshaler types. Map keys are sorted by byte
// order (yaml.v3 sorts digit runs numerically, which no key mlc writes
// depends on).

var (
	nodeType      = reflect.TypeFor[yaml.Node]()
	mapType       = reflect.TypeFor[*Map]()
	marshalerType = reflect.TypeFor[yaml.Marshaler]()
)

// resolved is a value seen through its pointers and interfaces: a node
// to emit as a tree, a scalar (tag and text), or a collection.
type resolved struct {
	v          reflect.Value // the collection
	m          *Map          // or the Map
	node       *yaml.Node
	scalar     bool
	tag, value string
}

func resolve(v reflect.Value) (resolved, error) {
	for {
		if !v.IsValid() {
			return resolved{scalar: true, tag: "!!null", value: "null"}, nil
		}
		if v.Type() == nodeType {
			n := v.Interface().(yaml.Node)
			return resolved{node: &n}, nil
		}
		if v.Type().Implements(marshalerType) {
			return resolved{}, fmt.Errorf("yamlout: %s implements yaml.Marshaler, which the encoder does not call", v.Type())
		}
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if v.IsNil() {
				return resolved{scalar: true, tag: "!!null", value: "null"}, nil
			}
			if n, ok := v.Interface().(*yaml.Node); ok {
				return resolved{node: n}, nil
			}
			if v.Type() == mapType {
				return resolved{m: v.Interface().(*Map)}, nil
			}
			v = v.Elem()
			continue
		case reflect.String:
			return resolved{scalar: true, tag: "!!str", value: v.String()}, nil
		case reflect.Bool:
			return resolved{scalar: true, tag: "!!bool", value: strconv.FormatBool(v.Bool())}, nil
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			return resolved{scalar: true, tag: "!!int", value: strconv.FormatInt(v.Int(), 10)}, nil
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			return resolved{scalar: true, tag: "!!int", value: strconv.FormatUint(v.Uint(), 10)}, nil
		case reflect.Slice, reflect.Array, reflect.Struct:
			return resolved{v: v}, nil
		case reflect.Map:
			if v.Type().Key().Kind() != reflect.String {
				return resolved{}, fmt.Errorf("yamlout: cannot encode %s: map keys must be strings", v.Type())
			}
			return resolved{v: v}, nil
		}
		return resolved{}, fmt.Errorf("yamlout: cannot encode a value of type %s", v.Type())
	}
}

// empty reports whether a collection writes no entries ({} or []).
func (r resolved) empty() (bool, error) {
	if r.m != nil {
		return r.m.Len() == 0, nil
	}
	if r.v.Kind() != reflect.Struct {
		return r.v.Len() == 0, nil
	}
	fields, err := fieldsOf(r.v.Type())
	if err != nil {
		return false, err
	}
	for _, f := range fields {
		if !f.omitEmpty || !isZero(r.v.FieldByIndex(f.index)) {
			return false, nil
		}
	}
	return true, nil
}

// entries calls fn with each key and value of a Map (in order), a map
// (sorted by key) or a struct (in field order, omitempty applied).
func (r resolved) entries(fn func(key string, v reflect.Value, flow bool) error) error {
	if r.m != nil {
		for _, e := range r.m.entries {
			if err := fn(e.key, reflect.ValueOf(e.value), false); err != nil {
				return err
			}
		}
		return nil
	}
	if r.v.Kind() == reflect.Map {
		keys := r.v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return cmp.Compare(a.String(), b.String()) })
		for _, k := range keys {
			if err := fn(k.String(), r.v.MapIndex(k), false); err != nil {
				return err
			}
		}
		return nil
	}
	fields, err := fieldsOf(r.v.Type())
	if err != nil {
		return err
	}
	for _, f := range fields {
		fv := r.v.FieldByIndex(f.index)
		if f.omitEmpty && isZero(fv) {
			continue
		}
		if err := fn(f.key, fv, f.flow); err != nil {
			return fmt.Errorf("%s.%s: %w", r.v.Type(), f.key, err)
		}
	}
	return nil
}

// emitValueDocument writes v as a document, as emitDocument its tree.
func emitValueDocument(b *emitter, v reflect.Value) error {
	r, err := resolve(v)
	if err != nil {
		return err
	}
	switch {
	case r.node != nil:
		return emitDocument(b, r.node)
	case r.scalar:
		emitString(b, r.tag, r.value, 0, 0, false)
		b.WriteByte('\n')
		return nil
	}
	empty, err := r.empty()
	if err != nil {
		return err
	}
	if empty {
		if err := emitValueFlow(b, r); err != nil {
			return err
		}
		b.WriteByte('\n')
		return nil
	}
	return emitValueBlock(b, r, 0)
}

// emitValueBlock writes a non-empty collection as emitBlock its tree.
func emitValueBlock(b *emitter, r resolved, indent int) error {
	pad := spaces(indent)
	if r.v.Kind() == reflect.Slice || r.v.Kind() == reflect.Array {
		for i := range r.v.Len() {
			if i > 0 {
				b.WriteString(pad)
			}
			b.WriteByte('-')
			if err := emitValueAfter(b, r.v.Index(i), indent+2, true, false); err != nil {
				return err
			}
		}
		return nil
	}
	first := true
	return r.entries(func(key string, v reflect.Value, flow bool) error {
		if !first {
			b.WriteString(pad)
		}
		first = false
		emitString(b, "!!str", key, 0, indent, true)
		b.WriteByte(':')
		return emitValueAfter(b, v, indent+2, false, flow)
	})
}

// emitValueAfter writes what follows "key:" or "-", as emitValue; flow
// asks for a collection on one line (a `flow` field).
func emitValueAfter(b *emitter, v reflect.Value, indent int, inSeq, flow bool) error {
	r, err := resolve(v)
	if err != nil {
		return err
	}
	switch {
	case r.node != nil:
		if flow && r.node.Kind != yaml.ScalarNode && r.node.Style&yaml.FlowStyle == 0 {
			n := *r.node
			n.Style |= yaml.FlowStyle
			r.node = &n
		}
		return emitValue(b, r.node, indent, inSeq)
	case r.scalar:
		b.WriteByte(' ')
		emitString(b, r.tag, r.value, 0, indent, false)
		b.WriteByte('\n')
		return nil
	}
	empty, err := r.empty()
	if err != nil {
		return err
	}
	switch {
	case empty || flow:
		b.WriteByte(' ')
		if err := emitValueFlow(b, r); err != nil {
			return err
		}
		b.WriteByte('\n')
		return nil
	case inSeq:
		b.WriteByte(' ')
	default:
		b.WriteByte('\n')
		b.WriteString(spaces(indent))
	}
	return emitValueBlock(b, r, indent)
}

// emitValueFlow writes a resolved value on one line, as emitFlow.
func emitValueFlow(b *emitter, r resolved) error {
	switch {
	case r.node != nil:
		return emitFlow(b, r.node)
	case r.scalar:
		emitStringFlow(b, r.tag, r.value)
		return nil
	}
	item := func(v reflect.Value) error {
		r, err := resolve(v)
		if err != nil {
			return err
		}
		return emitValueFlow(b, r)
	}
	if r.v.Kind() == reflect.Slice || r.v.Kind() == reflect.Array {
		b.WriteByte('[')
		for i := range r.v.Len() {
			if i > 0 {
				b.WriteString(", ")
			}
			if err := item(r.v.Index(i)); err != nil {
				return err
			}
		}
		b.WriteByte(']')
		return nil
	}
	b.WriteByte('{')
	first := true
	err := r.entries(func(key string, v reflect.Value, _ bool) error {
		if !first {
			b.WriteString(", ")
		}
		first = false
		emitStringFlow(b, "!!str", key)
		b.WriteString(": ")
		return item(v)
	})
	b.WriteByte('}')
	return err
}
