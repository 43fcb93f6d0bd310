package yamlout

import (
	"bytes"
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The tree path, kept as the value emitter's oracle: the bytes of a value
// converted to its node tree and emitted by the tree emitter.

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
			return nil, fmt.Errorf("%s.%s: %w", v.Type(), f.key, err)
		}
		if f.flow && val.Kind != yaml.ScalarNode {
			val.Style |= yaml.FlowStyle
		}
		m.Content = append(m.Content, c.node(yaml.ScalarNode, "!!str", f.key), val)
	}
	return m, nil
}

func encodeNodes(header string, docs []*yaml.Node) ([]byte, error) {
	var buf emitter
	buf.WriteString(header)
	for i, d := range docs {
		if i > 0 {
			buf.WriteString("---\n")
		}
		if err := emitDocument(&buf, d); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

// treeBytes is what the tree path writes for v.
func treeBytes(t testing.TB, v any) []byte {
	t.Helper()
	n, err := FromValue(v)
	if err != nil {
		t.Fatal(err)
	}
	out, err := encodeNodes("", []*yaml.Node{n})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestValueEmitterMatchesTree: the value emitter writes the tree path's
// bytes for every field shape, nodes, empty and flow collections among
// them, at the top and nested.
func TestValueEmitterMatchesTree(t *testing.T) {
	sample := sampleValue()
	sample.Nested["empty"] = nil
	sample.Node = Flow(Node([]string{"n1", "n 2"}))
	sample.Matrix = append(sample.Matrix, nil)
	type flows struct {
		Struct valueInner        `yaml:"struct,flow"`
		Map    map[string]string `yaml:"map,flow"`
		Node   *yaml.Node        `yaml:"node,flow"`
		Seq    [][]string        `yaml:"seq,flow"`
		Any    any               `yaml:"any,flow"`
	}
	for name, v := range map[string]any{
		"sample":         sample,
		"pointer":        &sample,
		"zero sample":    valueSample{},
		"flow fields":    flows{Struct: valueInner{Name: "a b", Count: 1}, Map: map[string]string{"k": "v w", "j": ""}, Node: Node([]string{"x", "1"}), Seq: [][]string{{"a"}, {}}, Any: map[string]any{"n": nil}},
		"sequence":       []any{"a", 1, true, nil, []string{}, map[string]int{}, valueInner{}, []valueInner{{Name: "n"}}},
		"map of structs": map[string]valueInner{"b": {Name: "2"}, "a": {}},
		"empty map":      map[string]string{},
		"scalar":         "yes",
		"multi-line":     "a\nb\n",
		"nil":            nil,
		"node":           Node([]string{"a", "b c"}),
	} {
		got, err := EncodeValue(v)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want := treeBytes(t, v); !bytes.Equal(got, want) {
			t.Errorf("%s: value emitter wrote\n%s\ntree path\n%s", name, got, want)
		}
	}
}

// FuzzValueEmitterMatchesTree: any string, as a value, a key, a flow item
// or in a sequence, is written by both emitters alike.
func FuzzValueEmitterMatchesTree(f *testing.F) {
	for _, s := range []string{"", "on", "a: b", "multi\nline\n", "- x", "#c", "é", "\x00", "{a}", "1e3"} {
		f.Add(s, s)
	}
	type doc struct {
		Value string            `yaml:"value"`
		Map   map[string]string `yaml:"map"`
		Flow  []string          `yaml:"flow,flow"`
		Items []any             `yaml:"items,omitempty"`
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		v := doc{Value: a, Map: map[string]string{a: b, b: a}, Flow: []string{a, b}, Items: []any{a, map[string]string{b: a}, []string{b}}}
		got, err := EncodeValue(v)
		if err != nil {
			t.Fatal(err)
		}
		if want := treeBytes(t, v); !bytes.Equal(got, want) {
			t.Fatalf("%q %q: value emitter wrote\n%s\ntree path\n%s", a, b, got, want)
		}
	})
}
