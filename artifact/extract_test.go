package artifact

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"testing/iotest"
)

func TestCopyToFile(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, size := range []int{0, 1, 1 << 20, 1<<20 + 1, 3<<20 + 12345} {
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		p := filepath.Join(t.TempDir(), "f")
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		// One byte per Read: chunks are filled across many reads.
		n, err := copyToFile(f, iotest.HalfReader(bytes.NewReader(data)))
		f.Close()
		if err != nil || n != int64(size) {
			t.Fatalf("size %d: copied %d, %v", size, n, err)
		}
		if got, _ := os.ReadFile(p); !bytes.Equal(got, data) {
			t.Errorf("size %d: file differs from the input", size)
		}
	}
}

func TestCopyToFileReportsErrors(t *testing.T) {
	boom := errors.New("boom")
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// The reader fails with data in hand: the data is written, the error kept.
	r := io.MultiReader(bytes.NewReader(make([]byte, 1<<20+5)), iotest.ErrReader(boom))
	if n, err := copyToFile(f, r); !errors.Is(err, boom) || n != 1<<20+5 {
		t.Errorf("failing reader: %d bytes, %v", n, err)
	}
	// A failing write is reported too.
	f.Close()
	if _, err := copyToFile(f, bytes.NewReader(make([]byte, 3<<20))); err == nil || errors.Is(err, boom) {
		t.Errorf("write to a closed file: %v", err)
	}
}
