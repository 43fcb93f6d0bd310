package yamlout

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// FromValue converts a Go value to a node tree by yaml.v3's marshalling
// rules: struct fields by their `yaml:"name,omitempty,flow"` tags (lower-cased
// field name without one), maps with string keys, slices, strings, bools,
// integers, pointers and interfaces; *yaml.Node and yaml.Node are taken as
// they are; an `,inline` struct field adds its fields to the enclosing
// mapping. yaml.Node.Encode does the same by emitting text and parsing it
// back, which costs more than the rest of rendering together.
//
// Differences from yaml.v3, all errors rather than silent changes: no
// floats, inline maps or Marshaler types. Map keys are sorted by byte
// order (yaml.v3 sorts digit runs numerically, which no key mlc writes
// depends on). Nodes are allocated in blocks, and the key nodes of struct
// fields are shared by every tree: treat the tree as read-only.
func FromValue(v any) (*yaml.Node, error) {
	var c converter
	return c.value(reflect.ValueOf(v))
}

// converter allocates nodes in blocks: a rendered pipeline holds hundreds of
// thousands of them, and one allocation each dominated the conversion.
type converter struct{ free []yaml.Node }

func (c *converter) node(kind yaml.Kind, tag, value string) *yaml.Node {
	if len(c.free) == 0 {
		c.free = make([]yaml.Node, 1024)
	}
	n := &c.free[0]
	c.free = c.free[1:]
	n.Kind, n.Tag, n.Value = kind, tag, value
	return n
}

var (
	nodeType      = reflect.TypeFor[yaml.Node]()
	marshalerType = reflect.TypeFor[yaml.Marshaler]()
)

func (c *converter) value(v reflect.Value) (*yaml.Node, error) {
	if !v.IsValid() {
		return c.node(yaml.ScalarNode, "!!null", "null"), nil
	}
	if v.Type() == nodeType {
		n := v.Interface().(yaml.Node)
		return &n, nil
	}
	if v.Type().Implements(marshalerType) {
		return nil, fmt.Errorf("yamlout: %s implements yaml.Marshaler, which FromValue does not call", v.Type())
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return c.node(yaml.ScalarNode, "!!null", "null"), nil
		}
		if n, ok := v.Interface().(*yaml.Node); ok {
			return n, nil
		}
		return c.value(v.Elem())
	case reflect.String:
		return c.node(yaml.ScalarNode, "!!str", v.String()), nil
	case reflect.Bool:
		return c.node(yaml.ScalarNode, "!!bool", strconv.FormatBool(v.Bool())), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return c.node(yaml.ScalarNode, "!!int", strconv.FormatInt(v.Int(), 10)), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return c.node(yaml.ScalarNode, "!!int", strconv.FormatUint(v.Uint(), 10)), nil
	case reflect.Slice, reflect.Array:
		seq := c.node(yaml.SequenceNode, "!!seq", "")
		seq.Content = make([]*yaml.Node, v.Len())
		for i := range v.Len() {
			item, err := c.value(v.Index(i))
			if err != nil {
				return nil, err
			}
			seq.Content[i] = item
		}
		return seq, nil
	case reflect.Map:
		return c.mapping(v)
	case reflect.Struct:
		return c.structure(v)
	}
	return nil, fmt.Errorf("yamlout: cannot encode a value of type %s", v.Type())
}

func (c *converter) mapping(v reflect.Value) (*yaml.Node, error) {
	if v.Type().Key().Kind() != reflect.String {
		return nil, fmt.Errorf("yamlout: cannot encode %s: map keys must be strings", v.Type())
	}
	keys := v.MapKeys()
	slices.SortFunc(keys, func(a, b reflect.Value) int { return cmp.Compare(a.String(), b.String()) })
	m := c.node(yaml.MappingNode, "!!map", "")
	m.Content = make([]*yaml.Node, 0, 2*len(keys))
	for _, k := range keys {
		val, err := c.value(v.MapIndex(k))
		if err != nil {
			return nil, err
		}
		m.Content = append(m.Content, c.node(yaml.ScalarNode, "!!str", k.String()), val)
	}
	return m, nil
}

func (c *converter) structure(v reflect.Value) (*yaml.Node, error) {
	fields, err := fieldsOf(v.Type())
	if err != nil {
		return nil, err
	}
	m := c.node(yaml.MappingNode, "!!map", "")
	m.Content = make([]*yaml.Node, 0, 2*len(fields))
	for _, f := range fields {
		fv := v.FieldByIndex(f.index)
		if f.omitEmpty && isZero(fv) {
			continue
		}
		val, err := c.value(fv)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", v.Type(), f.key.Value, err)
		}
		if f.flow && val.Kind != yaml.ScalarNode {
			val.Style |= yaml.FlowStyle
		}
		m.Content = append(m.Content, f.key, val)
	}
	return m, nil
}

type field struct {
	index     []int
	key       *yaml.Node // shared by every mapping of the type
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
		key := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: cmp.Or(name, strings.ToLower(sf.Name))}
		f := field{index: []int{i}, key: key}
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
