package reports

import (
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
