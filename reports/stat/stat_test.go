package stat

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// The cases of nsys-stats-semantics.md §2, checked against nsys's bundled SQLite there.
func TestSummarize(t *testing.T) {
	cases := []struct {
		name string
		in   []int64
		want Summary
	}{
		{"even-length median is the mean of the middle two", []int64{10, 1, 3, 2},
			Summary{Count: 4, Total: 16, Avg: 4, Med: 2.5, Min: 1, Max: 10, StdDev: 4.08248290463863, Q1: 1.5, Q3: 6.5}},
		{"n=1 has stdev 0, not NULL", []int64{7},
			Summary{Count: 1, Total: 7, Avg: 7, Med: 7, Min: 7, Max: 7, StdDev: 0, Q1: 7, Q3: 7}},
		{"odd length picks the middle", []int64{5, 1, 9},
			Summary{Count: 3, Total: 15, Avg: 5, Med: 5, Min: 1, Max: 9, StdDev: 4, Q1: 1, Q3: 9}},
		{"int64 beyond 2^32", []int64{5e9, 5e9 + 2},
			Summary{Count: 2, Total: 1e10 + 2, Avg: 5e9 + 1, Med: 5e9 + 1, Min: 5e9, Max: 5e9 + 2, StdDev: math.Sqrt2, Q1: 5e9, Q3: 5e9 + 2}},
		{"empty", nil, Summary{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Summarize(append([]int64(nil), c.in...))
			if got.Count != c.want.Count || got.Total != c.want.Total || got.Min != c.want.Min || got.Max != c.want.Max ||
				got.Avg != c.want.Avg || got.Med != c.want.Med || got.Q1 != c.want.Q1 || got.Q3 != c.want.Q3 ||
				math.Abs(got.StdDev-c.want.StdDev) > 1e-9 {
				t.Errorf("Summarize(%v) = %+v, want %+v", c.in, got, c.want)
			}
		})
	}
}

func TestQuantile(t *testing.T) {
	xs := []int64{1, 2, 3, 4, 5, 6, 7, 8}
	for _, c := range []struct {
		q    float64
		want float64
	}{{0.25, 2.5}, {0.5, 4.5}, {0.75, 6.5}} {
		if got := Quantile(xs, c.q); got != c.want {
			t.Errorf("Quantile(1..8, %v) = %v, want %v", c.q, got, c.want)
		}
	}
	// p = n·q not an integer → the ⌈p⌉-th value
	if got := Quantile([]int64{10, 20, 30}, 0.25); got != 10 {
		t.Errorf("Quantile(10,20,30; 0.25) = %v, want 10", got)
	}
	if got := Quantile([]int64{10, 20, 30}, 0.75); got != 30 {
		t.Errorf("Quantile(10,20,30; 0.75) = %v, want 30", got)
	}
}

// Round is nsys 2025.3.1's: exact decimal value of the double, half away from zero.
func TestRound(t *testing.T) {
	for _, c := range []struct {
		x    float64
		n    int
		want float64
	}{
		{10601.65, 1, 10601.6},                           // the double is 10601.6499999999996…: seen in nsys's cuda_api_sum
		{1.25, 1, 1.3}, {-1.25, 1, -1.3}, {0.75, 1, 0.8}, // exact ties go away from zero
		{0.15, 1, 0.1}, {2.675, 2, 2.67}, // the doubles lie below the tie
		{7661.5, 1, 7661.5}, {0.04, 1, 0}, {0.05, 1, 0.1}, {9.96, 1, 10}, {99.95, 1, 100},
		{2.5, 0, 3}, {-2.5, 0, -3}, {128145551.0, 1, 128145551}, {4159579.6623, 1, 4159579.7},
		{1e20, 1, 1e20}, {0, 1, 0}, {0.004, 1, 0},
	} {
		if got := Round(c.x, c.n); got != c.want {
			t.Errorf("Round(%v, %d) = %v, want %v", c.x, c.n, got, c.want)
		}
	}
	x := 1.25 // a variable: constant arithmetic would be exact
	if goRound := math.RoundToEven(x*10) / 10; goRound == Round(x, 1) {
		t.Errorf("round-half-even agrees on 1.25 (%v): the case no longer tests anything", goRound)
	}
}

