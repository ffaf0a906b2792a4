package reports

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

// The projection keeps one set of enclosing ranges per run of calls that share it, each call's
// enclosing ranges those of a brute force (its thread's ranges from before its start to after
// its end, in start order), and far fewer sets than calls.
func TestProjectionSets(t *testing.T) {
	tr := bigProjTrace(3)
	p := newProjection(tr, false)
	n, rt := &tr.NVTX, &tr.Runtime
	maxTS, _ := n.MaxTimestamp()
	for c := 0; c < rt.Len(); c += 7 { // every seventh call: the brute force is slow
		var want []int32
		if p.hasOps[c] {
			for r, row := range p.ranges {
				if n.GlobalTID[row] == rt.GlobalTID.At(c) && n.Start[row] <= rt.Start[c] && RangeEnd(n, row, maxTS) >= rt.End[c] {
					want = append(want, int32(r))
				}
			}
			slices.SortStableFunc(want, func(a, b int32) int { return cmpInt64(p.starts[a], p.starts[b]) })
		}
		got := p.enclosing(int32(c))
		if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Fatalf("call %d: enclosing %v, want %v", c, got, want)
		}
	}
	if sets := len(p.setOff) - 1; sets == 0 || sets > rt.Len()/4 {
		t.Errorf("%d sets for %d calls and %d ranges", sets, rt.Len(), len(p.ranges))
	}
	if p.enclosing(-1) != nil {
		t.Error("a kernel without a call has enclosing ranges")
	}
}

// byThread groups projected ranges by thread keeping each thread's order: random ranges of a few
// threads, interleaved, come out in the order a sort by thread then position gives.
func TestByThreadStable(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for n := range 200 {
		tid := make([]int64, n)
		out := make([]ProjectedRange, n)
		for i := range out {
			tid[i] = []int64{-1, 7, 1 << 40, 3, 3 << 50}[r.IntN(1+n%5)]
			out[i] = ProjectedRange{Row: i, position: i}
		}
		r.Shuffle(n, func(i, j int) { out[i], out[j] = out[j], out[i] })
		want := slices.Clone(out)
		slices.SortStableFunc(want, func(a, b ProjectedRange) int { return cmp.Compare(tid[a.Row], tid[b.Row]) })
		if got := byThread(out, tid); !slices.Equal(got, want) {
			t.Fatalf("%d ranges: %v, want %v", n, got, want)
		}
	}
}
