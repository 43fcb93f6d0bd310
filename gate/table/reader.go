package table

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Format is a file format. The zero value means: decide from the file name,
// then from its first bytes.
type Format string

const (
	Auto    Format = ""
	CSV     Format = "csv"
	JSONL   Format = "jsonl"
	Parquet Format = "parquet"
)

// Options tune Open.
type Options struct {
	Format Format    // force a format instead of detecting it
	Stdin  io.Reader // read for "-"; os.Stdin if nil
}

// Reader streams the rows of one table: a file, every data file under a
// directory (sorted by path, all with the same columns) or stdin.
type Reader struct {
	opt     Options
	files   []string
	fileIdx int
	columns []string

	src    source
	closer io.Closer
	file   string
	row    int
	cells  []Cell
	err    error
}

// Open prepares to read path: a data file, a directory of data files, or
// "-" for stdin. The columns are known once Open returns.
func Open(path string, opt Options) (*Reader, error) {
	r := &Reader{opt: opt}
	if path == "-" {
		r.files = []string{"-"}
	} else {
		info, err := os.Stat(path)
		if err != nil {
			return nil, &Error{File: path, Err: errors.Unwrap(err)}
		}
		if info.IsDir() {
			if r.files, err = dataFiles(path); err != nil {
				return nil, err
			}
		} else {
			r.files = []string{path}
		}
	}
	if err := r.openNext(); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// dataFiles lists the data files under dir, subdirectories included (a
// fetched prefix or a partitioned dataset), hidden ones excluded (.git, the
// fetch manifest), sorted by path.
func dataFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		hidden := path != dir && strings.HasPrefix(d.Name(), ".")
		switch {
		case d.IsDir() && hidden:
			return filepath.SkipDir
		case !d.IsDir() && !hidden && formatOf(d.Name()) != Auto:
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return nil, &Error{File: dir, Err: err}
	}
	if len(files) == 0 {
		return nil, &Error{File: dir, Err: errors.New("no data files (.csv, .jsonl, .ndjson, .parquet, optionally .gz) in this directory")}
	}
	slices.Sort(files)
	return files, nil
}

// formatOf guesses a format from a file name, ignoring a .gz suffix.
func formatOf(name string) Format {
	name = strings.ToLower(name)
	name = strings.TrimSuffix(name, ".gz")
	switch filepath.Ext(name) {
	case ".csv":
		return CSV
	case ".jsonl", ".ndjson":
		return JSONL
	case ".parquet", ".pq":
		return Parquet
	}
	return Auto
}

// Columns returns the column names, in file order.
func (r *Reader) Columns() []string { return r.columns }

// Files lists the files of the table, in reading order ("-" for stdin).
func (r *Reader) Files() []string { return r.files }

// File returns the file the current row comes from ("-" for stdin).
func (r *Reader) File() string { return r.file }

// Row returns the 1-based number of the current row within File.
func (r *Reader) Row() int { return r.row }

// Cells returns the current row, one cell per column. The slice and the
// cells' bytes are reused by the next call to Next.
func (r *Reader) Cells() []Cell { return r.cells }

// Err returns the error that stopped Next, if any; nil at a clean end.
func (r *Reader) Err() error { return r.err }

// CellError locates err at column col of the current row.
func (r *Reader) CellError(col int, err error) *Error {
	e := &Error{File: r.file, Row: r.row, Err: err}
	if col >= 0 && col < len(r.columns) {
		e.Column = r.columns[col]
	}
	return e
}

// Next advances to the next row. It returns false at the end of the table
// or on an error (see Err).
func (r *Reader) Next() bool {
	for r.err == nil && r.src != nil {
		cells, err := r.src.next(r.cells)
		if err == nil {
			r.row++
			r.cells = cells
			return true
		}
		if err != io.EOF {
			r.fail(err)
			return false
		}
		if err := r.closeFile(); err != nil {
			r.err = &Error{File: r.file, Err: err}
			return false
		}
		if err := r.openNext(); err != nil {
			r.err = err
			return false
		}
	}
	return false
}

// fail records err, located at the row being read.
func (r *Reader) fail(err error) {
	e := &Error{File: r.file, Row: r.row + 1, Err: err}
	var ce *cellError
	if errors.As(err, &ce) {
		e = r.CellError(ce.col, ce.err)
		e.Row = r.row + 1
	}
	r.err = e
}

// Close releases the current file.
func (r *Reader) Close() error {
	r.src = nil
	return r.closeFile()
}

func (r *Reader) closeFile() error {
	if r.closer == nil {
		return nil
	}
	err := r.closer.Close()
	r.closer = nil
	return err
}

