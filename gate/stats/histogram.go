package stats

import "math"

// SturgesEdges returns the bin edges numpy.histogram_bin_edges(x,
// bins="sturges") gives for a sample of n values spanning [lo, hi]: Sturges'
// bin count computed the way numpy computes it (ceil of range / width, which
// is not always ceil(log2(n)+1) in floating point) and edges from
// numpy.linspace.
func SturgesEdges(lo, hi float64, n int) []float64 {
	width := (hi - lo) / (math.Log2(float64(n)) + 1)
	if lo == hi {
		lo, hi = lo-0.5, hi+0.5
	}
	bins := 1
	if width != 0 {
		bins = int(math.Ceil((hi - lo) / width))
	}
	return linspace(lo, hi, bins+1)
}

// linspace mirrors numpy.linspace(start, stop, num) with endpoint=True.
func linspace(start, stop float64, num int) []float64 {
	edges := make([]float64, num)
	div := float64(num - 1)
	delta := stop - start
	step := delta / div
	for i := range edges {
		if step == 0 { // numpy's path for denormal steps
			edges[i] = float64(i)/div*delta + start
		} else {
			edges[i] = float64(i)*step + start
		}
	}
	edges[num-1] = stop
	return edges
}

// BinCounts counts a sample into the bins delimited by edges the way
// numpy.histogram does with explicit edges: bin i holds edges[i] <= x <
// edges[i+1], the last bin also holds x == edges[last]; values outside the
// edges are not counted.
func BinCounts(s Sample, edges []float64) []float64 {
	counts := make([]float64, len(edges)-1)
	bin := 0
	for k, v := range s.Values {
		if v < edges[0] || v > edges[len(edges)-1] {
			continue
		}
		for bin < len(counts)-1 && v >= edges[bin+1] {
			bin++
		}
		counts[bin] += float64(s.Counts[k])
	}
	return counts
}
