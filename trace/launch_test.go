package trace

import (
	"math/rand/v2"
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
			for _, c := range []struct {
				gpid Codes
				corr []int32
				got  func(int) int
			}{{x.Kernels.GlobalPID, x.Kernels.CorrID, l.Kernel}, {x.Memcpy.GlobalPID, x.Memcpy.CorrID, l.Memcpy}, {x.Memset.GlobalPID, x.Memset.CorrID, l.Memset}} {
				for i := range c.corr {
					if got, want := c.got(i), idx.Call(c.gpid.At(i), int64(c.corr[i])); got != want {
						t.Fatalf("round %d, %s: operation %d launched by call %d, a fresh index says %d", round, what, i, got, want)
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
