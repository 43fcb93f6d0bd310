package table

import "sync"

// Batch is a copy of consecutive rows that stays valid until it is handed
// back, so that parsing and checking can run on two cores.
type Batch struct {
	width int
	n     int
	kinds []Kind
	ends  []int // end offset of each cell's bytes in buf
	buf   []byte
	cells []Cell
	rows  []int
	files []string
}

// Len is the number of rows in the batch.
func (b *Batch) Len() int { return b.n }

// Cells returns row i of the batch.
func (b *Batch) Cells(i int) []Cell { return b.cells[i*b.width : (i+1)*b.width] }

// Row returns the 1-based row number of row i within its file.
func (b *Batch) Row(i int) int { return b.rows[i] }

// File returns the file row i comes from.
func (b *Batch) File(i int) string { return b.files[i] }

func (b *Batch) reset() {
	b.n, b.kinds, b.ends, b.buf, b.rows, b.files = 0, b.kinds[:0], b.ends[:0], b.buf[:0], b.rows[:0], b.files[:0]
}

// add copies the reader's current row.
func (b *Batch) add(r *Reader) {
	for _, c := range r.cells {
		b.buf = append(b.buf, c.Bytes...)
		b.kinds = append(b.kinds, c.Kind)
		b.ends = append(b.ends, len(b.buf))
	}
	b.rows = append(b.rows, r.row)
	b.files = append(b.files, r.file)
	b.n++
}

// seal points the cells at buf, now that it no longer grows.
func (b *Batch) seal() {
	b.cells = b.cells[:0]
	start := 0
	for i, end := range b.ends {
		b.cells = append(b.cells, Cell{b.kinds[i], b.buf[start:end:end]})
		start = end
	}
}

const batchRows = 4096

// Batches reads the rest of the table in a second goroutine and calls fn
// with each batch of rows, in order, from the calling one. fn must not keep
// the batch. It returns fn's first error or the reader's.
func (r *Reader) Batches(fn func(*Batch) error) error {
	const inFlight = 3
	free, full := make(chan *Batch, inFlight), make(chan *Batch, inFlight)
	done := make(chan struct{})
	for range inFlight {
		free <- &Batch{width: len(r.columns)}
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(full)
		for {
			var b *Batch
			select {
			case b = <-free:
			case <-done:
				return
			}
			b.reset()
			for b.n < batchRows && r.Next() {
				b.add(r)
			}
			if b.n == 0 {
				return
			}
			b.seal()
			full <- b
			if b.n < batchRows {
				return
			}
		}
	})
	var err error
	for b := range full {
		if err = fn(b); err != nil {
			close(done)
			for range full { // let the reading goroutine finish
			}
			break
		}
		free <- b // never blocks: at most inFlight batches exist
	}
	wg.Wait()
	if err != nil {
		return err
	}
	return r.Err()
}
