// Package yamlout builds YAML documents as ordered mappings (Map) or Go
// values and encodes them deterministically, so generated files keep a
// readable key order and are identical byte for byte across runs. Styles
// come from go.yaml.in/yaml/v3 nodes: no YAML is ever produced by string
// templates.
package yamlout

import (
	"bytes"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// Map is an ordered mapping under construction. It keeps its keys and Go
// values, which the value emitter writes: no node per string.
type Map struct{ entries []mapEntry }

type mapEntry struct {
	key   string
	value any
}

// NewMap starts an empty mapping.
func NewMap() *Map { return &Map{} }

// Set appends key: value. Value may be a string, bool, int, *Map, *yaml.Node,
// []string or []*Map. Nil maps and empty lists are skipped, so optional
// fields can be set unconditionally.
func (m *Map) Set(key string, value any) *Map {
	if !skip(value) {
		m.entries = append(m.entries, mapEntry{key, value})
	}
	return m
}

// skip reports the values Set and Writer.Entry leave out; any other type
// than Set names is a programming error in a renderer.
func skip(value any) bool {
	switch v := value.(type) {
	case nil:
		return true
	case *yaml.Node:
		return v == nil
	case *Map:
		return v == nil
	case string, bool, int:
		return false
	case []string:
		return len(v) == 0
	case []*Map:
		return len(v) == 0
	}
	panic("yamlout: unsupported value type")
}

// Len is the number of keys.
func (m *Map) Len() int { return len(m.entries) }

// Node converts a scalar or a list of strings to a YAML node, to give it a
// style (Flow); nil for values to skip.
func Node(value any) *yaml.Node {
	switch v := value.(type) {
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
	values := make([]any, len(docs))
	for i, d := range docs {
		values[i] = d
	}
	return EncodeValues(header, values...)
}

// EncodeValues writes Go values (see the value emitter) as a
// multi-document stream like Encode.
func EncodeValues(header string, docs ...any) ([]byte, error) {
	w := NewWriter(header)
	for _, d := range docs {
		if err := w.Value(d); err != nil {
			return nil, err
		}
	}
	return w.Close(), nil
}

// Writer writes a stream piece by piece, as Encode would write it whole, so
// a renderer can build, write and drop one part of a large document at a
// time (GitHub's jobs): the document never lives in memory as one tree.
type Writer struct {
	e      emitter
	docs   int
	pooled *[]byte // the buffer's, given back by Close
}

// Streams are written into pooled buffers and copied once at their size
// (Close): growing a new buffer for each of thousands of files cost more
// than the copies.
var buffers = sync.Pool{New: func() any { return new([]byte) }}

// NewWriter starts a stream with the header comment lines.
func NewWriter(header string) *Writer {
	w := &Writer{pooled: buffers.Get().(*[]byte)}
	w.e.Buffer = *bytes.NewBuffer((*w.pooled)[:0])
	w.e.WriteString(header)
	return w
}

// Document starts a document whose top-level mapping begins with m's
// entries; Key and Entry add more.
func (w *Writer) Document(m *Map) error {
	w.next()
	if m.Len() == 0 {
		return nil
	}
	return emitValueBlock(&w.e, resolved{m: m}, 0)
}

// Value writes v as the next document (see the value emitter).
func (w *Writer) Value(v any) error {
	w.next()
	return emitValueDocument(&w.e, reflect.ValueOf(v))
}

func (w *Writer) next() {
	if w.docs > 0 {
		w.e.WriteString("---\n")
	}
	w.docs++
}

// Key writes "key:" at indent, opening a block mapping whose entries
// follow as Entry calls at indent+2; it must get at least one.
func (w *Writer) Key(indent int, key string) {
	w.e.WriteString(spaces(indent))
	emitString(&w.e, "!!str", key, 0, indent, true)
	w.e.WriteString(":\n")
}

// Entry writes "key: value" at indent, value as Map.Set takes it (nil
// values and empty lists are skipped).
func (w *Writer) Entry(indent int, key string, value any) error {
	if skip(value) {
		return nil
	}
	w.e.WriteString(spaces(indent))
	emitString(&w.e, "!!str", key, 0, indent, true)
	w.e.WriteByte(':')
	return emitValueAfter(&w.e, reflect.ValueOf(value), indent+2, false, false)
}

// Bytes is the stream written so far, valid until the next write.
func (w *Writer) Bytes() []byte { return w.e.Bytes() }

// Close returns the stream, copied at its size, and gives the buffer back
// for the next writer; w is not used after.
func (w *Writer) Close() []byte {
	out := bytes.Clone(w.e.Bytes())
	*w.pooled = w.e.Bytes()[:0]
	buffers.Put(w.pooled)
	w.pooled = nil
	return out
}
