package table

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// readAll returns the columns and rows of path, nulls as "<null>", or the
// error that stopped it.
func readAll(t *testing.T, path string, opt Options) ([]string, [][]string, error) {
	t.Helper()
	r, err := Open(path, opt)
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	var rows [][]string
	for r.Next() {
		var row []string
		for _, c := range r.Cells() {
			if c.IsNull() {
				row = append(row, "<null>")
			} else {
				row = append(row, c.String())
			}
		}
		rows = append(rows, row)
	}
	return r.Columns(), rows, r.Err()
}

func write(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func gz(data []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(data)
	w.Close()
	return b.Bytes()
}

func TestCSV(t *testing.T) {
	p := write(t, t.TempDir(), "d.csv", []byte("\xef\xbb\xbfid,name,note\r\n1,\"Doe, J\",\"said \"\"hi\"\"\nthen left\"\r\n2,,\"\"\r\n\r\n3,é,x"))
	cols, rows, err := readAll(t, p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"id", "name", "note"}; !reflect.DeepEqual(cols, want) {
		t.Errorf("columns %q, want %q", cols, want)
	}
	want := [][]string{
		{"1", "Doe, J", "said \"hi\"\nthen left"},
		{"2", "<null>", "<null>"},
		{"3", "é", "x"},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows %q, want %q", rows, want)
	}
}

func TestBadInputIsLocated(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, data, want string
	}{
		{"ragged.csv", "a,b\n1,2\n3\n", "ragged.csv: row 2: 1 fields, but the header has 2"},
		{"bare.csv", "a,b\n1,x\"y\n", `bare.csv: row 1, column "b": line 2, field 2: a quote (")`},
		{"open.csv", "a,b\n1,\"x\n", `open.csv: row 1, column "b": line 2, field 2: a quoted field is not closed`},
		{"latin1.csv", "a,b\n1,2\n3,caf\xe9\n", `latin1.csv: row 2, column "b": not valid UTF-8`},
		{"empty.csv", "", "empty.csv: empty file: a CSV file needs a header row"},
		{"dup.csv", "a,b,a\n", `dup.csv: header: columns 1 and 3 are both named "a"`},
		{"new.jsonl", "{\"a\":1}\n{\"a\":2,\"b\":3}\n", `new.jsonl: row 2: key "b" is not in the first object`},
		{"dupkey.jsonl", "{\"a\":1,\"b\":2}\n{\"a\":1,\"a\":2}\n", `dupkey.jsonl: row 2, column "a": duplicate key`},
		{"syntax.jsonl", "{\"a\":1}\n{\"a\":tru}\n", `syntax.jsonl: row 2: byte 6: expected true`},
		{"array.jsonl", "[1]\n", `array.jsonl: row 1: byte 1: each line must hold one JSON object`},
		{"nokeys.jsonl", "{}\n{\"a\":1}\n", `nokeys.jsonl: row 1: the first object has no keys`},
		{"dupfirst.jsonl", "{\"a\":1,\"a\":2}\n", `dupfirst.jsonl: row 1: columns 1 and 2 are both named "a"`},
		{"bytes.jsonl", "{\"a\":\"\xff\"}\n", `bytes.jsonl: row 1: not valid UTF-8`},
		{"trunc.csv.gz", string(gz([]byte("a,b\n1,2\n3,4\n"))[:20]), "trunc.csv.gz: row 2: the gzip data is truncated"},
		{"bad.parquet", "PAR1 not really", `bad.parquet: not a Parquet file: it does not end with "PAR1"`},
		{"footer.parquet", "PAR1 then a footer\x05\x00\x00\x00PAR1", "footer.parquet: not a readable Parquet file"},
	} {
		_, _, err := readAll(t, write(t, dir, tc.name, []byte(tc.data)), Options{})
		if err == nil || !strings.HasPrefix(err.Error(), filepath.Join(dir, tc.want)) {
			t.Errorf("%s: error %v\nwant prefix %s", tc.name, err, tc.want)
		}
		var te *Error
		if !errors.As(err, &te) {
			t.Errorf("%s: %T is not a *table.Error", tc.name, err)
		}
	}
}

