package pii

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/mlc-project/mlc/gate/table"
)

// benchRows is CSV shaped like scripts/bench-gates.sh's data: mostly
// numbers, dates, categories and short text, with a little personal data.
func benchRows(n int) []byte {
	rnd := rand.New(rand.NewPCG(1, 2))
	var b bytes.Buffer
	b.WriteString("id,age,income,score,gender,city,signup,last_login,amount,flag,ref,note,contact,zip,version\n")
	for i := range n {
		contact := ""
		if rnd.IntN(100) == 0 {
			contact = "+1 650-253-0000"
		}
		fmt.Fprintf(&b, "%d,%d,%d,%.6f,%c,Berlin,2024-%02d-%02d,2025-%02d-%02d %02d:%02d:00,%.2f,true,ORD-%d,\"the order was late, please refund\",%s,%d,%d.%d.%d\n",
			i, 18+rnd.IntN(70), rnd.IntN(250000), rnd.Float64(), "fmx"[rnd.IntN(3)], 1+rnd.IntN(12), 1+rnd.IntN(28),
			1+rnd.IntN(12), 1+rnd.IntN(28), rnd.IntN(24), rnd.IntN(60), rnd.Float64()*999, 10000000+rnd.IntN(89999999),
			contact, 10000+rnd.IntN(89999), 1+rnd.IntN(9), rnd.IntN(20), rnd.IntN(99))
	}
	return b.Bytes()
}

func BenchmarkScan(b *testing.B) {
	data := benchRows(200000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		r, err := table.Open("-", table.Options{Format: table.CSV, Stdin: bytes.NewReader(data)})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Scan(r, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
