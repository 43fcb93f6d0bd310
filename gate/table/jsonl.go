package table

import (
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonField is one key/value of a JSON Lines record, as offsets into the
// parser's buffer (which may move while the record is parsed).
type jsonField struct {
	keyStart, keyEnd, valStart, valEnd int
	kind                               Kind
}

// jsonObject parses one line holding a flat JSON object. Strings are
// unescaped into buf; numbers, booleans and nested values (objects, arrays)
// are kept as their JSON text. Both keys and values are views of buf.
type jsonObject struct {
	buf    []byte
	fields []jsonField
	line   []byte
	pos    int
}

// jsonSyntaxError is malformed JSON at byte offset pos (0-based) of a line.
type jsonSyntaxError struct {
	pos int
	msg string
}

func (e *jsonSyntaxError) Error() string { return fmt.Sprintf("byte %d: %s", e.pos+1, e.msg) }

var errNotUTF8 = errors.New("not valid UTF-8; convert the file to UTF-8 (for example with iconv)")

// parse reads line (without its newline) into o.fields. A line that is only
// white space yields no fields and ok == false.
func (o *jsonObject) parse(line []byte) (ok bool, err error) {
	o.buf, o.fields, o.line, o.pos = o.buf[:0], o.fields[:0], line, 0
	o.skipSpace()
	if o.pos == len(line) {
		return false, nil
	}
	if !utf8.Valid(line) {
		return false, errNotUTF8
	}
	if line[o.pos] != '{' {
		return false, o.errorf("each line must hold one JSON object {...}")
	}
	o.pos++
	o.skipSpace()
	if o.peek() == '}' {
		o.pos++
	} else {
		for {
			var f jsonField
			o.skipSpace()
			if o.peek() != '"' {
				return false, o.errorf("expected a quoted key")
			}
			f.keyStart = len(o.buf)
			if err := o.str(); err != nil {
				return false, err
			}
			f.keyEnd = len(o.buf)
			o.skipSpace()
			if o.peek() != ':' {
				return false, o.errorf("expected ':' after a key")
			}
			o.pos++
			o.skipSpace()
			f.valStart = len(o.buf)
			kind, err := o.value()
			if err != nil {
				return false, err
			}
			f.kind, f.valEnd = kind, len(o.buf)
			o.fields = append(o.fields, f)
			o.skipSpace()
			c := o.peek()
			o.pos++
			if c == '}' {
				break
			}
			if c != ',' {
				o.pos--
				return false, o.errorf("expected ',' or '}'")
			}
		}
	}
	o.skipSpace()
	if o.pos != len(line) {
		return false, o.errorf("text after the object; put one object per line")
	}
	return true, nil
}

func (o *jsonObject) key(f jsonField) []byte { return o.buf[f.keyStart:f.keyEnd] }
func (o *jsonObject) val(f jsonField) []byte { return o.buf[f.valStart:f.valEnd:f.valEnd] }

func (o *jsonObject) errorf(format string, args ...any) error {
	return &jsonSyntaxError{o.pos, fmt.Sprintf(format, args...)}
}

func (o *jsonObject) peek() byte {
	if o.pos < len(o.line) {
		return o.line[o.pos]
	}
	return 0
}

func (o *jsonObject) skipSpace() {
	for o.pos < len(o.line) {
		switch o.line[o.pos] {
		case ' ', '\t', '\r', '\n':
			o.pos++
		default:
			return
		}
	}
}

// value appends the value at pos to buf and returns its kind.
func (o *jsonObject) value() (Kind, error) {
	switch c := o.peek(); {
	case c == '"':
		return String, o.str()
	case c == '-' || (c >= '0' && c <= '9'):
		return Number, o.number()
	case c == 't':
		return Bool, o.literal("true")
	case c == 'f':
		return Bool, o.literal("false")
	case c == 'n':
		return Null, o.literal("null")
	case c == '{' || c == '[':
		return String, o.nested()
	}
	return Null, o.errorf("expected a value")
}

func (o *jsonObject) literal(word string) error {
	if len(o.line)-o.pos < len(word) || string(o.line[o.pos:o.pos+len(word)]) != word {
		return o.errorf("expected %s", word)
	}
	if word != "null" {
		o.buf = append(o.buf, word...)
	}
	o.pos += len(word)
	return nil
}

// number checks JSON number syntax: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (o *jsonObject) number() error {
	start := o.pos
	digits := func() int {
		n := 0
		for o.pos < len(o.line) && o.line[o.pos] >= '0' && o.line[o.pos] <= '9' {
			o.pos++
			n++
		}
		return n
	}
	if o.peek() == '-' {
		o.pos++
	}
	if o.peek() == '0' {
		o.pos++
	} else if digits() == 0 {
		return o.errorf("malformed number")
	}
	if o.peek() == '.' {
		o.pos++
		if digits() == 0 {
			return o.errorf("malformed number: digits must follow '.'")
		}
	}
	if c := o.peek(); c == 'e' || c == 'E' {
		o.pos++
		if c := o.peek(); c == '+' || c == '-' {
			o.pos++
		}
		if digits() == 0 {
			return o.errorf("malformed number: digits must follow the exponent")
		}
	}
	o.buf = append(o.buf, o.line[start:o.pos]...)
	return nil
}

