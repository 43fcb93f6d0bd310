package table

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// csvParser splits RFC 4180 CSV into records with the same rules as
// encoding/csv's default Reader (comma separator, no comments, strict
// quotes, blank lines skipped, \r\n read as \n), which the fuzz test checks,
// but without allocating per record: fields are slices of one reused buffer.
type csvParser struct {
	lineReader
	buf     []byte   // the current record's field bytes, back to back
	ends    []int    // end offset of each field in buf
	fields  [][]byte // views of buf, rebuilt per record
	badUTF8 bool     // the current record has invalid UTF-8 somewhere
}

// lineReader reads physical lines without allocating per line.
type lineReader struct {
	br   *bufio.Reader
	long []byte // a line longer than br's buffer, assembled here
	line int    // physical line number of the last line read
}

// maxLine bounds one line (and one CSV record), so that a file without
// line breaks cannot take all memory.
const maxLine = 64 << 20

var (
	errLongLine  = fmt.Errorf("a line longer than %d MiB: is this really CSV or JSON Lines?", maxLine>>20)
	errBareQuote = errors.New(`a quote (") inside an unquoted field; quote the whole field and double the quote ("")`)
	errQuote     = errors.New(`a quoted field is not closed properly: extra text after its closing quote, or no closing quote`)
)

func newCSVParser(r io.Reader) *csvParser {
	return &csvParser{lineReader: newLineReader(r)}
}

func newLineReader(r io.Reader) lineReader {
	return lineReader{br: bufio.NewReaderSize(r, 256<<10)}
}

// readLine returns the next physical line with its "\n" (if any), "\r\n"
// normalised to "\n" and a final "\r" at end of input dropped. It returns
// io.EOF only when no bytes remain.
func (p *lineReader) readLine() ([]byte, error) {
	line, err := p.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		p.long = append(p.long[:0], line...)
		for err == bufio.ErrBufferFull && len(p.long) <= maxLine {
			line, err = p.br.ReadSlice('\n')
			p.long = append(p.long, line...)
		}
		if len(p.long) > maxLine {
			return nil, errLongLine
		}
		line = p.long
	}
	if len(line) > 0 && err == io.EOF {
		err = nil
		if line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
	}
	if err != nil {
		return nil, err
	}
	p.line++
	if n := len(line); n >= 2 && line[n-2] == '\r' && line[n-1] == '\n' {
		line[n-2] = '\n'
		line = line[:n-1]
	}
	return line, nil
}

// csvLine is readLine noting invalid UTF-8 for the current record.
func (p *csvParser) csvLine() ([]byte, error) {
	line, err := p.readLine()
	if err == nil && !p.badUTF8 && !utf8.Valid(line) {
		p.badUTF8 = true
	}
	return line, err
}

// lengthNL is 1 if b ends with "\n", else 0.
func lengthNL(b []byte) int {
	if len(b) > 0 && b[len(b)-1] == '\n' {
		return 1
	}
	return 0
}

// csvSyntaxError is a malformed record; field is the 1-based field number.
type csvSyntaxError struct {
	line, field int
	err         error
}

func (e *csvSyntaxError) Error() string {
	return fmt.Sprintf("line %d, field %d: %v", e.line, e.field, e.err)
}

func (e *csvSyntaxError) Unwrap() error { return e.err }

// record returns the fields of the next record, valid until the next call,
// or io.EOF after the last one.
func (p *csvParser) record() ([][]byte, error) {
	p.badUTF8 = false
	var line []byte
	for {
		l, err := p.csvLine()
		if err != nil {
			return nil, err
		}
		if len(l) > lengthNL(l) {
			line = l
			break
		}
	}
	p.buf, p.ends = p.buf[:0], p.ends[:0]
fields:
	for {
		if len(line) == 0 || line[0] != '"' {
			i := bytes.IndexByte(line, ',')
			field := line
			if i >= 0 {
				field = field[:i]
			} else {
				field = field[:len(field)-lengthNL(field)]
			}
			if bytes.IndexByte(field, '"') >= 0 {
				return nil, &csvSyntaxError{p.line, len(p.ends) + 1, errBareQuote}
			}
			p.buf = append(p.buf, field...)
			p.ends = append(p.ends, len(p.buf))
			if i < 0 {
				break fields
			}
			line = line[i+1:]
			continue
		}
		line = line[1:] // opening quote
		for {
			i := bytes.IndexByte(line, '"')
			switch {
			case i >= 0:
				p.buf = append(p.buf, line[:i]...)
				line = line[i+1:]
				switch {
				case len(line) > 0 && line[0] == '"': // "" is a quote
					p.buf = append(p.buf, '"')
					line = line[1:]
				case len(line) > 0 && line[0] == ',':
					line = line[1:]
					p.ends = append(p.ends, len(p.buf))
					continue fields
				case len(line) == lengthNL(line):
					p.ends = append(p.ends, len(p.buf))
					break fields
				default:
					return nil, &csvSyntaxError{p.line, len(p.ends) + 1, errQuote}
				}
			case len(line) > 0: // the field goes on on the next line
				if p.buf = append(p.buf, line...); len(p.buf) > maxLine {
					return nil, &csvSyntaxError{p.line, len(p.ends) + 1, errLongLine}
				}
				next, err := p.csvLine()
				if err == io.EOF {
					return nil, &csvSyntaxError{p.line, len(p.ends) + 1, errQuote}
				}
				if err != nil {
					return nil, err
				}
				line = next
			default:
				return nil, &csvSyntaxError{p.line, len(p.ends) + 1, errQuote}
			}
		}
	}
	p.fields = p.fields[:0]
	start := 0
	for _, end := range p.ends {
		p.fields = append(p.fields, p.buf[start:end:end])
		start = end
	}
	return p.fields, nil
}
