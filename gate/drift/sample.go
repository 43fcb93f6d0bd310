package drift

import (
	"errors"
	"math"
	"strconv"

	"github.com/mlc-project/mlc/gate/stats"
	"github.com/mlc-project/mlc/gate/table"
)

// sample is one column of one dataset: its finite numbers, the counts of its
// other values, and how many values were dropped as missing. Like Evidently,
// nulls, NaN and ±Inf are dropped before testing.
type sample struct {
	nums    numbers
	cats    map[string]*int // text, strings and booleans; *int so counting allocates only new keys
	dropped int
}

func (s *sample) add(c table.Cell) {
	if c.IsNull() {
		s.dropped++
		return
	}
	if c.Kind == table.Text || c.Kind == table.Number {
		if m, scale, ok := parseDecimal(c.Bytes); ok {
			s.nums.addDecimal(m, scale)
			return
		}
	}
	if v, ok := parseNumber(c); ok {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			s.dropped++
			return
		}
		s.nums.add(v)
		return
	}
	s.count(c.Bytes, 1)
}

// count adds n to the count of key. Looking up m[string(b)] does not copy
// b; only a new key is copied.
func (s *sample) count(key []byte, n int) {
	if c, ok := s.cats[string(key)]; ok {
		*c += n
		return
	}
	if s.cats == nil {
		s.cats = map[string]*int{}
	}
	s.cats[string(key)] = &n
}

// size is the number of values kept.
func (s *sample) size() int {
	n := s.nums.n
	for _, c := range s.cats {
		n += *c
	}
	return n
}

// asCategories moves the numbers into the category counts, keyed by their
// shortest decimal form, for a column that turned out to hold text too.
func (s *sample) asCategories() {
	if s.nums.n == 0 {
		return
	}
	var nums stats.Sample
	s.nums.sampleInto(&nums, &sortBuffers{})
	var text []byte
	for k, v := range nums.Values {
		text = strconv.AppendFloat(text[:0], v, 'g', -1, 64)
		s.count(text, nums.Counts[k])
	}
	s.nums = numbers{}
}

// readSamples reads every row of r, keeping the columns at the given
// indexes. A table without rows is an error.
func readSamples(r *table.Reader, idx []int) ([]*sample, error) {
	samples := make([]*sample, len(idx))
	for i := range samples {
		samples[i] = &sample{}
	}
	rows := 0
	for r.Next() {
		rows++
		cells := r.Cells()
		for i, j := range idx {
			samples[i].add(cells[j])
		}
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	if rows == 0 {
		return nil, &table.Error{File: r.File(), Err: errors.New("no data rows to compare")}
	}
	return samples, nil
}

// parseNumber is Cell.Float, skipping the parse (and the error it
// allocates) for text that cannot be a number: anything not starting like
// a decimal, NaN or Inf.
func parseNumber(c table.Cell) (float64, bool) {
	if len(c.Bytes) == 0 {
		return 0, false
	}
	b := c.Bytes[0]
	if b == '+' || b == '-' {
		if len(c.Bytes) == 1 {
			return 0, false
		}
		b = c.Bytes[1]
	}
	if (b < '0' || b > '9') && b != '.' && b|0x20 != 'i' && b|0x20 != 'n' {
		return 0, false
	}
	return c.Float()
}
