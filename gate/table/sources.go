package table

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// source is one file's rows. next returns io.EOF after the last row; other
// errors may be a *cellError to name the column.
type source interface {
	columns() []string
	next(cells []Cell) ([]Cell, error)
}

// cellError is a problem with one column of the current row.
type cellError struct {
	col int
	err error
}

func (e *cellError) Error() string { return e.err.Error() }
func (e *cellError) Unwrap() error { return e.err }

// checkHeader rejects duplicate column names, which would make every
// by-name lookup ambiguous.
func checkHeader(names []string) error {
	seen := make(map[string]int, len(names))
	for i, n := range names {
		if j, dup := seen[n]; dup {
			return fmt.Errorf("columns %d and %d are both named %q; column names must be unique", j+1, i+1, n)
		}
		seen[n] = i
	}
	return nil
}

type csvSource struct {
	p      *csvParser
	header []string
}

var utf8BOM = []byte("\xef\xbb\xbf")

func newCSVSource(r io.Reader) (*csvSource, error) {
	p := newCSVParser(r)
	rec, err := p.record()
	if err == io.EOF {
		return nil, errors.New("empty file: a CSV file needs a header row")
	}
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if p.badUTF8 {
		return nil, fmt.Errorf("header: %w", errNotUTF8)
	}
	header := make([]string, len(rec))
	for i, f := range rec {
		if i == 0 {
			f = bytes.TrimPrefix(f, utf8BOM)
		}
		header[i] = string(f)
	}
	if err := checkHeader(header); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	return &csvSource{p: p, header: header}, nil
}

func (s *csvSource) columns() []string { return s.header }

func (s *csvSource) next(cells []Cell) ([]Cell, error) {
	rec, err := s.p.record()
	if err != nil {
		var se *csvSyntaxError
		if errors.As(err, &se) && se.field <= len(s.header) {
			return nil, &cellError{se.field - 1, se}
		}
		return nil, err
	}
	if len(rec) != len(s.header) {
		return nil, fmt.Errorf("%d fields, but the header has %d (ragged row; quote fields that contain commas)", len(rec), len(s.header))
	}
	if s.p.badUTF8 {
		for i, f := range rec {
			if !utf8.Valid(f) {
				return nil, &cellError{i, errNotUTF8}
			}
		}
	}
	cells = cells[:0]
	for _, f := range rec {
		k := Text
		if len(f) == 0 {
			k = Null
		}
		cells = append(cells, Cell{k, f})
	}
	return cells, nil
}

// jsonlSource reads one JSON object per line. Its columns are the keys of
// the first object, in order; later objects may omit keys (null) but not
// add new ones, so a streaming reader knows every column up front.
type jsonlSource struct {
	lr     lineReader
	obj    jsonObject
	header []string
	index  map[string]int
	seen   []bool // per column: set in the current object
	first  bool   // the first object is parsed and not yet returned
}

func newJSONLSource(r io.Reader) (*jsonlSource, error) {
	s := &jsonlSource{lr: newLineReader(r), index: map[string]int{}}
	ok, err := s.parseNext()
	if err != nil {
		return nil, &Error{Row: 1, Err: err}
	}
	if !ok {
		return s, nil
	}
	if len(s.obj.fields) == 0 {
		return nil, &Error{Row: 1, Err: errors.New("the first object has no keys; it names the columns, so give it every key (with null if need be)")}
	}
	for _, f := range s.obj.fields {
		s.header = append(s.header, string(s.obj.key(f)))
	}
	if err := checkHeader(s.header); err != nil {
		return nil, &Error{Row: 1, Err: err}
	}
	for i, n := range s.header {
		s.index[n] = i
	}
	s.seen = make([]bool, len(s.header))
	s.first = true
	return s, nil
}

// parseNext parses the next non-blank line; ok is false at the end.
func (s *jsonlSource) parseNext() (ok bool, err error) {
	for {
		line, err := s.lr.readLine()
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		ok, err := s.obj.parse(line)
		if err != nil {
			return false, err
		}
		if ok {
			return true, nil
		}
	}
}

func (s *jsonlSource) columns() []string { return s.header }

func (s *jsonlSource) next(cells []Cell) ([]Cell, error) {
	if !s.first {
		ok, err := s.parseNext()
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, io.EOF
		}
	}
	s.first = false
	cells = cells[:0]
	for i := range s.header {
		cells = append(cells, Cell{})
		s.seen[i] = false
	}
	for i, f := range s.obj.fields {
		key := s.obj.key(f)
		col := i
		if i >= len(s.header) || s.header[i] != string(key) {
			var known bool
			if col, known = s.index[string(key)]; !known {
				return nil, fmt.Errorf("key %q is not in the first object; every column must appear in the first line (with null if need be)", key)
			}
		}
		if s.seen[col] {
			return nil, &cellError{col, errors.New("duplicate key")}
		}
		s.seen[col] = true
		cells[col] = Cell{f.kind, s.obj.val(f)}
	}
	return cells, nil
}