func TestJSONL(t *testing.T) {
	p := write(t, t.TempDir(), "d.ndjson", []byte("{\"id\":1,\"tag\":\"a\\u00e9\",\"ok\":true,\"x\":{\"n\":[1]}}\n\n{\"ok\":false,\"id\":2.5e3}\n{\"id\":null}\n"))
	cols, rows, err := readAll(t, p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"id", "tag", "ok", "x"}; !reflect.DeepEqual(cols, want) {
		t.Errorf("columns %q", cols)
	}
	want := [][]string{
		{"1", "aé", "true", `{"n":[1]}`},
		{"2.5e3", "<null>", "false", "<null>"},
		{"<null>", "<null>", "<null>", "<null>"},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows %q, want %q", rows, want)
	}
}

func TestKindsAndNumbers(t *testing.T) {
	r, err := Open("-", Options{Stdin: strings.NewReader(`{"n":1.5,"s":"1.5","b":true,"i":-7}`)})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Next() {
		t.Fatal(r.Err())
	}
	c := r.Cells()
	if c[0].Kind != Number || c[1].Kind != String || c[2].Kind != Bool || c[3].Kind != Number {
		t.Errorf("kinds %v %v %v %v", c[0].Kind, c[1].Kind, c[2].Kind, c[3].Kind)
	}
	if f, ok := c[0].Float(); !ok || f != 1.5 {
		t.Errorf("Float = %v, %v", f, ok)
	}
	if _, ok := c[1].Float(); ok {
		t.Error("a JSON string must not read as a number")
	}
	if i, ok := c[3].Int(); !ok || i != -7 {
		t.Errorf("Int = %v, %v", i, ok)
	}
	if _, ok := c[0].Int(); ok {
		t.Error("1.5 is not an int")
	}
	for _, s := range []string{"NaN", "nan", "Inf", "-Inf", "+infinity"} {
		f, ok := Cell{Text, []byte(s)}.Float()
		if !ok || !(math.IsNaN(f) || math.IsInf(f, 0)) {
			t.Errorf("%s: %v, %v", s, f, ok)
		}
	}
	if _, ok := (Cell{Text, []byte("12abc")}).Float(); ok {
		t.Error("12abc is not a number")
	}
}

func TestGzipAndStdinSniffing(t *testing.T) {
	data := []byte("a,b\n1,2\n")
	dir := t.TempDir()
	for name, opt := range map[string]Options{
		write(t, dir, "d.csv.gz", gz(data)):  {},
		write(t, dir, "no-extension", data):  {},
		write(t, dir, "gz-no-ext", gz(data)): {},
		"-":                                  {Stdin: bytes.NewReader(gz(data))},
	} {
		cols, rows, err := readAll(t, name, opt)
		if err != nil || !reflect.DeepEqual(cols, []string{"a", "b"}) || !reflect.DeepEqual(rows, [][]string{{"1", "2"}}) {
			t.Errorf("%s: %q %q %v", name, cols, rows, err)
		}
	}
}

type parquetRow struct {
	ID    int64    `parquet:"id"`
	Name  *string  `parquet:"name,optional"`
	Score *float64 `parquet:"score,optional"`
	OK    bool     `parquet:"ok"`
}

