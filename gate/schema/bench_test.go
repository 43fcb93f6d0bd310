package schema

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/mlc-project/mlc/gate/table"
)

func benchSchema(b *testing.B, schemaSrc string) {
	var data bytes.Buffer
	data.WriteString("id,age,gender,email,score\n")
	for i := range 100000 {
		fmt.Fprintf(&data, "%d,%d,%c,user%d@example.com,%.4f\n", i, 18+i%80, "fmx"[i%3], i, float64(i%1000)/1000)
	}
	s := dataset(&testing.T{}, schemaSrc)
	b.SetBytes(int64(data.Len()))
	for b.Loop() {
		r, err := table.Open("-", table.Options{Format: table.CSV, Stdin: bytes.NewReader(data.Bytes())})
		if err != nil {
			b.Fatal(err)
		}
		res, err := Check(r, s, Options{})
		if err != nil || !res.Passed() {
			b.Fatalf("%v %+v", err, res.Violations)
		}
	}
}

// Constraints compiled to Go.
func BenchmarkCheckCompiled(b *testing.B) {
	benchSchema(b, `ds: schema: {id: int & >=0, age: int & >=18 & <=120, gender: "f" | "m" | "x", email: =~"^[^@]+@[^@]+$", score: number & >=0 & <=1}`)
}

// A constraint CUE checks value by value (with its memo of verdicts).
func BenchmarkCheckCUEFallback(b *testing.B) {
	benchSchema(b, "import \"strings\"\nds: schema: {id: int, age: int, gender: strings.MinRunes(1), email: strings.Contains(\"@\"), score: number}")
}
