package drift

import (
	"math"
	"slices"

	"github.com/mlc-project/mlc/gate/stats"
)

// numbers holds the finite values of one numeric column exactly, in as
// little memory as the data allows. A value that is a decimal with at most
// maxScale digits after the point is kept as the integer m = v·10^scale
// (float64(m)/10^scale rebuilds the very float64 the parser produced, as
// IEEE division rounds correctly). The integers are counted in a table
// indexed by m − base while the table is small (2^16 entries) or at most a
// quarter of the keys it replaces (up to 2^22 entries): integer columns,
// codes and measures with few decimals then take fixed memory however many
// rows come. Otherwise each integer is kept as a 4-byte key m − base, and
// the column returns to a table once enough rows make it the cheaper form. A value that
// fits no integer coding turns the column to plain float64. Keys and floats
// live in fixed-size chunks, so growing never copies the whole column.
type numbers struct {
	n      int
	scale  int      // decimal digits of m
	base   int64    // m = index or key + base
	lo, hi int64    // range of m so far
	counts []uint32 // counts[m-base], in table mode
	k32    [][]uint32
	wide   [][]float64 // set once a value fits no integer coding
}

const (
	chunkSize = 1 << 16
	minTable  = 1 << 16
	maxTable  = 1 << 22
	maxScale  = 9
)

var pow10 = [maxScale + 1]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9}

func (s *numbers) add(v float64) {
	if s.wide == nil {
		if m, scale, ok := s.decimalOf(v); ok && s.store(m, scale) {
			return
		}
		s.recode(-1)
	}
	s.wide = appendChunked(s.wide, v)
	s.n++
}

// addDecimal adds the value m/10^scale, parsed from text.
func (s *numbers) addDecimal(m int64, scale int) {
	if s.wide == nil && s.store(m, scale) {
		return
	}
	s.add(float64(m) / pow10[scale])
}

// decimalOf returns v as m/10^scale with the smallest scale not below the
// column's, if there is one up to maxScale with |m| within an int32.
func (s *numbers) decimalOf(v float64) (int64, int, bool) {
	for scale := s.scale; scale <= maxScale; scale++ {
		m := math.Round(v * pow10[scale])
		if math.Abs(m) <= math.MaxInt32 && m/pow10[scale] == v {
			return int64(m), scale, true
		}
	}
	return 0, 0, false
}

// store adds m/10^scale to the integer coding, first bringing it and the
// column to the same scale; false if that would leave the int32 range.
func (s *numbers) store(m int64, scale int) bool {
	switch {
	case scale < s.scale:
		if m *= int64(pow10[s.scale-scale]); m > math.MaxInt32 || m < -math.MaxInt32 {
			return false
		}
	case scale > s.scale && s.n == 0:
		s.scale = scale
	case scale > s.scale:
		if max(-s.lo, s.hi)*int64(pow10[scale-s.scale]) > math.MaxInt32 {
			return false
		}
		s.recode(scale)
	}
	if s.n == 0 {
		s.lo, s.hi, s.base = m, m, m-minTable/2
		s.counts = make([]uint32, minTable)
	}
	s.lo, s.hi = min(s.lo, m), max(s.hi, m)
	switch {
	case s.k32 == nil && (m < s.base || m-s.base >= int64(len(s.counts))):
		s.recode(s.scale) // widen or re-centre the table, or move to keys
	case s.k32 != nil && s.n%chunkSize == 0 && tableSize(s.hi-s.lo, s.n) > 0:
		s.recode(s.scale) // enough rows now to make the table cheaper
	}
	if s.k32 != nil {
		s.k32 = appendChunked(s.k32, uint32(m-s.base))
	} else {
		s.counts[m-s.base]++
	}
	s.n++
	return true
}

// parseDecimal reads [+-]digits[.digits] exactly as m/10^scale (trailing
// zeros of the fraction dropped), without going through float64; ok is
// false for any other text, more than maxScale decimals or |m| beyond an
// int32. float64(m)/10^scale then equals strconv.ParseFloat of the text,
// both being the double nearest to the same decimal.
func parseDecimal(b []byte) (m int64, scale int, ok bool) {
	i, neg, point, digits := 0, false, false, 0
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		neg, i = b[0] == '-', 1
	}
	for ; i < len(b); i++ {
		switch c := b[i]; {
		case c >= '0' && c <= '9':
			if m = m*10 + int64(c-'0'); m > math.MaxInt32 {
				return 0, 0, false
			}
			digits++
			if point {
				scale++
			}
		case c == '.' && !point:
			point = true
		default:
			return 0, 0, false
		}
	}
	for scale > 0 && m%10 == 0 {
		m, scale = m/10, scale-1
	}
	if digits == 0 || scale > maxScale {
		return 0, 0, false
	}
	if neg {
		m = -m
	}
	return m, scale, true
}

