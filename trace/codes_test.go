package trace

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// Codes reads back what it was given, built at once (CodesOf) or row by row (Append), in runs or
// not, with few distinct values or more than a 16-bit code tells apart (then kept wide); picks
// read back the kept rows.
func TestCodesReadBack(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 9))
	for _, c := range []struct {
		name     string
		n        int
		distinct int64
		runs     bool
		wide     bool
	}{
		{"empty", 0, 1, false, false},
		{"one", 1, 1, false, false},
		{"threads in runs", 50_000, 40, true, false},
		{"shuffled", 50_000, 300, false, false},
		{"exactly 65536", maxCodes, maxCodes, false, false},
		{"one too many", maxCodes + 1, maxCodes + 1, false, true},
		{"hostile", 200_000, 1 << 40, false, true},
	} {
		vs := make([]int64, c.n)
		for i := range vs {
			switch {
			case c.distinct == int64(c.n): // every value once
				vs[i] = int64(i)<<20 | 7
			case c.runs && i > 0 && rng.IntN(50) > 0:
				vs[i] = vs[i-1]
			default:
				vs[i] = rng.Int64N(c.distinct) - c.distinct/2
			}
		}
		if c.n > 2 {
			vs[1] = Null // a NULL is a value like any other
		}
		at := CodesOf(vs)
		var one Codes
		for _, v := range vs {
			one = one.Append(v)
		}
		for _, got := range []Codes{at, one} {
			if got.Len() != len(vs) || !slices.Equal(got.Int64s(), vs) {
				t.Fatalf("%s: read back %d rows, want %d (or values differ)", c.name, got.Len(), len(vs))
			}
			// Runs covers every row once, in order, each run of one value and maximal
			next := 0
			got.Runs(func(lo, hi int, v int64) {
				if lo != next || hi <= lo || (hi < len(vs) && vs[hi] == v) {
					t.Fatalf("%s: run [%d, %d) after row %d", c.name, lo, hi, next)
				}
				for i := lo; i < hi; i++ {
					if vs[i] != v {
						t.Fatalf("%s: run [%d, %d) of %d holds row %d = %d", c.name, lo, hi, v, i, vs[i])
					}
				}
				next = hi
			})
			if next != len(vs) {
				t.Fatalf("%s: runs end at row %d of %d", c.name, next, len(vs))
			}
			// RunsIn: the same over a window, runs cut at its edges
			from := rng.IntN(len(vs) + 1)
			to := from + rng.IntN(len(vs)-from+1)
			next = from
			got.RunsIn(from, to, func(lo, hi int, v int64) {
				if lo != next || hi <= lo || hi > to || (hi < to && vs[hi] == v) {
					t.Fatalf("%s: run [%d, %d) in [%d, %d) after row %d", c.name, lo, hi, from, to, next)
				}
				for i := lo; i < hi; i++ {
					if vs[i] != v {
						t.Fatalf("%s: run [%d, %d) of %d holds row %d = %d", c.name, lo, hi, v, i, vs[i])
					}
				}
				next = hi
			})
			if next != to {
				t.Fatalf("%s: runs in [%d, %d) end at row %d", c.name, from, to, next)
			}
		}
		// Only: one distinct value (made at once, so no value the rows lack)
		distinct := map[int64]bool{}
		for _, v := range vs {
			distinct[v] = true
		}
		if v, ok := at.Only(); ok != (len(distinct) == 1) || ok && !distinct[v] {
			t.Errorf("%s: Only %d %v with %d distinct values", c.name, v, ok, len(distinct))
		}
		// built row by row, past appendCodes distinct values a column is wide until compacted
		if wide := c.distinct > appendCodes; (one.wide != nil) != wide {
			t.Errorf("%s: appended column wide %v, want %v", c.name, one.wide != nil, wide)
		}
		for _, got := range []Codes{at, one.compact()} {
			if (got.wide != nil) != c.wide {
				t.Errorf("%s: wide %v, want %v", c.name, got.wide != nil, c.wide)
			}
			if !c.wide && len(got.codes) != len(vs) {
				t.Errorf("%s: %d codes for %d rows", c.name, len(got.codes), len(vs))
			}
			if !slices.Equal(got.Int64s(), vs) {
				t.Errorf("%s: compacted column reads back differently", c.name)
			}
		}
		keep := make([]bool, len(vs))
		var want []int64
		for i := range keep {
			if keep[i] = rng.IntN(3) > 0; keep[i] {
				want = append(want, vs[i])
			}
		}
		if got := at.pick(selected(keep)).Int64s(); !slices.Equal(got, want) {
			t.Errorf("%s: pick read back differs", c.name)
		}
		if c.n > 0 { // a contiguous run is shared, not copied
			run := make([]bool, len(vs))
			run[len(vs)-1] = true
			if got := at.pick(selected(run)); got.Len() != 1 || got.At(0) != vs[len(vs)-1] {
				t.Errorf("%s: pick of the last row reads %v", c.name, got.Int64s())
			}
		}
	}
}

