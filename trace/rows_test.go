package trace

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// selected against a row-by-row count: the kept rows, and whether they are one run [lo, hi)
// (no rows counts as a run), on masks of every shape: empty, none kept, all kept, one run at
// the start, middle or end, two runs, scattered rows, long masks past the scans' word size.
func TestSelectedBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 13))
	for _, n := range []int{0, 1, 2, 3, 17, 64, 1000, 100_003} {
		for iter := range 40 {
			keep := make([]bool, n)
			switch iter % 5 {
			case 1: // all
				for i := range keep {
					keep[i] = true
				}
			case 2, 3: // one run, or two
				for r := 0; r <= iter%5-2 && n > 0; r++ {
					a := rng.IntN(n)
					b := a + rng.IntN(n-a+1)
					for i := a; i < b; i++ {
						keep[i] = true
					}
				}
			case 4: // scattered
				for i := range keep {
					keep[i] = rng.IntN(7) == 0
				}
			}
			want, lo, hi := 0, -1, -1
			runs := 0
			for i, k := range keep {
				if k {
					want++
					if i == 0 || !keep[i-1] {
						runs++
						lo = i
					}
					hi = i + 1
				}
			}
			got := selected(keep)
			if got.n != want || got.contiguous != (runs <= 1) {
				t.Fatalf("n=%d iter %d: %d kept, contiguous %v; want %d, %v", n, iter, got.n, got.contiguous, want, runs <= 1)
			}
			if runs == 1 && (got.lo != lo || got.hi != hi) {
				t.Fatalf("n=%d iter %d: run [%d, %d), want [%d, %d)", n, iter, got.lo, got.hi, lo, hi)
			}
			if runs == 0 && (got.lo != 0 || got.hi != 0) {
				t.Fatalf("n=%d iter %d: no rows kept, run [%d, %d)", n, iter, got.lo, got.hi)
			}
		}
	}
}

// keepSorted, on groups in sorted order (as Reorder leaves them), equals keepOf's masks: every
// group, groups below 0 and missing ones, NVTX rows of no group kept in each.
func TestKeepSortedEqualsKeepOf(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 5))
	sorted := func(n int) []int32 {
		g := make([]int32, n)
		v := int32(-1 + rng.IntN(2))
		for i := range g {
			if rng.IntN(max(1, n/4)) == 0 {
				v += int32(rng.IntN(3)) // sometimes a group with no rows
			}
			g[i] = v
		}
		return g
	}
	for _, n := range []int{0, 1, 5, 300, 70_000} {
		rows := Groups{Runtime: sorted(n), OSRT: sorted(n / 2), Kernels: sorted(n), Memcpy: sorted(3), Memset: nil}
		nvtx := make([]int32, 50)
		for i := range nvtx {
			nvtx[i] = int32(rng.IntN(5) - 1)
		}
		for gi := -1; gi < 6; gi++ {
			got, want := keepSorted(&rows, nvtx, gi), keepOf(&rows, nvtx, gi)
			for _, c := range [][2][]bool{{got.Runtime, want.Runtime}, {got.OSRT, want.OSRT}, {got.Kernels, want.Kernels},
				{got.Memcpy, want.Memcpy}, {got.Memset, want.Memset}, {got.NVTX, want.NVTX}} {
				if !slices.Equal(c[0], c[1]) {
					t.Fatalf("n=%d group %d: masks differ", n, gi)
				}
			}
		}
	}
}

// DevicesOf lists every device a GPU operation ran on, sorted, skipping a column's leading
// NULLs (a NULL after a device is listed, as it always was): against a row-by-row walk, on
// columns of one value, of runs, and with NULLs first, in the middle and throughout.
func TestDevicesOfRowByRow(t *testing.T) {
	walk := func(cols ...[]int64) []int64 {
		var ds []int64
		for _, c := range cols {
			last := int64(Null)
			for _, d := range c {
				if d != last && !slices.Contains(ds, d) {
					ds = append(ds, d)
				}
				last = d
			}
		}
		slices.Sort(ds)
		return ds
	}
	N := int64(Null)
	for _, c := range []struct{ k, m []int64 }{
		{[]int64{0, 0, 0}, nil},
		{[]int64{N, N}, []int64{1}},
		{[]int64{N, N, 0, 0, 1}, []int64{N, 2}},
		{[]int64{0, N, 0}, []int64{3, 3}},
		{[]int64{N}, []int64{N}},
		{nil, nil},
	} {
		tr := &Trace{}
		tr.Kernels.Device, tr.Memcpy.Device = CodesOf(c.k), CodesOf(c.m)
		if got, want := DevicesOf(tr), walk(c.k, c.m); !slices.Equal(got, want) {
			t.Errorf("kernels %v, copies %v: devices %v, want %v", c.k, c.m, got, want)
		}
	}
}
