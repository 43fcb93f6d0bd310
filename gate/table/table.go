// Package table streams the rows of a dataset (CSV, JSON Lines or Parquet,
// optionally gzip-compressed; a file, a directory of files or stdin) to the
// gates, one row at a time, in memory that does not grow with the input.
//
// Cells are byte slices into buffers the Reader reuses: they are valid until
// the next call to Next. Copy what you keep (Cell.String does).
//
// Nulls: an empty CSV cell (quoted or not), a JSON null or a missing JSON key,
// and a Parquet null are all Null. Nothing else is: "NA" or "null" in a CSV
// are text.
//
// Numbers: Cell.Float parses decimal and exponent notation and also "NaN",
// "Inf", "+Inf", "-Inf" and "Infinity" (any case), returning the IEEE values;
// the gates decide what a NaN means to them. JSON cannot hold NaN or Inf;
// Parquet doubles can and are read as such.
package table

import (
	"fmt"
	"strconv"
	"unsafe"
)

// Kind is the type of a cell as the file format states it.
type Kind uint8

const (
	Null   Kind = iota // no value
	Text               // an untyped CSV cell: could be a number or a string
	String             // a JSON or Parquet string (or nested JSON, as its text)
	Number             // a JSON or Parquet number
	Bool               // a JSON or Parquet boolean ("true" / "false")
)

func (k Kind) String() string {
	switch k {
	case Null:
		return "null"
	case Text:
		return "text"
	case String:
		return "string"
	case Number:
		return "number"
	case Bool:
		return "bool"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Cell is one value of a row. Bytes is valid until the Reader's next Next.
type Cell struct {
	Kind  Kind
	Bytes []byte
}

// IsNull reports whether the cell holds no value.
func (c Cell) IsNull() bool { return c.Kind == Null }

// String returns a copy of the cell's text.
func (c Cell) String() string { return string(c.Bytes) }

// Float parses a Text or Number cell as a float64. ok is false for nulls,
// strings, booleans and text that is not a number.
func (c Cell) Float() (f float64, ok bool) {
	if !c.mayBeNumber() {
		return 0, false
	}
	f, err := strconv.ParseFloat(unsafeString(c.Bytes), 64)
	return f, err == nil
}

// Int parses a Text or Number cell holding an integer (no fraction, no
// exponent) as an int64. ok is false otherwise, including on overflow.
func (c Cell) Int() (i int64, ok bool) {
	if !c.mayBeNumber() {
		return 0, false
	}
	i, err := strconv.ParseInt(unsafeString(c.Bytes), 10, 64)
	return i, err == nil
}

// mayBeNumber rejects most non-numbers by their first byte, sparing strconv
// (whose errors allocate) the text columns.
func (c Cell) mayBeNumber() bool {
	if (c.Kind != Text && c.Kind != Number) || len(c.Bytes) == 0 {
		return false
	}
	switch b := c.Bytes[0]; {
	case b >= '0' && b <= '9', b == '-', b == '+', b == '.', b == 'i', b == 'I', b == 'n', b == 'N':
		return true
	}
	return false
}

// unsafeString views b as a string without copying. The result must not
// outlive b's next reuse; strconv errors that capture it are discarded.
func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// Error is a problem with the input, located as precisely as known.
type Error struct {
	File   string // path of the file, "-" for stdin
	Row    int    // 1-based data row (the CSV header is row 0); 0 if not row-specific
	Column string // column name; "" if not column-specific
	Err    error
}

func (e *Error) Error() string {
	msg := e.File
	sep := ": "
	if e.Row > 0 {
		msg += fmt.Sprintf("%srow %d", sep, e.Row)
		sep = ", "
	}
	if e.Column != "" {
		msg += fmt.Sprintf("%scolumn %q", sep, e.Column)
	}
	return msg + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }
