package summary

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/omnistat/omnistat/trace"
)

// apiTotals in 1 to 8 parts against one map filled row by row, with string ids stored densely
// (few of them, and more than a part's table holds) and sparsely, names in runs and alternating,
// and ids outside the dense table (NULL, negative, past it).
func TestAPITotalsInPartsBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, bound := range []int{40, 1<<16 + 5, 0} {
		var ids []int64 // the ids the calls name
		for i := range 40 {
			switch {
			case bound > 40:
				ids = append(ids, int64(i*(bound/40))) // spread over the whole dense table
			case bound == 0:
				ids = append(ids, int64(i)*1_000_003) // sparse: a map
			default:
				ids = append(ids, int64(i))
			}
		}
		all, names := ids, []string{}
		if bound > 40 { // every id of the table has a string: it is stored densely
			all = nil
			for id := range bound {
				all = append(all, int64(id))
			}
		}
		for _, id := range all {
			names = append(names, "cudaCall"+strconv.FormatInt(id, 10))
		}
		tr := &trace.Trace{Strings: trace.NewStrings(all, names)}
		if got := tr.Strings.Bound(); got != bound {
			t.Fatalf("strings stored with bound %d, want %d", got, bound)
		}
		r := &tr.Runtime
		want, wantAll := map[int64]apiAcc{}, int64(0)
		for i := range 50_000 {
			id := ids[rng.IntN(len(ids))]
			switch rng.IntN(50) {
			case 0:
				id = int64(trace.Null32)
			case 1:
				id = -3
			case 2:
				id = int64(tr.Strings.Bound()) + 7
			}
			if i > 0 && rng.IntN(3) == 0 { // a run of one name
				id = int64(r.NameID[i-1])
			}
			d := rng.Int64N(1000) - 10 // a few negative durations
			r.Start, r.End, r.NameID = append(r.Start, int64(i)*2000), append(r.End, int64(i)*2000+d), append(r.NameID, int32(id))
			a := want[id]
			a.total, a.n = a.total+d, a.n+1
			want[id], wantAll = a, wantAll+d
		}
		for parts := 1; parts <= 8; parts++ {
			got, all := apiTotalsIn(tr, parts)
			if all != wantAll || len(got) != len(want) {
				t.Fatalf("bound %d, %d parts: %d ids, all %d; want %d ids, all %d", bound, parts, len(got), all, len(want), wantAll)
			}
			for id, w := range want {
				if g := got[id]; g == nil || *g != w {
					t.Fatalf("bound %d, %d parts: id %d: %v, want %v", bound, parts, id, g, w)
				}
			}
		}
	}
}

// The top API is the same whatever order the map gives the names in, when the calls without a
// name (a NULL name id, printed "") take the most time, and when they take less: an empty name
// is a name, not "none yet" (it was, and the top API then hung on the map's order).
func TestTopAPIWithUnnamedCalls(t *testing.T) {
	s := newSynth()
	s.proc(1, "p")
	s.call(1, "cudaLaunchKernel_v7000", 0, 1)
	s.call(1, "cudaMemcpyAsync_v3020", 0, 1)
	tr := s.done()
	launch, memcpy := s.ids["cudaLaunchKernel_v7000"], s.ids["cudaMemcpyAsync_v3020"]
	for _, c := range []struct {
		unnamed int64
		want    string
	}{{500, ""}, {50, "cudaLaunchKernel"}} {
		for range 200 {
			byID := map[int64]*apiAcc{trace.Null: {total: c.unnamed, n: 3}, launch: {total: 100, n: 4}, memcpy: {total: 90, n: 9}}
			if name, _, _, _ := topAPIOf(tr, byID, c.unnamed+190); name != c.want {
				t.Fatalf("unnamed calls of %d ns: top %q, want %q", c.unnamed, name, c.want)
			}
		}
	}
}
