package table

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// parquetSource reads a flat Parquet file (one leaf column per field) in
// batches of rows. Strings and byte arrays are String cells; integers and
// floats are Number (logical types such as DATE or TIMESTAMP keep their
// physical integer); booleans are Bool.
type parquetSource struct {
	r      *parquet.Reader
	header []string
	batch  []parquet.Row
	n, i   int  // rows in batch, next row to return
	eof    bool // r has no more rows
	buf    []byte
}

// checkFooter rejects a file whose footer length (the 4 bytes before the
// closing "PAR1") exceeds the file, before parquet-go allocates that much.
func checkFooter(f io.ReaderAt, size int64) error {
	var tail [8]byte
	if size < 12 {
		return fmt.Errorf("not a Parquet file: %d bytes is too short", size)
	}
	if _, err := f.ReadAt(tail[:], size-8); err != nil {
		return err
	}
	if string(tail[4:]) != "PAR1" {
		return errors.New(`not a Parquet file: it does not end with "PAR1" (truncated?)`)
	}
	if n := int64(binary.LittleEndian.Uint32(tail[:4])); n > size-12 {
		return fmt.Errorf("corrupt Parquet file: a footer of %d bytes does not fit in a file of %d bytes", n, size)
	}
	return nil
}

// recoverCorrupt turns the panics parquet-go raises on some corrupt
// files: bad input must be an error, never a crash.
func recoverCorrupt(err *error) {
	if p := recover(); p != nil {
		*err = fmt.Errorf("corrupt Parquet file (%v)", p)
	}
}

func newParquetSource(f io.ReaderAt, size int64) (_ *parquetSource, err error) {
	defer recoverCorrupt(&err)
	if err := checkFooter(f, size); err != nil {
		return nil, err
	}
	file, err := parquet.OpenFile(f, size)
	if err != nil {
		return nil, fmt.Errorf("not a readable Parquet file: %w", err)
	}
	var header []string
	for _, path := range file.Schema().Columns() {
		if len(path) != 1 {
			return nil, fmt.Errorf("column %q is nested; only flat Parquet schemas are supported", strings.Join(path, "."))
		}
		header = append(header, path[0])
	}
	for _, field := range file.Schema().Fields() {
		if field.Repeated() {
			return nil, fmt.Errorf("column %q is repeated (a list); only flat Parquet schemas are supported", field.Name())
		}
	}
	if err := checkHeader(header); err != nil {
		return nil, err
	}
	return &parquetSource{
		r:      parquet.NewReader(file),
		header: header,
		batch:  make([]parquet.Row, 256),
	}, nil
}

func (s *parquetSource) columns() []string { return s.header }

func (s *parquetSource) next(cells []Cell) (_ []Cell, err error) {
	defer recoverCorrupt(&err)
	if s.i == s.n {
		if s.eof {
			return nil, io.EOF
		}
		for i := range s.batch {
			s.batch[i] = s.batch[i][:0]
		}
		n, err := s.r.ReadRows(s.batch)
		switch {
		case err == io.EOF:
			s.eof = true
		case err != nil:
			return nil, fmt.Errorf("reading Parquet rows: %w", err)
		}
		s.n, s.i = n, 0
		if n == 0 {
			return nil, io.EOF
		}
	}
	row := s.batch[s.i]
	s.i++
	// Encode every value into buf first: appending may move it.
	s.buf = s.buf[:0]
	type span struct {
		kind       Kind
		start, end int
	}
	var spans [64]span
	sp := spans[:0]
	if len(s.header) > len(spans) {
		sp = make([]span, 0, len(s.header))
	}
	for range s.header {
		sp = append(sp, span{})
	}
	for _, v := range row {
		col := v.Column()
		if col < 0 || col >= len(sp) || v.IsNull() {
			continue
		}
		start := len(s.buf)
		var k Kind
		switch v.Kind() {
		case parquet.Boolean:
			k, s.buf = Bool, strconv.AppendBool(s.buf, v.Boolean())
		case parquet.Int32:
			k, s.buf = Number, strconv.AppendInt(s.buf, int64(v.Int32()), 10)
		case parquet.Int64:
			k, s.buf = Number, strconv.AppendInt(s.buf, v.Int64(), 10)
		case parquet.Float:
			k, s.buf = Number, strconv.AppendFloat(s.buf, float64(v.Float()), 'g', -1, 32)
		case parquet.Double:
			k, s.buf = Number, strconv.AppendFloat(s.buf, v.Double(), 'g', -1, 64)
		default: // byte arrays, INT96
			k, s.buf = String, v.AppendBytes(s.buf)
		}
		sp[col] = span{k, start, len(s.buf)}
	}
	cells = cells[:0]
	for _, x := range sp {
		cells = append(cells, Cell{x.kind, s.buf[x.start:x.end:x.end]})
	}
	return cells, nil
}