// openNext opens the next file of the table, if any, and checks that it has
// the same columns as the first. Empty JSON Lines files are skipped.
func (r *Reader) openNext() error {
	for {
		r.src = nil
		if r.fileIdx == len(r.files) {
			return nil
		}
		r.file, r.row = r.files[r.fileIdx], 0
		r.fileIdx++
		src, closer, err := r.openFile(r.file)
		if err != nil {
			if closer != nil {
				closer.Close()
			}
			var te *Error
			if !errors.As(err, &te) {
				te = &Error{Err: err}
			}
			te.File = r.file
			return te
		}
		r.src, r.closer = src, closer
		cols := src.columns()
		switch {
		case len(cols) == 0: // an empty JSON Lines file: no rows
			if err := r.closeFile(); err != nil {
				return &Error{File: r.file, Err: err}
			}
			continue
		case r.columns == nil:
			r.columns = cols
		case !slices.Equal(cols, r.columns):
			return &Error{File: r.file, Err: fmt.Errorf("columns %q differ from %q in the first file; every file of a directory must have the same columns",
				cols, r.columns)}
		}
		return nil
	}
}

// openFile opens one file (or stdin), undoing gzip compression, and picks
// its format.
func (r *Reader) openFile(name string) (source, io.Closer, error) {
	var in io.Reader
	var closer io.Closer
	if name == "-" {
		in = r.opt.Stdin
		if in == nil {
			in = os.Stdin
		}
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, nil, errors.Unwrap(err)
		}
		in, closer = f, f
	}
	br := bufio.NewReaderSize(in, 64<<10)
	var data io.Reader = br
	gzipped := false
	if magic, _ := br.Peek(2); bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, closer, fmt.Errorf("corrupt or truncated gzip header: %w", err)
		}
		data, gzipped = &gzipErrors{zr}, true
	}
	format := r.opt.Format
	if format == Auto && name != "-" {
		format = formatOf(name)
	}
	var sniff *bufio.Reader
	if format == Auto {
		sniff = bufio.NewReaderSize(data, 64<<10)
		data, format = sniff, sniffFormat(sniff)
	}
	switch format {
	case CSV:
		src, err := newCSVSource(data)
		return src, closer, err
	case JSONL:
		src, err := newJSONLSource(data)
		return src, closer, err
	case Parquet:
		if f, ok := in.(*os.File); ok && !gzipped && name != "-" {
			info, err := f.Stat()
			if err != nil {
				return nil, closer, err
			}
			src, err := newParquetSource(f, info.Size())
			return src, closer, err
		}
		return spoolParquet(data, closer)
	}
	return nil, closer, fmt.Errorf("unknown format %q; use csv, jsonl or parquet", format)
}

// sniffFormat tells Parquet by its magic, JSON Lines by a leading '{', and
// takes anything else for CSV.
func sniffFormat(br *bufio.Reader) Format {
	head, _ := br.Peek(4)
	if string(head) == "PAR1" {
		return Parquet
	}
	for n := 1; n <= 4096; n++ {
		b, err := br.Peek(n)
		if err != nil || len(b) < n {
			break
		}
		switch b[n-1] {
		case ' ', '\t', '\r', '\n':
			continue
		case '{':
			return JSONL
		}
		break
	}
	return CSV
}

// spoolParquet copies a Parquet stream (stdin, or gzip-compressed) to a
// temporary file, because Parquet is read from its end.
func spoolParquet(data io.Reader, inCloser io.Closer) (source, io.Closer, error) {
	tmp, err := os.CreateTemp("", "mlc-*.parquet")
	if err != nil {
		return nil, inCloser, err
	}
	closer := &spoolCloser{tmp: tmp, in: inCloser}
	size, err := io.Copy(tmp, data)
	if err != nil {
		return nil, closer, err
	}
	src, err := newParquetSource(tmp, size)
	return src, closer, err
}

type spoolCloser struct {
	tmp *os.File
	in  io.Closer
}

func (c *spoolCloser) Close() error {
	err := c.tmp.Close()
	os.Remove(c.tmp.Name())
	if c.in != nil {
		if err2 := c.in.Close(); err == nil {
			err = err2
		}
	}
	return err
}

// gzipErrors names gzip failures in terms a user can act on.
type gzipErrors struct{ r *gzip.Reader }

func (g *gzipErrors) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	switch {
	case err == io.ErrUnexpectedEOF:
		err = errors.New("the gzip data is truncated (incomplete download or copy?)")
	case err != nil && err != io.EOF:
		err = fmt.Errorf("corrupt gzip data: %w", err)
	}
	return n, err
}