func parquetFile(t *testing.T, rows []parquetRow) []byte {
	t.Helper()
	var b bytes.Buffer
	w := parquet.NewGenericWriter[parquetRow](&b)
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestParquet(t *testing.T) {
	name, score := "ana", math.NaN()
	data := parquetFile(t, []parquetRow{{1, &name, &score, true}, {2, nil, nil, false}})
	dir := t.TempDir()
	want := [][]string{{"1", "ana", "NaN", "true"}, {"2", "<null>", "<null>", "false"}}
	for path, opt := range map[string]Options{
		write(t, dir, "d.parquet", data):        {},
		write(t, dir, "d.parquet.gz", gz(data)): {},
		"-":                                     {Stdin: bytes.NewReader(data)},
	} {
		cols, rows, err := readAll(t, path, opt)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if !reflect.DeepEqual(cols, []string{"id", "name", "score", "ok"}) || !reflect.DeepEqual(rows, want) {
			t.Errorf("%s: %q %q", path, cols, rows)
		}
	}
}

func TestDirectory(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "b.csv", []byte("x,y\n3,4\n"))
	write(t, dir, "a.csv.gz", gz([]byte("x,y\n1,2\n")))
	write(t, dir, "c.jsonl", []byte("{\"x\":5,\"y\":6}\n"))
	write(t, dir, "README.md", []byte("not data"))
	write(t, dir, ".hidden.csv", []byte("other\n"))
	for _, sub := range []string{"b", ".git"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write(t, filepath.Join(dir, "b"), "part-0.csv", []byte("x,y\n4,5\n"))
	write(t, filepath.Join(dir, ".git"), "x.csv", []byte("other\n"))
	r, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for r.Next() {
		rel, _ := filepath.Rel(dir, r.File())
		got = append(got, rel+":"+r.Cells()[0].String())
	}
	if r.Err() != nil {
		t.Fatal(r.Err())
	}
	if want := []string{"a.csv.gz:1", "b.csv:3", "b/part-0.csv:4", "c.jsonl:5"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}

	write(t, dir, "d.csv", []byte("x,z\n7,8\n"))
	_, _, err = readAll(t, dir, Options{})
	if err == nil || !strings.Contains(err.Error(), "d.csv: columns [\"x\" \"z\"] differ") {
		t.Errorf("mismatched header: %v", err)
	}
	if _, err := Open(t.TempDir(), Options{}); err == nil || !strings.Contains(err.Error(), "no data files") {
		t.Errorf("empty dir: %v", err)
	}
}

func TestRowNumbersAndCellError(t *testing.T) {
	r, err := Open("-", Options{Format: CSV, Stdin: strings.NewReader("a,b\n1,2\n3,4\n")})
	if err != nil {
		t.Fatal(err)
	}
	r.Next()
	r.Next()
	if got := r.CellError(1, errors.New("too big")).Error(); got != `-: row 2, column "b": too big` {
		t.Errorf("got %s", got)
	}
}

func TestBatches(t *testing.T) {
	var data strings.Builder
	data.WriteString("n,s\n")
	const rows = 3*batchRows + 5
	for i := range rows {
		fmt.Fprintf(&data, "%d,%s\n", i, strings.Repeat("x", i%7))
	}
	r, err := Open("-", Options{Stdin: strings.NewReader(data.String())})
	if err != nil {
		t.Fatal(err)
	}
	next := 0
	err = r.Batches(func(b *Batch) error {
		for i := range b.Len() {
			c := b.Cells(i)
			if c[0].String() != strconv.Itoa(next) || len(c[1].Bytes) != next%7 || b.Row(i) != next+1 || b.File(i) != "-" {
				t.Fatalf("row %d: %q %q, row %d", next, c[0].Bytes, c[1].Bytes, b.Row(i))
			}
			next++
		}
		return nil
	})
	if err != nil || next != rows {
		t.Fatalf("read %d rows, err %v", next, err)
	}

	// A failing callback stops the reading; a read error is returned.
	r, _ = Open("-", Options{Stdin: strings.NewReader(data.String())})
	stop := errors.New("stop")
	if err := r.Batches(func(*Batch) error { return stop }); err != stop {
		t.Errorf("got %v", err)
	}
	r, _ = Open("-", Options{Stdin: strings.NewReader(data.String() + "1,2,3\n")})
	if err := r.Batches(func(*Batch) error { return nil }); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("row %d", rows+1)) {
		t.Errorf("got %v", err)
	}
}

// repeatRows is an endless-looking CSV of n identical rows after a header.
type repeatRows struct {
	header, row []byte
	n, pos      int
}

func (r *repeatRows) Read(p []byte) (int, error) {
	written := 0
	for written < len(p) {
		src := r.row
		if r.header != nil {
			src = r.header
		} else if r.n == 0 {
			break
		}
		k := copy(p[written:], src[r.pos:])
		written += k
		if r.pos += k; r.pos == len(src) {
			r.pos = 0
			if r.header != nil {
				r.header = nil
			} else {
				r.n--
			}
		}
	}
	if written == 0 {
		return 0, io.EOF
	}
	return written, nil
}