// recode rewrites the stored values at the given scale, in the count table
// if their range allows, else as keys; or as float64 when scale < 0.
func (s *numbers) recode(scale int) {
	old := *s
	s.counts, s.k32 = nil, nil
	if scale < 0 {
		s.wide = [][]float64{}
		old.each(func(m int64) { s.wide = appendChunked(s.wide, float64(m)/pow10[old.scale]) })
		return
	}
	f := int64(pow10[scale-old.scale])
	s.scale, s.lo, s.hi = scale, old.lo*f, old.hi*f
	if size := tableSize(s.hi-s.lo, old.n); size > 0 {
		s.base = s.lo - (size-1-(s.hi-s.lo))/2
		s.counts = make([]uint32, size)
		old.each(func(m int64) { s.counts[m*f-s.base]++ })
		return
	}
	s.base = math.MinInt32
	s.k32 = [][]uint32{}
	old.each(func(m int64) { s.k32 = appendChunked(s.k32, uint32(m*f-s.base)) })
}

// tableSize is the size of a count table for integers spanning span, if
// one fits: the minimum, which stays in the CPU's cache, or a larger one
// that takes at most a quarter of the memory of the n keys it replaces.
// Between the two, keys win: a table larger than the cache costs a memory
// stall on every increment, where keys are appended in order and radix
// sorted in a few cache-friendly passes (measured: three times faster on a
// million 4-decimal values).
func tableSize(span int64, n int) int64 {
	size := int64(minTable)
	for size <= span {
		size *= 2
	}
	if size > maxTable || (size > minTable && 4*size > int64(n)) {
		return 0
	}
	return size
}

// each calls f with every stored integer (in no particular order).
func (s *numbers) each(f func(m int64)) {
	for i, c := range s.counts {
		for range c {
			f(int64(i) + s.base)
		}
	}
	for _, c := range s.k32 {
		for _, k := range c {
			f(int64(k) + s.base)
		}
	}
}

// sortBuffers are reused from column to column by one worker.
type sortBuffers struct {
	a, b []uint32
	f    []float64
}

// sampleInto writes the values into dst as a stats.Sample, reusing dst's
// and buf's memory, and empties the store.
func (s *numbers) sampleInto(dst *stats.Sample, buf *sortBuffers) {
	var sorted []float64 // wide columns
	var keys []uint32    // integer-coded columns beyond the count table
	distinct := 0
	switch {
	case s.wide != nil:
		sorted = grow(buf.f, s.n)
		for _, c := range s.wide {
			sorted = append(sorted, c...)
		}
		slices.Sort(sorted)
		buf.f = sorted
		distinct = runs(sorted)
	case s.k32 != nil:
		keys = grow(buf.a, s.n)
		for _, c := range s.k32 {
			keys = append(keys, c...)
		}
		buf.a, buf.b = keys, grow(buf.b, len(keys))
		keys = radixSort(keys, buf.b[:len(keys)])
		distinct = runs(keys)
	default:
		for _, n := range s.counts {
			if n > 0 {
				distinct++
			}
		}
	}
	dst.Values, dst.Counts, dst.N = grow(dst.Values, distinct), grow(dst.Counts, distinct), s.n
	add := func(v float64, n int) {
		if k := len(dst.Values) - 1; k >= 0 && dst.Values[k] == v {
			dst.Counts[k] += n
			return
		}
		dst.Values, dst.Counts = append(dst.Values, v), append(dst.Counts, n)
	}
	for _, v := range sorted {
		add(v, 1)
	}
	for _, k := range keys {
		add(s.value(int64(k)), 1)
	}
	for i, n := range s.counts { // the count table is in order already
		if n > 0 {
			add(s.value(int64(i)), int(n))
		}
	}
	*s = numbers{}
}

// value decodes a key or table index.
func (s *numbers) value(k int64) float64 { return float64(k+s.base) / pow10[s.scale] }

// runs counts the distinct values of a sorted slice.
func runs[T comparable](x []T) int {
	n := 0
	for i := range x {
		if i == 0 || x[i] != x[i-1] {
			n++
		}
	}
	return n
}

// grow returns s emptied, with room for n elements: reused if it has it, else
// allocated once at the right size (not doubled by append).
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, 0, n)
	}
	return s[:0]
}

func appendChunked[T any](chunks [][]T, v T) [][]T {
	if len(chunks) == 0 || len(chunks[len(chunks)-1]) == chunkSize {
		chunks = append(chunks, make([]T, 0, chunkSize))
	}
	last := len(chunks) - 1
	chunks[last] = append(chunks[last], v)
	return chunks
}

// radixSort sorts keys byte by byte (least significant first), skipping the
// bytes every key shares, and returns the sorted slice: keys or scratch.
func radixSort(keys, scratch []uint32) []uint32 {
	var counts [4][256]int
	for _, k := range keys {
		counts[0][k&0xff]++
		counts[1][k>>8&0xff]++
		counts[2][k>>16&0xff]++
		counts[3][k>>24]++
	}
	src, dst := keys, scratch
	for b, shift := 0, 0; b < 4; b, shift = b+1, shift+8 {
		c := &counts[b]
		if c[(src[0]>>shift)&0xff] == len(src) {
			continue // every key has this byte
		}
		pos := 0
		for i, n := range c {
			c[i] = pos
			pos += n
		}
		for _, k := range src {
			d := k >> shift & 0xff
			dst[c[d]] = k
			c[d]++
		}
		src, dst = dst, src
	}
	return src
}
