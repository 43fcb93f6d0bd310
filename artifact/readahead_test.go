package artifact

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

// TestReadAheadKeepsBytesAndErrors: every byte arrives in order, through
// reads of any size, then the source's error unchanged.
func TestReadAheadKeepsBytesAndErrors(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 3*readAheadSize/16+7)
	cut := errors.New("connection reset")
	for name, src := range map[string]io.Reader{
		"eof":       bytes.NewReader(data),
		"one byte":  iotest.OneByteReader(bytes.NewReader(data[:5000])),
		"cut short": io.MultiReader(bytes.NewReader(data), iotest.ErrReader(cut)),
	} {
		t.Run(name, func(t *testing.T) {
			ra := newReadAhead(src)
			defer ra.Close()
			got, err := io.ReadAll(iotest.HalfReader(ra))
			want := data
			if name == "one byte" {
				want = data[:5000]
			}
			if !bytes.Equal(got, want) {
				t.Errorf("read %d bytes, want %d, equal %v", len(got), len(want), bytes.Equal(got, want[:min(len(got), len(want))]))
			}
			if name == "cut short" && !errors.Is(err, cut) {
				t.Errorf("error %v, want the source's", err)
			}
			if name != "cut short" && err != nil {
				t.Errorf("error %v", err)
			}
			if _, err := ra.Read(make([]byte, 1)); err == nil {
				t.Error("a read after the end succeeded")
			}
		})
	}
}

// TestReadAheadCloseStopsTheReader: closing the source ends the goroutine's
// blocked read, and a read after Close ends: the caller gets what was
// read, then an error.
func TestReadAheadCloseStopsTheReader(t *testing.T) {
	pr, pw := io.Pipe()
	ra := newReadAhead(pr)
	go pw.Write([]byte("abc"))
	ra.Close()
	pr.Close()
	got, err := io.ReadAll(ra)
	if err == nil || !bytes.HasPrefix([]byte("abc"), got) {
		t.Errorf("read %q, %v; want a prefix of abc, then an error", got, err)
	}
}
