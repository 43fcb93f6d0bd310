package drift

import (
	"math"
	"strconv"

	"github.com/mlc-project/mlc/gate/table"
)

// sample is one column of one dataset: its finite numbers, the counts of its
// other values, and how many values were dropped as missing. Like Evidently,
// nulls, NaN and ±Inf are dropped before testing.
type sample struct {
	nums    numbers
	cats    map[string]int // text, strings and booleans
	dropped int
}

func (s *sample) add(c table.Cell) {
	if c.IsNull() {
		s.dropped++
		return
	}
	if v, ok := c.Float(); ok {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			s.dropped++
			return
		}
		s.nums.add(v)
		return
	}
	if s.cats == nil {
		s.cats = map[string]int{}
	}
	s.cats[string(c.Bytes)]++
}

// size is the number of values kept.
func (s *sample) size() int {
	n := s.nums.n
	for _, c := range s.cats {
		n += c
	}
	return n
}

// asCategories moves the numbers into the category counts, keyed by their
// shortest decimal form, for a column that turned out to hold text too.
func (s *sample) asCategories() {
	if s.nums.n == 0 {
		return
	}
	if s.cats == nil {
		s.cats = map[string]int{}
	}
	for _, v := range s.nums.sorted() {
		s.cats[strconv.FormatFloat(v, 'g', -1, 64)]++
	}
	s.nums = numbers{}
}

// readSamples reads every row of r, keeping the columns at the given
// indexes.
func readSamples(r *table.Reader, idx []int) ([]*sample, error) {
	samples := make([]*sample, len(idx))
	for i := range samples {
		samples[i] = &sample{}
	}
	for r.Next() {
		cells := r.Cells()
		for i, j := range idx {
			samples[i].add(cells[j])
		}
	}
	return samples, r.Err()
}
