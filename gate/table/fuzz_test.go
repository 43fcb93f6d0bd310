package table

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// The CSV parser must split exactly as encoding/csv does: same records, and
// an error exactly where it reports one.
func FuzzCSV(f *testing.F) {
	for _, s := range []string{
		"a,b\n1,2\n",
		"a,b\r\n\"x,y\",\"q\"\"uote\"\r\n",
		"a\n\"multi\nline\"\n\n\nlast",
		"a,b\n1,\"2\"x\n",
		"a,b\n1,2\"\n",
		"\"unterminated\n",
		"x\r",
		"\"a\r\nb\"\r\n",
		",,\n,\n",
		"\xef\xbb\xbfh\n\xff\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		std := csv.NewReader(bytes.NewReader(data))
		std.FieldsPerRecord = -1
		var want [][]string
		var wantErr error
		for {
			rec, err := std.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				wantErr = err
				break
			}
			want = append(want, rec)
		}
		p := newCSVParser(bytes.NewReader(data))
		var got [][]string
		var gotErr error
		for {
			rec, err := p.record()
			if err == io.EOF {
				break
			}
			if err != nil {
				gotErr = err
				break
			}
			row := make([]string, len(rec))
			for i, f := range rec {
				row[i] = string(f)
			}
			got = append(got, row)
			if p.badUTF8 == utf8.Valid([]byte(strings.Join(row, ","))) {
				t.Fatalf("record %q: badUTF8 = %v", row, p.badUTF8)
			}
		}
		if (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("input %q: error %v, encoding/csv says %v", data, gotErr, wantErr)
		}
		if !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Fatalf("input %q:\n got %q\nwant %q", data, got, want)
		}
	})
}

// A JSON object line must parse to the same keys and values as
// encoding/json reads, and be rejected when encoding/json rejects it.
func FuzzJSONObject(f *testing.F) {
	for _, s := range []string{
		`{"a":1,"b":"x","c":null,"d":true,"e":false}`,
		` { "s" : "\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00\ud800" } `,
		`{"n":-0.5e+10,"m":[1,{"x":"]"}],"o":{}}`,
		`{}`,
		`{"a":01}`,
		`{"a":1,}`,
		`{"a":"unterminated}`,
		`[1,2]`,
		`{"a":1} x`,
		"{\"a\":\"\xff\"}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		var o jsonObject
		ok, err := o.parse(line)
		var std any
		stdErr := json.Unmarshal(line, &std)
		if stdErr == nil {
			d := json.NewDecoder(bytes.NewReader(line))
			d.UseNumber()
			stdErr = d.Decode(&std)
		}
		obj, isObj := std.(map[string]any)
		if err != nil || !ok {
			if stdErr == nil && isObj && utf8.Valid(line) {
				t.Fatalf("%q: error %v (ok=%v), but encoding/json reads %v", line, err, ok, std)
			}
			return
		}
		if stdErr != nil || !isObj {
			t.Fatalf("%q: parsed, but encoding/json says %v (%T)", line, stdErr, std)
		}
		keys := map[string]bool{}
		for _, f := range o.fields {
			keys[string(o.key(f))] = true
		}
		if len(keys) != len(o.fields) {
			return // duplicate keys: encoding/json keeps the last, the reader rejects the row
		}
		if len(keys) != len(obj) {
			t.Fatalf("%q: %d keys, encoding/json has %d", line, len(keys), len(obj))
		}
		for _, f := range o.fields {
			want, val := obj[string(o.key(f))], string(o.val(f))
			switch w := want.(type) {
			case nil:
				if f.kind != Null {
					t.Fatalf("%q: %s is %v, want null", line, o.key(f), f.kind)
				}
			case string:
				if f.kind != String || val != w {
					t.Fatalf("%q: %s = %v %q, want string %q", line, o.key(f), f.kind, val, w)
				}
			case json.Number:
				if f.kind != Number || val != string(w) {
					t.Fatalf("%q: %s = %v %q, want number %s", line, o.key(f), f.kind, val, w)
				}
			case bool:
				if f.kind != Bool || val != map[bool]string{true: "true", false: "false"}[w] {
					t.Fatalf("%q: %s = %v %q, want %v", line, o.key(f), f.kind, val, w)
				}
			default: // nested
				if f.kind != String || !json.Valid([]byte(val)) {
					t.Fatalf("%q: %s = %v %q, want nested JSON text", line, o.key(f), f.kind, val)
				}
			}
		}
	})
}

// Whatever the bytes, reading them ends in rows or an error, never a panic.
// (Parquet seeds are left out: parquet-go allocates the sizes a corrupt page
// header declares, which stalls the fuzzer; TestCorruptParquet covers them.)
func FuzzOpen(f *testing.F) {
	for _, s := range [][]byte{[]byte("a,b\n1,2\n"), gz([]byte("a\n1\n")), []byte("{\"a\":1}\n{\"a\":null}\n")} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Open("-", Options{Stdin: bytes.NewReader(data)})
		if err != nil {
			return
		}
		defer r.Close()
		for r.Next() {
			if len(r.Cells()) != len(r.Columns()) {
				t.Fatalf("%d cells for %d columns", len(r.Cells()), len(r.Columns()))
			}
		}
	})
}
