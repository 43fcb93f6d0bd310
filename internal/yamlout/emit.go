package yamlout

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// The emitter writes yaml.Node trees as block YAML. It exists because the
// libyaml-derived emitter of yaml.v3 runs at a few MB/s, too slow for
// pipelines of thousands of jobs; it covers the node shapes mlc builds
// (mappings, sequences, scalars; no anchors, aliases or comments) and is
// checked against yaml.v3's decoder in the tests. Strings are emitted plain
// when that is unambiguous to YAML 1.1 and 1.2 readers, as a literal block
// when multi-line, and double-quoted otherwise.

// EncodeValue writes a Go value (structs with yaml tags, maps, slices) as
// one document, with the value emitter.
func EncodeValue(v any) ([]byte, error) {
	return EncodeValues("", v)
}

// emitter is the output of one encoding, with the multi-line strings it
// wrote: generated files repeat the same scripts in every job (mlc's
// install, the checkout), and each is checked and indented once.
type emitter struct {
	bytes.Buffer
	literals map[literalKey]string // "" when the string is not literal-safe
}

type literalKey struct {
	s      string
	indent int
}

// literal writes s as a literal block if it can be one, and reports
// whether it could.
func (b *emitter) literal(s string, indent int) bool {
	k := literalKey{s, indent}
	out, ok := b.literals[k]
	if !ok {
		if literalSafe(s) {
			var lb bytes.Buffer
			literal(&lb, s, indent)
			out = lb.String()
		}
		if b.literals == nil {
			b.literals = map[literalKey]string{}
		}
		b.literals[k] = out
	}
	b.WriteString(out)
	return out != ""
}

func emitDocument(b *emitter, n *yaml.Node) error {
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) != 1 {
			return fmt.Errorf("yamlout: document with %d roots", len(n.Content))
		}
		n = n.Content[0]
	}
	switch n.Kind {
	case yaml.MappingNode, yaml.SequenceNode:
		if len(n.Content) == 0 || n.Style&yaml.FlowStyle != 0 {
			if err := emitFlow(b, n); err != nil {
				return err
			}
			b.WriteByte('\n')
			return nil
		}
		return emitBlock(b, n, 0)
	case yaml.ScalarNode:
		emitScalar(b, n, 0, false)
		b.WriteByte('\n')
		return nil
	}
	return fmt.Errorf("yamlout: unsupported node kind %v", n.Kind)
}

const blanks = "                                                                "

// spaces is n spaces, without allocating for the usual depths.
func spaces(n int) string {
	if n <= len(blanks) {
		return blanks[:n]
	}
	return strings.Repeat(" ", n)
}

// emitBlock writes a non-empty block collection whose first line starts at
// the current position, each line indented by indent spaces.
func emitBlock(b *emitter, n *yaml.Node, indent int) error {
	pad := spaces(indent)
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				b.WriteString(pad)
			}
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				return fmt.Errorf("yamlout: non-scalar mapping key")
			}
			emitScalar(b, k, indent, true)
			b.WriteByte(':')
			if err := emitValue(b, v, indent+2, false); err != nil {
				return err
			}
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			if i > 0 {
				b.WriteString(pad)
			}
			b.WriteByte('-')
			if err := emitValue(b, item, indent+2, true); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("yamlout: unsupported node kind %v", n.Kind)
	}
	return nil
}

// emitValue writes what follows "key:" or "-": a scalar or flow collection
// on the same line, or a block collection on the next lines (a sequence
// item's mapping or sequence starts on the dash's line, as yaml.v3 writes it).
func emitValue(b *emitter, v *yaml.Node, indent int, inSeq bool) error {
	switch {
	case v.Kind == yaml.ScalarNode:
		b.WriteByte(' ')
		emitScalar(b, v, indent, false)
		b.WriteByte('\n')
	case len(v.Content) == 0 || v.Style&yaml.FlowStyle != 0:
		b.WriteByte(' ')
		if err := emitFlow(b, v); err != nil {
			return err
		}
		b.WriteByte('\n')
	case inSeq:
		b.WriteByte(' ')
		return emitBlock(b, v, indent)
	default:
		// yaml.v3 indents a sequence under a key by two more spaces.
		b.WriteByte('\n')
		b.WriteString(spaces(indent))
		return emitBlock(b, v, indent)
	}
	return nil
}

