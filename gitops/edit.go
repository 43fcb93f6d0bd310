package gitops

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// An edit changes one manifest in place: the bytes around the values it
// sets stay as they were, comments and layout included, so the commit's
// diff is the deployment and nothing else.
type edit struct {
	src   []byte
	lines []int // offset of each line's start
}

func newEdit(src []byte) *edit {
	e := &edit{src: src, lines: []int{0}}
	for i, b := range src {
		if b == '\n' {
			e.lines = append(e.lines, i+1)
		}
	}
	return e
}

// splice is one replacement of src[from:to].
type splice struct {
	from, to int
	text     string
}

// apply makes the splices, which must not overlap.
func (e *edit) apply(ss []splice) []byte {
	var out bytes.Buffer
	at := 0
	// Inserts at one offset keep their order.
	slices.SortStableFunc(ss, func(a, b splice) int { return a.from - b.from })
	for _, s := range ss {
		out.Write(e.src[at:s.from])
		out.WriteString(s.text)
		at = s.to
	}
	out.Write(e.src[at:])
	return out.Bytes()
}

func (e *edit) offset(n *yaml.Node) int { return e.lines[n.Line-1] + n.Column - 1 }

// scalarEnd is where the scalar n's source text ends, or -1 for forms
// this editor does not splice (block scalars, multi-line values).
func (e *edit) scalarEnd(n *yaml.Node) int {
	from := e.offset(n)
	switch n.Style {
	case 0:
		if to := from + len(n.Value); to <= len(e.src) && string(e.src[from:to]) == n.Value {
			return to
		}
	case yaml.DoubleQuotedStyle:
		for i := from + 1; i < len(e.src) && e.src[i] != '\n'; i++ {
			switch e.src[i] {
			case '\\':
				i++
			case '"':
				return i + 1
			}
		}
	case yaml.SingleQuotedStyle:
		for i := from + 1; i < len(e.src) && e.src[i] != '\n'; i++ {
			if e.src[i] == '\'' {
				if i+1 < len(e.src) && e.src[i+1] == '\'' {
					i++
					continue
				}
				return i + 1
			}
		}
	}
	return -1
}

// set replaces scalar n's value.
func (e *edit) set(n *yaml.Node, value string) (splice, error) {
	if n.Kind != yaml.ScalarNode {
		return splice{}, fmt.Errorf("line %d: want a single value here, found a %s", n.Line, kindName(n))
	}
	to := e.scalarEnd(n)
	if to < 0 {
		return splice{}, fmt.Errorf("line %d: a multi-line or block value cannot be replaced in place: write it on one line", n.Line)
	}
	return splice{from: e.offset(n), to: to, text: scalar(value)}, nil
}

// removeLine drops the whole line of key (a "key: value" line).
func (e *edit) removeLine(key *yaml.Node) splice {
	from := e.lines[key.Line-1]
	to := len(e.src)
	if key.Line < len(e.lines) {
		to = e.lines[key.Line]
	}
	return splice{from: from, to: to}
}

// insertAfter adds "key: value" on a new line after the line of sibling,
// at sibling's indentation.
func (e *edit) insertAfter(sibling *yaml.Node, key, value string) splice {
	at := len(e.src)
	if sibling.Line < len(e.lines) {
		at = e.lines[sibling.Line]
	}
	prefix := ""
	if at == len(e.src) && !bytes.HasSuffix(e.src, []byte("\n")) {
		prefix = "\n"
	}
	return splice{from: at, to: at, text: prefix + strings.Repeat(" ", sibling.Column-1) + key + ": " + scalar(value) + "\n"}
}

var plainSafe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/:@+-]*$`)

// scalar writes value plain when YAML reads it back as the same string,
// quoted otherwise.
func scalar(value string) string {
	if plainSafe.MatchString(value) && !strings.Contains(value, ": ") {
		var back yaml.Node
		if yaml.Unmarshal([]byte(value), &back) == nil && len(back.Content) == 1 && back.Content[0].Tag == "!!str" && back.Content[0].Value == value {
			return value
		}
	}
	return strconv.Quote(value)
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.AliasNode:
		return "alias"
	}
	return "value"
}

// lookup returns the value node of key in mapping m, and its key node.
func lookup(m *yaml.Node, key string) (k, v *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}