// Streaming: the heap stays small however much data goes through.
func TestMemoryDoesNotGrowWithInput(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 64 MB")
	}
	row := []byte(strings.Repeat("12345,some text,\"quoted, with comma\",", 4) + "end\n")
	header := []byte("c1,c2,c3,c4,c5,c6,c7,c8,c9,c10,c11,c12,c13\n")
	want := 64 << 20 / len(row)
	in := &repeatRows{header: header, row: row, n: want}
	r, err := Open("-", Options{Format: CSV, Stdin: in})
	if err != nil {
		t.Fatal(err)
	}
	var peak uint64
	var ms runtime.MemStats
	rows := 0
	err = r.Batches(func(b *Batch) error {
		rows += b.Len()
		if rows%(64*batchRows) < b.Len() {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
		return nil
	})
	if err != nil || rows != want {
		t.Fatalf("read %d of %d rows: %v", rows, want, err)
	}
	if peak > 32<<20 {
		t.Errorf("heap in use reached %d MiB reading %d rows", peak>>20, rows)
	}
}

func TestLongField(t *testing.T) {
	long := strings.Repeat("x", 1<<20) // longer than the read buffer
	data := "a,b\n1,\"" + long + "\n" + long + "\"\n2," + long + "\n"
	_, rows, err := readAll(t, "-", Options{Stdin: strings.NewReader(data)})
	if err != nil || len(rows) != 2 || rows[0][1] != long+"\n"+long || rows[1][1] != long {
		t.Fatalf("rows %d, err %v", len(rows), err)
	}
}

func TestNestedParquetIsRejected(t *testing.T) {
	type nested struct {
		ID   int64    `parquet:"id"`
		Tags []string `parquet:"tags,list"`
	}
	var b bytes.Buffer
	w := parquet.NewGenericWriter[nested](&b)
	w.Write([]nested{{1, []string{"a"}}})
	w.Close()
	_, _, err := readAll(t, write(t, t.TempDir(), "n.parquet", b.Bytes()), Options{})
	if err == nil || !strings.Contains(err.Error(), `column "tags`) || !strings.Contains(err.Error(), "only flat Parquet schemas are supported") {
		t.Errorf("got %v", err)
	}
}

// Damaged Parquet files are errors, never panics (parquet-go panics on
// some; the reader recovers).
func TestCorruptParquet(t *testing.T) {
	name, score := "a", 1.5
	good := parquetFile(t, []parquetRow{{1, &name, &score, true}, {2, nil, nil, false}})
	rnd := rand.New(rand.NewPCG(1, 1))
	panics := 0
	for range 300 {
		data := bytes.Clone(good)
		data[4+rnd.IntN(len(data)-8)] = byte(rnd.IntN(256)) // keep both magics
		func() {
			defer func() {
				if p := recover(); p != nil {
					panics++
				}
			}()
			readAll(t, "-", Options{Stdin: bytes.NewReader(data)})
		}()
	}
	if panics > 0 {
		t.Errorf("%d of 300 damaged files panicked", panics)
	}
	_, _, err := readAll(t, "-", Options{Stdin: bytes.NewReader([]byte("PAR1\x00\x00\x00\x7fPAR1"))})
	if err == nil || !strings.Contains(err.Error(), "footer of 2130706432 bytes does not fit in a file of 12 bytes") {
		t.Errorf("got %v", err)
	}
}

func TestLineLimit(t *testing.T) {
	huge := strings.Repeat("x", maxLine+1)
	for name, data := range map[string]string{
		"line":         "a\n" + huge + "\n",
		"quoted field": "a\n\"" + strings.Repeat("x\n", maxLine/2+1) + "\"\n",
	} {
		_, _, err := readAll(t, "-", Options{Format: CSV, Stdin: strings.NewReader(data)})
		if err == nil || !strings.Contains(err.Error(), "a line longer than 64 MiB") {
			t.Errorf("%s: got %v", name, err)
		}
	}
}
