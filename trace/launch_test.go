package trace

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// Launches of a trace, of the trace reordered, and of its subsets (calls contiguous or not)
// name the call a fresh index of that trace's own rows finds for each operation.
func TestLaunchesMatchAFreshIndex(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 3))
	for round := range 30 {
		tr := &Trace{}
		a := &tr.Runtime
		nc := 1 + rng.IntN(400)
		for i := range nc {
			p := int64(1+rng.IntN(3)) << 24
			a.Start, a.End = append(a.Start, int64(i)), append(a.End, int64(i+1))
			a.GlobalTID = a.GlobalTID.Append(p | int64(rng.IntN(3)))
			corr := int32(i + 1)
			if rng.IntN(20) == 0 {
				corr = Null32
			}
			a.CorrID, a.NameID = append(a.CorrID, corr), append(a.NameID, 0)
		}
		op := func(gpid, dev *Codes, corr *[]int32, start, end *[]int64) {
			for i := range rng.IntN(300) {
				c := rng.IntN(nc + 20) // some ids no call has
				g := ProcessOf(a.GlobalTID.At(min(c, nc-1)))
				if rng.IntN(10) == 0 {
					g = 9 << 24 // a process without calls
				}
				*gpid, *dev = gpid.Append(g), dev.Append(int64(rng.IntN(2)))
				*corr = append(*corr, int32(c+1))
				*start, *end = append(*start, int64(i)), append(*end, int64(i+1))
			}
		}
		k, m, s := &tr.Kernels, &tr.Memcpy, &tr.Memset
		op(&k.GlobalPID, &k.Device, &k.CorrID, &k.Start, &k.End)
		op(&m.GlobalPID, &m.Device, &m.CorrID, &m.Start, &m.End)
		op(&s.GlobalPID, &s.Device, &s.CorrID, &s.Start, &s.End)
		check := func(what string, x *Trace) {
			t.Helper()
			idx := NewCallIndex(&x.Runtime)
			l := x.Launches()
			launched := [2][]bool{make([]bool, x.Runtime.Len()), make([]bool, x.Runtime.Len())} // all ops; kernels only
			for j, c := range []struct {
				gpid Codes
				corr []int32
				got  func(int) int
			}{{x.Kernels.GlobalPID, x.Kernels.CorrID, l.Kernel}, {x.Memcpy.GlobalPID, x.Memcpy.CorrID, l.Memcpy}, {x.Memset.GlobalPID, x.Memset.CorrID, l.Memset}} {
				for i := range c.corr {
					want := idx.Call(c.gpid.At(i), int64(c.corr[i]))
					if got := c.got(i); got != want {
						t.Fatalf("round %d, %s: operation %d launched by call %d, a fresh index says %d", round, what, i, got, want)
					}
					if want >= 0 {
						launched[0][want] = true
						launched[1][want] = launched[1][want] || j == 0
					}
				}
			}
			// the launching calls, kept with the launches (after a reorder, found again), in one
			// walk and in 2 to 7 parts (each part its own bitmap)
			for ko, want := range launched {
				if got := x.Launching(ko == 1); !slices.Equal(got, want) {
					t.Fatalf("round %d, %s: Launching(kernels only: %v) differs from the fresh index's", round, what, ko == 1)
				}
			}
			for parts := 0; parts <= 7; parts++ {
				for ko, want := range launched {
					if got := x.launching(ko == 1, parts); !slices.Equal(got, want) {
						t.Fatalf("round %d, %s: launching calls in %d parts (kernels only: %v) differ from the fresh index's", round, what, parts, ko == 1)
					}
				}
			}
		}
		check("whole", tr)
		groups := func(n int) []int32 {
			g := make([]int32, n)
			for i := range g {
				g[i] = int32(rng.IntN(3))
			}
			return g
		}
		g := Groups{Runtime: groups(a.Len()), Kernels: groups(k.Len()), Memcpy: groups(m.Len()), Memset: groups(s.Len())}
		tr.Reorder(&g)
		check("reordered", tr)
		keep := func(gs []int32, v int32, scatter bool) []bool {
			out := make([]bool, len(gs))
			for i, x := range gs {
				out[i] = x == v || (scatter && rng.IntN(4) == 0)
			}
			return out
		}
		for v := range int32(3) {
			sub := tr.Subset(Keep{Runtime: keep(g.Runtime, v, false), Kernels: keep(g.Kernels, v, false), Memcpy: keep(g.Memcpy, v, false), Memset: keep(g.Memset, v, true)})
			if sub.Runtime.Len() > 0 && sub.launch == nil {
				t.Fatalf("round %d: the subset of group %d (contiguous calls) does not share the launches", round, v)
			}
			check("group subset", sub)
			check("subset of a subset", sub.Subset(Keep{Kernels: keep(make([]int32, sub.Kernels.Len()), 1, true)}))
			scattered := tr.Subset(Keep{Runtime: keep(g.Runtime, v, true), Kernels: keep(g.Kernels, v, true)})
			check("scattered subset", scattered)
		}
	}
}

// A correlation id that two calls of a process share (a damaged export) names the first call in
// the export's row order, before and after a reorder that puts the other one first, and in the
// subset holding that first call: the call that decided the operation's stage.
func TestLaunchesRepeatedIDKeepFirstCall(t *testing.T) {
	p := int64(1) << 24
	tr := &Trace{}
	a := &tr.Runtime
	a.Start, a.End = []int64{10, 5}, []int64{11, 6}
	a.GlobalTID = CodesOf([]int64{p | 1, p | 2})
	a.CorrID, a.NameID = CorrIDs{7, 7}, StrIDs{0, 0}
	k := &tr.Kernels
	k.Start, k.End, k.GlobalPID, k.Device, k.CorrID = []int64{20}, []int64{30}, CodesOf([]int64{p}), CodesOf([]int64{0}), CorrIDs{7}
	l := tr.Launches()
	if got := l.Kernel(0); got != 0 || !l.Dups() {
		t.Fatalf("kernel launched by call %d (dups %v), want the first row, 0", got, l.Dups())
	}
	tr.Reorder(&Groups{Runtime: []int32{1, 0}, Kernels: []int32{1}})
	if got := tr.Launches().Kernel(0); got != 1 {
		t.Fatalf("after the reorder the kernel is launched by call %d, want 1 (the first call, moved)", got)
	}
	sub := tr.Subset(Keep{Runtime: []bool{false, true}, Kernels: []bool{true}})
	if got := sub.Launches().Kernel(0); got != 0 || sub.Runtime.GlobalTID.At(0) != p|1 {
		t.Fatalf("in its stage the kernel is launched by call %d (thread %x), want 0 on thread %x", got, sub.Runtime.GlobalTID.At(0), p|1)
	}
	if got := tr.Subset(Keep{Runtime: []bool{true, false}, Kernels: []bool{true}}).Launches().Kernel(0); got != -1 {
		t.Fatalf("with only the other call the kernel is launched by call %d, want none", got)
	}
}
