package drift

import (
	"math"
	"slices"
)

// numbers holds the finite values of one numeric column exactly, in as
// little memory as the data allows: while every value is a decimal with at
// most maxScale digits after the point that fits an int32 once scaled, it
// keeps the scaled int32 (4 bytes a value; float64(m)/10^scale rebuilds the
// very float64 the parser produced, since IEEE division rounds correctly);
// otherwise it switches to float64. Values live in fixed-size chunks, so
// growing never copies the whole column.
type numbers struct {
	scale  int         // decimal digits kept in small
	maxAbs int64       // largest |m| in small, to know whether rescaling fits
	small  [][]int32   // scaled values, while every value fits
	wide   [][]float64 // all values once one did not fit (small is then nil)
	n      int
}

const (
	chunkSize = 1 << 16
	maxScale  = 9
)

var pow10 = [maxScale + 1]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9}

func (s *numbers) add(v float64) {
	if s.wide == nil && !s.addScaled(v) {
		s.widen()
	}
	if s.wide != nil {
		s.wide = appendChunked(s.wide, v)
	}
	s.n++
}

// addScaled stores v as a scaled int32 if it can, raising the column's scale
// when v needs more decimals and the values already stored still fit.
func (s *numbers) addScaled(v float64) bool {
	for scale := s.scale; scale <= maxScale; scale++ {
		m := math.Round(v * pow10[scale])
		if math.Abs(m) > math.MaxInt32 || m/pow10[scale] != v {
			continue
		}
		if scale > s.scale && !s.rescale(scale) {
			return false
		}
		s.small = appendChunked(s.small, int32(m))
		s.maxAbs = max(s.maxAbs, int64(math.Abs(m)))
		return true
	}
	return false
}

// rescale multiplies the stored values by 10^(scale - s.scale) if they fit.
func (s *numbers) rescale(scale int) bool {
	f := int64(pow10[scale-s.scale])
	if s.maxAbs*f > math.MaxInt32 {
		return false
	}
	for _, c := range s.small {
		for i := range c {
			c[i] *= int32(f)
		}
	}
	s.maxAbs *= f
	s.scale = scale
	return true
}

// widen converts the stored values to float64.
func (s *numbers) widen() {
	s.wide = [][]float64{}
	for _, c := range s.small {
		for _, m := range c {
			s.wide = appendChunked(s.wide, float64(m)/pow10[s.scale])
		}
	}
	s.small = nil
}

// sorted returns the values as float64, ascending. The store is emptied:
// it is called once, when the column is compared.
func (s *numbers) sorted() []float64 {
	out := make([]float64, 0, s.n)
	if s.wide != nil {
		for _, c := range s.wide {
			out = append(out, c...)
		}
		s.wide = nil
		slices.Sort(out)
		return out
	}
	ints := make([]int32, 0, s.n)
	for _, c := range s.small {
		ints = append(ints, c...)
	}
	s.small = nil
	radixSort(ints)
	for _, m := range ints {
		out = append(out, float64(m)/pow10[s.scale])
	}
	return out
}

func appendChunked[T any](chunks [][]T, v T) [][]T {
	if len(chunks) == 0 || len(chunks[len(chunks)-1]) == chunkSize {
		chunks = append(chunks, make([]T, 0, chunkSize))
	}
	last := len(chunks) - 1
	chunks[last] = append(chunks[last], v)
	return chunks
}

// radixSort sorts int32s ascending in four byte-wise counting passes, several
// times faster than a comparison sort on millions of values.
func radixSort(a []int32) {
	buf := make([]int32, len(a))
	src, dst := a, buf
	for shift := 0; shift < 32; shift += 8 {
		var count [257]int
		for _, v := range src {
			count[radixByte(v, shift)+1]++
		}
		for i := 1; i < len(count); i++ {
			count[i] += count[i-1]
		}
		for _, v := range src {
			b := radixByte(v, shift)
			dst[count[b]] = v
			count[b]++
		}
		src, dst = dst, src
	}
	// After four passes the result is back in a.
}

// radixByte is byte shift/8 of v with the sign bit flipped, so negative
// numbers order before positive ones.
func radixByte(v int32, shift int) int {
	return int((uint32(v) ^ 0x80000000) >> shift & 0xff)
}
