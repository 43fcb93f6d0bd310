package table

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// benchCSV is n rows of 20 mixed columns, like the gate benchmarks use.
func benchCSV(n int) []byte {
	var b bytes.Buffer
	for c := range 20 {
		if c > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "c%d", c)
	}
	b.WriteByte('\n')
	for i := range n {
		fmt.Fprintf(&b, "%d,%.3f,user%d@example.com,\"Doe, J\",,", i, float64(i)/7, i)
		for c := 5; c < 20; c++ {
			fmt.Fprintf(&b, "%d", (i*c)%1000)
			if c < 19 {
				b.WriteByte(',')
			}
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func BenchmarkCSV(b *testing.B) {
	data := benchCSV(20000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := Open("-", Options{Format: CSV, Stdin: bytes.NewReader(data)})
		if err != nil {
			b.Fatal(err)
		}
		for r.Next() {
			for _, c := range r.Cells() {
				c.Float()
			}
		}
		if r.Err() != nil {
			b.Fatal(r.Err())
		}
	}
}

func BenchmarkJSONL(b *testing.B) {
	var data bytes.Buffer
	for i := range 20000 {
		fmt.Fprintf(&data, `{"id":%d,"score":%.3f,"email":"user%d@example.com","name":"Doe, J","note":null}`+"\n", i, float64(i)/7, i)
	}
	b.SetBytes(int64(data.Len()))
	b.ReportAllocs()
	for b.Loop() {
		r, err := Open("-", Options{Stdin: bytes.NewReader(data.Bytes())})
		if err != nil {
			b.Fatal(err)
		}
		for r.Next() {
		}
		if r.Err() != nil {
			b.Fatal(r.Err())
		}
	}
}

func BenchmarkParquet(b *testing.B) {
	rows := make([]parquetRow, 100000)
	for i := range rows {
		name, score := fmt.Sprintf("user%d", i), float64(i)/7
		rows[i] = parquetRow{int64(i), &name, &score, i%2 == 0}
	}
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[parquetRow](&buf)
	if _, err := w.Write(rows); err != nil {
		b.Fatal(err)
	}
	w.Close()
	path := filepath.Join(b.TempDir(), "bench.parquet")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		r, err := Open(path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for r.Next() {
			n++
		}
		if r.Err() != nil || n != len(rows) {
			b.Fatal(n, r.Err())
		}
		r.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(rows)), "ns/row")
}