// RoundSQLite342: the cases of nsys-stats-semantics.md §2 (SQLite 3.42, nsys 2023.4.4).
func TestRoundSQLite342(t *testing.T) {
	for _, c := range []struct {
		x    float64
		n    int
		want float64
	}{
		{0.25, 1, 0.3}, {0.35, 1, 0.4}, {0.15, 1, 0.2}, {2.675, 2, 2.68}, {1.005, 2, 1.01},
		{-0.25, 1, -0.3}, {1234.55, 1, 1234.6}, {7661.5, 1, 7661.5}, {0.04, 1, 0},
	} {
		if got := RoundSQLite342(c.x, c.n); got != c.want {
			t.Errorf("RoundSQLite342(%v, %d) = %v, want %v", c.x, c.n, got, c.want)
		}
	}
	x := 1.005
	if naive := math.Round(x*100) / 100; naive == RoundSQLite342(x, 2) {
		t.Errorf("naive rounding agrees on 1.005 (%v): the case no longer tests anything", naive)
	}
}

func TestPercent(t *testing.T) {
	if got := Percent(1, 3); got != 33.3 {
		t.Errorf("Percent(1,3) = %v", got)
	}
	if got := Percent(1, 8); got != 12.5 {
		t.Errorf("Percent(1,8) = %v", got)
	}
	if got := Percent(5, 0); got != 0 {
		t.Errorf("Percent(5,0) = %v", got)
	}
}

// PyFloat prints what Python's str(float) prints.
func TestPyFloat(t *testing.T) {
	for _, c := range []struct {
		x    float64
		want string
	}{
		{7174.0, "7174.0"}, {5.818181818181818, "5.818181818181818"}, {0, "0.0"}, {-3.5, "-3.5"},
		{1e16, "1e+16"}, {1.5e-05, "1.5e-05"}, {0.0001, "0.0001"}, {9999999999999998, "9999999999999998.0"},
		{256410820.0, "256410820.0"}, {0.1, "0.1"}, {math.NaN(), "nan"}, {math.Inf(1), "inf"},
	} {
		if got := PyFloat(c.x); got != c.want {
			t.Errorf("PyFloat(%v) = %q, want %q", c.x, got, c.want)
		}
	}
}

func FuzzRound(f *testing.F) {
	for _, x := range []float64{0.15, 2.675, 1e15, -7.25, 0} {
		f.Add(x, 1)
	}
	f.Fuzz(func(t *testing.T, x float64, n int) {
		if n < 0 || n > 8 || math.IsNaN(x) || math.Abs(x) > 1e15 {
			return
		}
		r := Round(x, n)
		if math.Abs(r-x) > 0.5*math.Pow(10, -float64(n))*1.000001+1e-9*math.Abs(x) {
			t.Fatalf("Round(%v, %d) = %v: moved more than half a unit", x, n, r)
		}
	})
}

// TestSort compares Sort with slices.Sort on short and long slices of narrow, wide and
// negative values, its radix passes in one part or several.
func TestSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 100, radixMin - 1, radixMin, 100000, 1<<18 + 17} {
		for _, gen := range []func() int64{
			func() int64 { return rng.Int64N(200) },
			func() int64 { return rng.Int64N(5000) },
			func() int64 { return rng.Int64N(1 << 20) },
			func() int64 { return rng.Int64N(2) },                              // one bit differs
			func() int64 { return rng.Int64N(1 << 22) },                        // two digits of 11 bits
			func() int64 { return 1<<22 + rng.Int64N(1<<23) },                  // 23 bits: three of 8
			func() int64 { return rng.Int64N(1<<12) << 20 },                    // the low bits all 0
			func() int64 { return -1<<40 + rng.Int64N(3)<<38 + rng.Int64N(5) }, // far apart bits
			func() int64 { return rng.Int64() },
			func() int64 { return rng.Int64() - rng.Int64() },
			func() int64 { return 42 },
		} {
			xs := make([]int64, n)
			for i := range xs {
				xs[i] = gen()
			}
			if n > 1 {
				xs[n-1] = xs[0] // the bits that differ are not those of the first and last values alone
			}
			want := slices.Clone(xs)
			slices.Sort(want)
			for _, parts := range []int{1, 2, 3, 16} { // radix passes in parallel parts
				got := slices.Clone(xs)
				sortParts(got, parts)
				if !slices.Equal(got, want) {
					t.Fatalf("n=%d, %d parts: Sort differs from slices.Sort", n, parts)
				}
			}
			Sort(xs)
			if !slices.Equal(xs, want) {
				t.Fatalf("n=%d: Sort differs from slices.Sort", n)
			}
		}
	}
}