// Append never writes the distinct values of a column it shares them with.
func TestCodesAppendShares(t *testing.T) {
	a := CodesOf([]int64{1, 2, 3})
	b := a.pick(selected([]bool{true, false, false}))
	b = b.Append(9)
	c := a.Append(4)
	if !slices.Equal(a.Int64s(), []int64{1, 2, 3}) || !slices.Equal(b.Int64s(), []int64{1, 9}) || !slices.Equal(c.Int64s(), []int64{1, 2, 3, 4}) {
		t.Fatalf("a %v, b %v, c %v", a.Int64s(), b.Int64s(), c.Int64s())
	}
}

// A filtered trace owns its coded columns: reordering it leaves the whole trace's rows alone.
func TestFilteredOwnsCodes(t *testing.T) {
	tr := &Trace{}
	for i := range 10 {
		tr.Kernels.Start, tr.Kernels.End = append(tr.Kernels.Start, int64(i)), append(tr.Kernels.End, int64(i+1))
		tr.Kernels.GlobalPID = tr.Kernels.GlobalPID.Append(int64(i % 3))
		tr.Kernels.Device = tr.Kernels.Device.Append(int64(i % 2))
		tr.Kernels.CorrID = append(tr.Kernels.CorrID, Null32)
		tr.Runtime.Start, tr.Runtime.End = append(tr.Runtime.Start, int64(i)), append(tr.Runtime.End, int64(i+1))
		tr.Runtime.GlobalTID = tr.Runtime.GlobalTID.Append(int64(9 - i))
		tr.Runtime.CorrID, tr.Runtime.NameID = append(tr.Runtime.CorrID, int32(i+1)), append(tr.Runtime.NameID, 0)
	}
	pids, devs, tids := tr.Kernels.GlobalPID.Int64s(), tr.Kernels.Device.Int64s(), tr.Runtime.GlobalTID.Int64s()
	f := tr.Filtered(Keep{}, nil)
	rev := func(n int) []int32 {
		g := make([]int32, n)
		for i := range g {
			g[i] = int32(n - i)
		}
		return g
	}
	f.Reorder(&Groups{Runtime: rev(10), Kernels: rev(10)})
	if !slices.Equal(tr.Kernels.GlobalPID.Int64s(), pids) || !slices.Equal(tr.Kernels.Device.Int64s(), devs) || !slices.Equal(tr.Runtime.GlobalTID.Int64s(), tids) {
		t.Fatal("reordering a filtered trace moved the whole trace's rows")
	}
	if got := f.Runtime.GlobalTID.Int64s(); !slices.Equal(got, []int64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
		t.Fatalf("filtered trace reordered to %v", got)
	}
}

// codesOf in 1 to 8 parts equals one walk: the same distinct values in the same order (first
// appearance in row order), the same codes, and the same wide column past 65,536 distinct
// values (reached in one part alone, or only across parts). The values hold 0, which must not
// be taken for the code a part starts with.
func TestCodesOfInParts(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 15))
	for _, distinct := range []int{1, 7, 3000, maxCodes, maxCodes + 1} {
		vs := make([]int64, 0, 140_000)
		for len(vs) < 140_000 {
			v := int64(rng.IntN(distinct)-distinct/2) * 1_000_003 // negative ones, and 0 (whose code is not 0)
			for range 1 + rng.IntN(20) {
				vs = append(vs, v)
			}
		}
		if distinct > 3000 { // every value at least once, the last ones only at the end
			for v := range distinct {
				vs = append(vs, int64(v-distinct/2)*1_000_003)
			}
		}
		want := codesOne(vs)
		for parts := 1; parts <= 8; parts++ {
			got := codesOf(vs, parts)
			if !slices.Equal(got.codes, want.codes) || !slices.Equal(got.values, want.values) || !slices.Equal(got.wide, want.wide) {
				t.Fatalf("%d distinct, %d parts: %d codes, %d values, wide %v; one walk %d, %d, wide %v", distinct, parts,
					len(got.codes), len(got.values), got.wide != nil, len(want.codes), len(want.values), want.wide != nil)
			}
		}
		if (want.wide != nil) != (distinct > maxCodes) {
			t.Fatalf("%d distinct: wide %v", distinct, want.wide != nil)
		}
	}
}
