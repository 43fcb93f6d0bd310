package drift

import (
	"fmt"
	"math"
	"slices"

	"github.com/mlc-project/mlc/gate/stats"
)

// column is one column of both datasets, ready to test: the distribution
// of a numeric column, the value counts of a categorical one.
type column struct {
	numeric          bool
	ref, cur         stats.Sample    // numeric columns only
	refN, curN       int             // values kept (nulls, NaN and ±Inf dropped)
	refCats, curCats map[string]*int // categorical columns only
}

// newColumn prepares a column; buf's memory is reused for the sorted
// numbers, so the column is only valid until buf's next use.
func newColumn(ref, cur *sample, buf *buffers) *column {
	c := &column{numeric: ref.cats == nil && cur.cats == nil}
	if c.numeric {
		ref.nums.sampleInto(&buf.ref, &buf.sort)
		cur.nums.sampleInto(&buf.cur, &buf.sort)
		c.ref, c.cur = buf.ref, buf.cur
		c.refN, c.curN = c.ref.N, c.cur.N
		return c
	}
	ref.asCategories()
	cur.asCategories()
	c.refCats, c.curCats = ref.cats, cur.cats
	c.refN, c.curN = ref.size(), cur.size()
	return c
}

// buffers is one worker's memory for sorting columns, reused from column
// to column.
type buffers struct {
	ref, cur stats.Sample
	sort     sortBuffers
}

// distinct is the number of distinct values over both datasets.
func (c *column) distinct() int {
	if !c.numeric {
		n := len(c.refCats)
		for k := range c.curCats {
			if _, ok := c.refCats[k]; !ok {
				n++
			}
		}
		return n
	}
	n := 0
	stats.MergeSorted(c.ref, c.cur, func(float64, int, int) { n++ })
	return n
}

// valueCounts returns the count of every distinct value in each dataset,
// aligned, in ascending order of value (numbers by value, text by code
// point, as Python's sorted()).
func (c *column) valueCounts() (ref, cur []float64) {
	if !c.numeric {
		keys := make([]string, 0, len(c.refCats)+len(c.curCats))
		for k := range c.refCats {
			keys = append(keys, k)
		}
		for k := range c.curCats {
			if _, ok := c.refCats[k]; !ok {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			ref = append(ref, float64(deref(c.refCats[k])))
			cur = append(cur, float64(deref(c.curCats[k])))
		}
		return ref, cur
	}
	i0, j0 := 0, 0
	stats.MergeSorted(c.ref, c.cur, func(_ float64, i, j int) {
		ref, cur = append(ref, float64(i-i0)), append(cur, float64(j-j0))
		i0, j0 = i, j
	})
	return ref, cur
}

// shares are Evidently's binned shares for PSI and Jensen-Shannon: Sturges
// bins over both datasets for a numeric column with more than 20 distinct
// reference values, else one bin per value.
func (c *column) shares() (ref, cur []float64) {
	if c.numeric && len(c.ref.Values) > 20 {
		lo, hi := math.Min(c.ref.Min(), c.cur.Min()), math.Max(c.ref.Max(), c.cur.Max())
		edges := stats.SturgesEdges(lo, hi, c.refN+c.curN)
		ref, cur = stats.BinCounts(c.ref, edges), stats.BinCounts(c.cur, edges)
	} else {
		ref, cur = c.valueCounts()
	}
	for i := range ref {
		ref[i] /= float64(c.refN)
		cur[i] /= float64(c.curN)
	}
	return ref, cur
}

// score runs the method: a p-value for KS, chi-squared and Z, a distance
// for the others.
func (c *column) score(m Method) float64 {
	switch m {
	case KS:
		_, p := stats.KS2Samp(c.ref, c.cur)
		return p
	case Wasserstein:
		return stats.WassersteinNormed(c.ref, c.cur)
	case ChiSquare:
		ref, cur := c.valueCounts()
		k := float64(c.curN) / float64(c.refN)
		for i := range ref {
			ref[i] *= k
		}
		_, p := stats.ChiSquare(cur, ref)
		return p
	case ZTest:
		ref, cur := c.valueCounts()
		if len(ref) == 1 { // the same single value on both sides
			return 1
		}
		// Evidently codes the smallest value 0 and every other value 1.
		p1 := (float64(c.refN) - ref[0]) / float64(c.refN)
		p2 := (float64(c.curN) - cur[0]) / float64(c.curN)
		return stats.TwoProportionZ(p1, c.refN, p2, c.curN)
	case JensenShannon:
		return stats.JensenShannon(c.shares())
	case PSI:
		ref, cur := c.shares()
		stats.FillZeroShares(ref)
		stats.FillZeroShares(cur)
		return stats.PSI(ref, cur)
	}
	panic(fmt.Sprintf("drift: no test %q", m))
}

// deref is *n, or 0 for a value the dataset does not have.
func deref(n *int) int {
	if n == nil {
		return 0
	}
	return *n
}
