// Package yamlout builds YAML documents as ordered trees and encodes them
// deterministically, so generated files keep a readable key order and are
// identical byte for byte across runs. It wraps go.yaml.in/yaml/v3 nodes:
// no YAML is ever produced by string templates.
package yamlout

import (
	"bytes"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Map is an ordered mapping under construction.
type Map struct{ node *yaml.Node }

// NewMap starts an empty mapping.
func NewMap() *Map { return &Map{node: &yaml.Node{Kind: yaml.MappingNode}} }

// Set appends key: value. Value may be a string, bool, int, *Map, *yaml.Node,
// []string or []*Map. Nil maps and empty lists are skipped, so optional
// fields can be set unconditionally.
func (m *Map) Set(key string, value any) *Map {
	n := Node(value)
	if n == nil {
		return m
	}
	m.node.Content = append(m.node.Content, Str(key), n)
	return m
}

// Len is the number of keys.
func (m *Map) Len() int { return len(m.node.Content) / 2 }

// Node returns the mapping node.
func (m *Map) Node() *yaml.Node { return m.node }

// Node converts a supported Go value to a YAML node; nil for values to skip.
func Node(value any) *yaml.Node {
	switch v := value.(type) {
	case nil:
		return nil
	case *yaml.Node:
		return v
	case *Map:
		if v == nil {
			return nil
		}
		return v.node
	case string:
		return Str(v)
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(v)}
	case int:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(v)}
	case []string:
		if len(v) == 0 {
			return nil
		}
		seq := &yaml.Node{Kind: yaml.SequenceNode}
		for _, s := range v {
			seq.Content = append(seq.Content, Str(s))
		}
		return seq
	case []*Map:
		if len(v) == 0 {
			return nil
		}
		seq := &yaml.Node{Kind: yaml.SequenceNode}
		for _, m := range v {
			seq.Content = append(seq.Content, m.node)
		}
		return seq
	}
	panic("yamlout: unsupported value type") // a programming error in a renderer
}

// Str is a string scalar. Multi-line strings use literal block style so
// scripts stay readable. Strings a YAML 1.1 reader (Kubernetes tooling)
// would take for a bool, null or number are double-quoted.
func Str(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	switch {
	case strings.Contains(s, "\n"):
		n.Style = yaml.LiteralStyle
	case yaml11Special[s] || looksNumeric(s):
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

var yaml11Special = map[string]bool{}

func init() {
	for _, w := range []string{"y", "yes", "n", "no", "true", "false", "on", "off", "null", "~", ""} {
		for _, v := range []string{w, strings.ToUpper(w), strings.ToUpper(w[:min(1, len(w))]) + w[min(1, len(w)):]} {
			yaml11Special[v] = true
		}
	}
}

// looksNumeric reports strings a YAML reader could parse as a number
// (including 1_000, 0x1f, 1e3, .5, 1:30 sexagesimal, -.inf).
func looksNumeric(s string) bool {
	if s == "" {
		return false
	}
	if len(s) <= 5 && strings.Contains(s, ".") && slices.Contains([]string{".inf", ".nan"}, strings.ToLower(strings.TrimLeft(s, "+-"))) {
		return true
	}
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+-._:eExXoObBabcdefABCDEF", r):
		default:
			return false
		}
	}
	return digits > 0
}

// Flow renders a sequence or mapping on one line, e.g. [a, b].
func Flow(n *yaml.Node) *yaml.Node {
	if n != nil {
		n.Style |= yaml.FlowStyle
	}
	return n
}

// Encode writes the documents, the first preceded by the header comment lines,
// separated by "---".
func Encode(header string, docs ...*Map) ([]byte, error) {
	nodes := make([]*yaml.Node, len(docs))
	for i, d := range docs {
		nodes[i] = d.node
	}
	return encodeNodes(header, nodes)
}

// EncodeValues writes Go values (see the value emitter) as a
// multi-document stream like Encode.
func EncodeValues(header string, docs ...any) ([]byte, error) {
	out := []byte(header)
	for i, d := range docs {
		if i > 0 {
			out = append(out, "---\n"...)
		}
		var err error
		if out, err = AppendValue(out, d); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// AppendValue appends v to dst as one document (a stream's "---" is the
// caller's), so a file of several is written into one buffer.
func AppendValue(dst []byte, v any) ([]byte, error) {
	b := emitter{Buffer: *bytes.NewBuffer(dst)}
	if err := emitValueDocument(&b, reflect.ValueOf(v)); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
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

// Writer writes a stream piece by piece, as Encode would write it whole, so
// a renderer can build, write and drop one part of a large document at a
// time (GitHub's jobs): the document never lives in memory as one tree.
type Writer struct {
	e    emitter
	docs int
}

// NewWriter starts a stream with the header comment lines.
func NewWriter(header string) *Writer {
	w := &Writer{}
	w.e.WriteString(header)
	return w
}

// Document starts a document whose top-level mapping begins with m's
// entries; Key and Entry add more.
func (w *Writer) Document(m *Map) error {
	if w.docs > 0 {
		w.e.WriteString("---\n")
	}
	w.docs++
	if m.Len() == 0 {
		return nil
	}
	return emitBlock(&w.e, m.node, 0)
}

// Key writes "key:" at indent, opening a block mapping whose entries
// follow as Entry calls at indent+2; it must get at least one.
func (w *Writer) Key(indent int, key string) {
	w.e.WriteString(spaces(indent))
	emitScalar(&w.e, Str(key), indent, true)
	w.e.WriteString(":\n")
}

// Entry writes "key: value" at indent, value as Map.Set takes it (nil
// values and empty lists are skipped).
func (w *Writer) Entry(indent int, key string, value any) error {
	n := Node(value)
	if n == nil {
		return nil
	}
	w.e.WriteString(spaces(indent))
	emitScalar(&w.e, Str(key), indent, true)
	w.e.WriteByte(':')
	return emitValue(&w.e, n, indent+2, false)
}

// Bytes is the stream written so far.
func (w *Writer) Bytes() []byte { return w.e.Bytes() }
