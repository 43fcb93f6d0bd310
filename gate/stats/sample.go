package stats

import "math"

// Sample is a sorted sample kept as its distinct values and how often each
// occurs: a column of a million integers or rounded amounts is a few
// thousand entries, and every statistic here depends on the sample only
// through its empirical distribution.
type Sample struct {
	Values []float64 // distinct, ascending
	Counts []int     // Counts[i] values equal Values[i]
	N      int       // total count
}

// FromSorted builds a Sample from sorted values.
func FromSorted(x []float64) Sample {
	var s Sample
	for i, v := range x {
		if i > 0 && v == x[i-1] {
			s.Counts[len(s.Counts)-1]++
		} else {
			s.Values = append(s.Values, v)
			s.Counts = append(s.Counts, 1)
		}
	}
	s.N = len(x)
	return s
}

// Min and Max are the smallest and largest values of a non-empty sample.
func (s Sample) Min() float64 { return s.Values[0] }
func (s Sample) Max() float64 { return s.Values[len(s.Values)-1] }

// MergeSorted calls f for every distinct value x of two samples, in
// ascending order, with i and j the numbers of values <= x in a and in b.
func MergeSorted(a, b Sample, f func(x float64, i, j int)) {
	ia, ib, i, j := 0, 0, 0, 0
	for ia < len(a.Values) || ib < len(b.Values) {
		var x float64
		switch {
		case ia == len(a.Values):
			x = b.Values[ib]
		case ib == len(b.Values):
			x = a.Values[ia]
		default:
			x = math.Min(a.Values[ia], b.Values[ib])
		}
		if ia < len(a.Values) && a.Values[ia] == x {
			i += a.Counts[ia]
			ia++
		}
		if ib < len(b.Values) && b.Values[ib] == x {
			j += b.Counts[ib]
			ib++
		}
		f(x, i, j)
	}
}

// MeanStd returns the mean and the population standard deviation (numpy.std,
// ddof=0) of a sample.
func MeanStd(s Sample) (mean, std float64) {
	var sum float64
	for k, v := range s.Values {
		sum += v * float64(s.Counts[k])
	}
	mean = sum / float64(s.N)
	var ss float64
	for k, v := range s.Values {
		d := v - mean
		ss += d * d * float64(s.Counts[k])
	}
	return mean, math.Sqrt(ss / float64(s.N))
}
