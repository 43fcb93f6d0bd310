package artifact

import (
	"errors"
	"io"
)

// readAhead reads r in its own goroutine into a few large buffers ahead of
// the caller, so a pull's copy from the socket overlaps hashing (and the
// write copyToFile overlaps with both). Errors, io.EOF included, reach
// the caller unchanged, after the bytes read before them. Close stops the
// goroutine once r's own Close has unblocked a read in progress.
type readAhead struct {
	full chan chunk  // filled buffers, in order
	free chan []byte // buffers the caller is done with
	stop chan struct{}
	cur  []byte // what is left of the buffer being read
	held []byte // that buffer, returned to free when used up
	err  error  // the error after cur
}

type chunk struct {
	b   []byte
	err error
}

var errReadAheadClosed = errors.New("read after the download was stopped")

const (
	readAheadBuffers = 4
	readAheadSize    = 1 << 20
)

func newReadAhead(r io.Reader) *readAhead {
	ra := &readAhead{
		full: make(chan chunk, readAheadBuffers),
		free: make(chan []byte, readAheadBuffers),
		stop: make(chan struct{}),
	}
	for range readAheadBuffers {
		ra.free <- make([]byte, readAheadSize)
	}
	go func() {
		defer close(ra.full)
		for {
			var b []byte
			select {
			case b = <-ra.free:
			case <-ra.stop:
				return
			}
			n, err := fill(r, b)
			ra.full <- chunk{b[:n], err} // never blocks: as many slots as buffers
			if err != nil {
				return
			}
		}
	}()
	return ra
}

func (ra *readAhead) Read(p []byte) (int, error) {
	for len(ra.cur) == 0 {
		if ra.err != nil {
			return 0, ra.err
		}
		if ra.held != nil {
			ra.free <- ra.held[:cap(ra.held)]
			ra.held = nil
		}
		c, ok := <-ra.full
		if !ok {
			return 0, errReadAheadClosed
		}
		ra.cur, ra.held, ra.err = c.b, c.b, c.err
	}
	n := copy(p, ra.cur)
	ra.cur = ra.cur[n:]
	return n, nil
}

// Close stops reading ahead; the reader's own Close ends a read under way.
func (ra *readAhead) Close() { close(ra.stop) }
