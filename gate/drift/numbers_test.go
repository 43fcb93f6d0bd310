package drift

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/mlc-project/mlc/gate/stats"
)

// Every coding (2-byte keys, re-centred, 4-byte keys after a wider range or
// a larger scale, float64) must give back exactly the values put in.
func TestNumbersRoundTripExactly(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	decimal := func(digits int, spread float64) func() float64 {
		return func() float64 {
			v, _ := strconv.ParseFloat(strconv.FormatFloat(rng.NormFloat64()*spread, 'f', digits, 64), 64)
			return v
		}
	}
	for _, tc := range []struct {
		name   string
		values []func() float64
		want   string // coding at the end: counts, k32 or wide
	}{
		{"small integers", []func() float64{decimal(0, 20)}, "counts"},
		{"two decimals", []func() float64{decimal(2, 1)}, "counts"},
		{"scale grows within the count table", []func() float64{decimal(0, 5), decimal(2, 5)}, "counts"},
		{"scale grows", []func() float64{decimal(0, 5), decimal(1, 5), decimal(3, 50)}, "k32"},
		{"wide range", []func() float64{decimal(0, 1), decimal(0, 1e6)}, "k32"},
		{"enough rows for a wider table", slices.Repeat([]func() float64{decimal(3, 10)}, 6), "counts"},
		{"too many decimals", []func() float64{decimal(2, 1), rng.NormFloat64}, "wide"},
		{"too large", []func() float64{decimal(0, 1), func() float64 { return 1e12 }}, "wide"},
	} {
		var s numbers
		var want []float64
		for _, gen := range tc.values {
			for range 3 * chunkSize / 2 {
				v := gen()
				s.add(v)
				want = append(want, v)
			}
		}
		coding := "counts"
		if s.wide != nil {
			coding = "wide"
		} else if s.k32 != nil {
			coding = "k32"
		}
		if coding != tc.want {
			t.Errorf("%s: coded as %s, want %s", tc.name, coding, tc.want)
		}
		slices.Sort(want)
		var got stats.Sample
		s.sampleInto(&got, &sortBuffers{})
		if !sameSample(got, stats.FromSorted(want)) { // == on floats: -0 comes back as 0, which every test treats alike

			t.Errorf("%s: values changed in storage", tc.name)
		}
	}
}

func sameSample(a, b stats.Sample) bool {
	return a.N == b.N && slices.Equal(a.Values, b.Values) && slices.Equal(a.Counts, b.Counts)
}

func TestRadixSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, mask := range []uint32{0xff, 0xffff00, 0xffffffff} {
		keys := make([]uint32, 10000)
		for i := range keys {
			keys[i] = rng.Uint32() & mask
		}
		want := slices.Sorted(slices.Values(keys))
		if got := radixSort(keys, make([]uint32, len(keys))); !slices.Equal(got, want) {
			t.Errorf("mask %#x: not sorted", mask)
		}
	}
}

// parseDecimal must accept only numbers and give exactly what ParseFloat
// gives.
func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"0", "-0", "12.50", "+.5", "1.", ".", "-", "", "2147483647", "2147483648",
		"0.000000001", "0.0000000001", "1e3", "0x10", "1_0", "3.14159", "-999999.999", "00012.3400", "1.2.3", "NaN"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, scale, ok := parseDecimal([]byte(s))
		if !ok {
			return
		}
		want, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("parseDecimal(%q) accepts what ParseFloat rejects: %v", s, err)
		}
		if got := float64(m) / pow10[scale]; got != want {
			t.Fatalf("parseDecimal(%q) = %d/10^%d = %v, ParseFloat %v", s, m, scale, got, want)
		}
	})
}