// TestMedian: selection gives the median Summarize computes by sorting, on random, sorted,
// reversed, constant and few-valued inputs of every small length and some large ones.
func TestMedian(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	gens := map[string]func(i, n int) int64{
		"random": func(i, n int) int64 { return rng.Int64N(1_000_000) - 500_000 },
		"sorted": func(i, n int) int64 { return int64(i) }, "reversed": func(i, n int) int64 { return int64(n - i) },
		"constant": func(i, n int) int64 { return 7 }, "few": func(i, n int) int64 { return rng.Int64N(3) },
		"organ": func(i, n int) int64 { return int64(min(i, n-i)) },
	}
	for name, g := range gens {
		for _, n := range []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 100, 101, 1000, 4097, 100_000} {
			xs := make([]int64, n)
			for i := range xs {
				xs[i] = g(i, n)
			}
			want := Summarize(slices.Clone(xs)).Med
			if got := Median(xs); got != want {
				t.Errorf("%s n=%d: Median %v, sorted median %v", name, n, got, want)
			}
		}
	}
	if Median[int64](nil) != 0 || Median[int32](nil) != 0 {
		t.Error("empty")
	}
}

// FuzzMedian: selecting the median gives what sorting gives, for any values (8 bytes each).
func FuzzMedian(f *testing.F) {
	f.Add([]byte{1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0x80, 5, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		xs := make([]int64, len(b)/8)
		for i := range xs {
			xs[i] = int64(binary.LittleEndian.Uint64(b[8*i:]))
		}
		want := Summarize(slices.Clone(xs)).Med
		if got := Median(xs); got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Fatalf("Median %v, sorted median %v of %v", got, want, xs)
		}
	})
}

// The 32-bit forms give what the 64-bit ones give on the same values: Summarize field for field,
// Sort the order slices.Sort gives, Median the sorted median; values of both signs, the extremes,
// and lengths on both sides of the radix sort's threshold.
func TestInt32EqualsInt64(t *testing.T) {
	rng := rand.New(rand.NewPCG(32, 64))
	for _, n := range []int{1, 2, 7, radixMin - 1, radixMin, 3 * radixMin} {
		for _, spread := range []int64{10, 1 << 20, 1 << 31} {
			x32 := make([]int32, n)
			for i := range x32 {
				v := rng.Int64N(2*spread) - spread
				x32[i] = int32(max(min(v, math.MaxInt32), math.MinInt32))
			}
			if n > 3 {
				x32[0], x32[1] = math.MinInt32, math.MaxInt32
			}
			x64 := make([]int64, n)
			for i, v := range x32 {
				x64[i] = int64(v)
			}
			m32, m64 := slices.Clone(x32), slices.Clone(x64)
			if a, b := Median(m32), Median(m64); a != b {
				t.Fatalf("n=%d spread=%d: Median %v, 64-bit %v", n, spread, a, b)
			}
			s32, s64 := Summarize(slices.Clone(x32)), Summarize(slices.Clone(x64))
			if s32 != s64 {
				t.Fatalf("n=%d spread=%d: Summarize %+v, 64-bit %+v", n, spread, s32, s64)
			}
			sorted := slices.Clone(x32)
			slices.Sort(sorted)
			Sort(x32)
			if !slices.Equal(x32, sorted) {
				t.Fatalf("n=%d spread=%d: Sort differs from slices.Sort", n, spread)
			}
		}
	}
}