func emitFlow(b *emitter, n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		emitScalarFlow(b, n)
	case yaml.SequenceNode:
		b.WriteByte('[')
		for i, item := range n.Content {
			if i > 0 {
				b.WriteString(", ")
			}
			if err := emitFlow(b, item); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case yaml.MappingNode:
		b.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				b.WriteString(", ")
			}
			emitScalarFlow(b, n.Content[i])
			b.WriteString(": ")
			if err := emitFlow(b, n.Content[i+1]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	default:
		return fmt.Errorf("yamlout: unsupported node kind %v", n.Kind)
	}
	return nil
}

func emitScalarFlow(b *emitter, n *yaml.Node) { emitStringFlow(b, n.Tag, n.Value) }

func emitStringFlow(b *emitter, tag, s string) {
	if (tag == "!!str" || tag == "") && !plainSafe(s, true) {
		doubleQuote(b, s)
		return
	}
	b.WriteString(s)
}

// emitScalar writes a scalar in block context; multi-line strings as a
// literal block indented by indent.
func emitScalar(b *emitter, n *yaml.Node, indent int, isKey bool) {
	emitString(b, n.Tag, n.Value, n.Style, indent, isKey)
}

func emitString(b *emitter, tag, s string, style yaml.Style, indent int, isKey bool) {
	if tag != "!!str" && tag != "" {
		b.WriteString(s) // bools and ints are written as they are
		return
	}
	switch {
	case !isKey && strings.Contains(s, "\n") && b.literal(s, indent):
	case style&yaml.DoubleQuotedStyle == 0 && plainSafe(s, false):
		b.WriteString(s)
	default:
		doubleQuote(b, s)
	}
}

// literal writes s as a |, |- or |+ block, by its trailing newlines.
func literal(b *bytes.Buffer, s string, indent int) {
	switch trailing := len(s) - len(strings.TrimRight(s, "\n")); trailing {
	case 0:
		b.WriteString("|-")
	case 1:
		b.WriteString("|")
	default:
		b.WriteString("|+")
	}
	pad := spaces(indent)
	for line := range strings.SplitSeq(strings.TrimSuffix(s, "\n"), "\n") {
		b.WriteByte('\n')
		if line != "" {
			b.WriteString(pad)
			b.WriteString(line)
		}
	}
}

// literalSafe: every character printable (or a tab), no carriage return,
// and a first line that starts with neither a space nor a newline, so no
// indentation indicator is needed.
func literalSafe(s string) bool {
	if s[0] == ' ' || s[0] == '\n' || s[0] == '\t' || strings.TrimRight(s, "\n") == "" {
		return false
	}
	for line := range strings.SplitSeq(s, "\n") {
		if strings.HasSuffix(line, " ") || strings.HasSuffix(line, "\t") {
			return false // trailing blanks are easy to lose in review and editors
		}
	}
	for _, r := range s {
		if r != '\n' && r != '\t' && !printable(r) {
			return false
		}
	}
	return true
}

// plainSafe reports whether s can be written without quotes and read back
// as the same string by YAML 1.1 and 1.2 readers. It runs for every scalar
// written, so the character rules are checked in one pass.
func plainSafe(s string, flow bool) bool {
	if s == "" || len(s) <= 5 && yaml11Special[s] || looksNumeric(s) || s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	switch s[0] {
	case '-':
		// "-ec" is plain; "-", "- x" and "---" start an item or a document.
		if len(s) == 1 || s[1] == ' ' || strings.HasPrefix(s, "---") {
			return false
		}
	case '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', '.':
		return false
	}
	for i, r := range s {
		switch {
		case r == '\t' || !printable(r):
			return false // tabs, line breaks and other blanks only survive quoted
		case r == ':' && (i+1 == len(s) || s[i+1] == ' '), r == '#' && s[i-1] == ' ':
			return false // "a: b", "a:" and "a #b" would be read as a key or a comment
		case flow && !flowWord(r):
			return false // flow collections get plain scalars only for simple words
		}
	}
	return true
}

func flowWord(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("-_./@+", r)
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func printable(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= ' ' && r != 0x7f
	}
	return r != utf8.RuneError && r != '\uFEFF' && unicode.IsPrint(r)
}

func doubleQuote(b *emitter, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		case 0:
			b.WriteString(`\0`)
		default:
			switch {
			case r == utf8.RuneError:
				b.WriteString(`\uFFFD`)
			case printable(r):
				b.WriteRune(r)
			case r <= 0xFF:
				fmt.Fprintf(b, `\x%02X`, r)
			case r <= 0xFFFF:
				fmt.Fprintf(b, `\u%04X`, r)
			default:
				fmt.Fprintf(b, `\U%08X`, r)
			}
		}
	}
	b.WriteByte('"')
}