// str unescapes the string at pos into buf.
func (o *jsonObject) str() error {
	o.pos++ // opening quote
	for {
		start := o.pos
		for o.pos < len(o.line) {
			c := o.line[o.pos]
			if c == '"' || c == '\\' || c < 0x20 {
				break
			}
			o.pos++
		}
		o.buf = append(o.buf, o.line[start:o.pos]...)
		switch c := o.peek(); {
		case o.pos == len(o.line):
			return o.errorf("unterminated string")
		case c == '"':
			o.pos++
			return nil
		case c < 0x20:
			return o.errorf("control character in a string; escape it")
		}
		if err := o.escape(); err != nil {
			return err
		}
	}
}

// escape decodes the backslash escape at pos into buf.
func (o *jsonObject) escape() error {
	o.pos++ // backslash
	c := o.peek()
	o.pos++
	switch c {
	case '"', '\\', '/':
		o.buf = append(o.buf, c)
	case 'b':
		o.buf = append(o.buf, '\b')
	case 'f':
		o.buf = append(o.buf, '\f')
	case 'n':
		o.buf = append(o.buf, '\n')
	case 'r':
		o.buf = append(o.buf, '\r')
	case 't':
		o.buf = append(o.buf, '\t')
	case 'u':
		r, ok := o.hex4()
		if !ok {
			return o.errorf(`malformed \u escape`)
		}
		if utf16.IsSurrogate(r) {
			// A pair decodes to one rune; a lone half becomes U+FFFD, as in encoding/json.
			save := o.pos
			if o.peek() == '\\' && o.pos+1 < len(o.line) && o.line[o.pos+1] == 'u' {
				o.pos += 2
				r2, ok := o.hex4()
				if ok {
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						o.buf = utf8.AppendRune(o.buf, dec)
						return nil
					}
				}
			}
			o.pos = save
			r = utf8.RuneError
		}
		o.buf = utf8.AppendRune(o.buf, r)
	default:
		o.pos--
		return o.errorf("unknown escape \\%c", c)
	}
	return nil
}

func (o *jsonObject) hex4() (rune, bool) {
	if len(o.line)-o.pos < 4 {
		return 0, false
	}
	var r rune
	for _, c := range o.line[o.pos : o.pos+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	o.pos += 4
	return r, true
}

// nested copies a nested object or array verbatim, checked by encoding/json
// (nested values are rare in tabular data, so this path need not be fast).
func (o *jsonObject) nested() error {
	start, depth, inStr := o.pos, 0, false
	for ; o.pos < len(o.line); o.pos++ {
		c := o.line[o.pos]
		switch {
		case inStr && c == '\\':
			o.pos++
		case c == '"':
			inStr = !inStr
		case inStr:
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
		}
		if depth == 0 {
			o.pos++
			break
		}
	}
	raw := o.line[start:min(o.pos, len(o.line))]
	if depth != 0 || !json.Valid(raw) {
		o.pos = start
		return o.errorf("malformed nested value")
	}
	o.buf = append(o.buf, raw...)
	return nil
}
