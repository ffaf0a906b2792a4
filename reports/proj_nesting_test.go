package reports

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/omnistat/omnistat/trace"
)

// nestingBrute is nsys's projection written out the slow way, every range against every call
// and every other range: a range (push/pop or start/end ended on its own thread) encloses a call
// on its thread (process with byProcess) when it starts no later than the call and ends no earlier
// than the call's end (a range never ended ends at the last NVTX timestamp); its projection spans
// the GPU operations of the calls it encloses; its parent is the tightest range of its thread
// that encloses it and comes before it in (start, longer first, row) order, ties going to the
// first such range in that order.
func nestingBrute(tr *trace.Trace, byProcess bool) map[int]ProjectedRange {
	n, rt := &tr.NVTX, &tr.Runtime
	scope := func(g int64) int64 {
		if byProcess {
			return trace.ProcessOf(g)
		}
		return g
	}
	maxTS := int64(-1 << 63)
	for i := range n.Start {
		maxTS = max(maxTS, n.Start[i])
		if n.End[i] != trace.Null {
			maxTS = max(maxTS, n.End[i])
		}
	}
	end := func(i int) int64 {
		if n.End[i] == trace.Null {
			return maxTS
		}
		return n.End[i]
	}
	callOf := func(gpid, corr int64) int { // the first runtime row with that process and id
		for c := range rt.Start {
			if trace.ProcessOf(rt.GlobalTID.At(c)) == gpid && int64(rt.CorrID[c]) == corr {
				return c
			}
		}
		return -1
	}
	type op struct {
		call int
		s, e int64
	}
	var ops []op
	for _, t := range []struct {
		s, e []int64
		g    trace.Codes
		c    []int32
	}{
		{tr.Kernels.Start, tr.Kernels.End, tr.Kernels.GlobalPID, tr.Kernels.CorrID},
		{tr.Memcpy.Start, tr.Memcpy.End, tr.Memcpy.GlobalPID, tr.Memcpy.CorrID},
		{tr.Memset.Start, tr.Memset.End, tr.Memset.GlobalPID, tr.Memset.CorrID},
	} {
		for i := range t.s {
			if c := callOf(t.g.At(i), int64(t.c[i])); c >= 0 {
				ops = append(ops, op{c, t.s[i], t.e[i]})
			}
		}
	}
	out := map[int]ProjectedRange{}
	for r := range n.Start {
		if !trace.IsRange(n.EventType[r]) || n.EndGlobalTID[r] != trace.Null {
			continue
		}
		encl := func(c int) bool {
			return scope(rt.GlobalTID.At(c)) == scope(n.GlobalTID[r]) && n.Start[r] <= rt.Start[c] && end(r) >= rt.End[c]
		}
		pr := ProjectedRange{Row: r, ProjStart: 1<<63 - 1, ProjEnd: -1 << 63, RangeStart: n.Start[r], RangeEnd: end(r)}
		calls := map[int]bool{}
		for _, o := range ops {
			if encl(o.call) {
				calls[o.call] = true
				pr.ProjStart, pr.ProjEnd = min(pr.ProjStart, o.s), max(pr.ProjEnd, o.e)
			}
		}
		if len(calls) == 0 {
			continue
		}
		pr.Ops = len(calls)
		out[r] = pr
	}
	// nesting among the projected ranges of each thread (always the thread of the range)
	before := func(a, b int) bool { // a comes before b
		if n.Start[a] != n.Start[b] {
			return n.Start[a] < n.Start[b]
		}
		if end(a) != end(b) {
			return end(a) > end(b)
		}
		return a < b
	}
	rows := slices.Sorted(func(yield func(int) bool) {
		for r := range out {
			if !yield(r) {
				return
			}
		}
	})
	slices.SortFunc(rows, func(a, b int) int {
		if before(a, b) {
			return -1
		}
		if before(b, a) {
			return 1
		}
		return 0
	})
	parent := map[int]int{}
	for _, r := range rows {
		best, cost := -1, int64(0)
		for _, a := range rows { // in order: the first of equal cost wins
			if a == r || !before(a, r) || n.GlobalTID[a] != n.GlobalTID[r] {
				continue
			}
			if n.Start[a] <= n.Start[r] && end(a) >= end(r) {
				c := (n.Start[r] - n.Start[a]) + (end(a) - end(r))
				if best < 0 || c < cost {
					best, cost = a, c
				}
			}
		}
		parent[r] = best
	}
	var level func(r int) int
	level = func(r int) int {
		if parent[r] < 0 {
			return 0
		}
		return level(parent[r]) + 1
	}
	for _, r := range rows {
		pr := out[r]
		pr.Level = level(r)
		for _, c := range rows {
			if parent[c] == r {
				pr.Children++
			}
		}
		out[r] = pr
	}
	return out
}

// smallProjTrace is a small trace on a grid of few instants (so ranges and calls start and end
// together often): two threads of one process and one of another, push/pop and start/end ranges
// (some never ended, some ended on another thread, some marks), calls with kernels, copies and
// sets, some launched twice under one id, some with no GPU work.
func smallProjTrace(rng *rand.Rand) *trace.Trace {
	p1, p2 := int64(0x1_000064_000000), int64(0x1_0000c8_000000)
	tids := []int64{p1 | 100, p1 | 101, p2 | 200}
	null := trace.Null
	tr := &trace.Trace{Strings: trace.NewStrings([]int64{0, 1, 2, 3}, []string{"a", "b", "cudaLaunchKernel_v7000", "k"})}
	n := &tr.NVTX
	for i := 0; i < 2+rng.IntN(9); i++ {
		s := rng.Int64N(12)
		e := s + rng.Int64N(8)
		typ := []int64{trace.NVTXPushPopRange, trace.NVTXPushPopRange, trace.NVTXStartEndRange, 34 /* mark */}[rng.IntN(4)]
		g := tids[rng.IntN(len(tids))]
		endTID := null
		switch {
		case typ == trace.NVTXStartEndRange && rng.IntN(3) == 0:
			endTID = tids[rng.IntN(len(tids))]
		case typ == trace.NVTXStartEndRange && rng.IntN(4) == 0:
			e = null // never ended
		case typ == 34:
			e = null
		}
		n.Start, n.End, n.EventType = append(n.Start, s), append(n.End, e), append(n.EventType, typ)
		n.GlobalTID, n.EndGlobalTID = append(n.GlobalTID, g), append(n.EndGlobalTID, endTID)
		n.RangeID, n.Category, n.Color = append(n.RangeID, null), append(n.Category, null), append(n.Color, null)
		n.TextID, n.Text, n.DomainID, n.Payload = append(n.TextID, int64(rng.IntN(2))), append(n.Text, -1), append(n.DomainID, 0), append(n.Payload, null)
	}
	rt := &tr.Runtime
	corr := int64(1)
	for i := 0; i < 1+rng.IntN(10); i++ {
		s := rng.Int64N(16)
		g := tids[rng.IntN(len(tids))]
		id := corr
		if rng.IntN(6) == 0 && corr > 1 {
			id = corr - 1 // a repeated id: the first row launches
		} else {
			corr++
		}
		rt.Start, rt.End, rt.GlobalTID, rt.CorrID, rt.NameID = append(rt.Start, s), append(rt.End, s+rng.Int64N(4)), rt.GlobalTID.Append(g), append(rt.CorrID, int32(id)), append(rt.NameID, 2)
		if rng.IntN(5) == 0 {
			continue // no GPU work
		}
		for k := 0; k < 1+rng.IntN(2); k++ {
			gs := 20 + rng.Int64N(30)
			ge := gs + 1 + rng.Int64N(5)
			gp := trace.ProcessOf(g)
			switch rng.IntN(3) {
			case 0:
				x := &tr.Kernels
				x.Start, x.End, x.GlobalPID, x.CorrID, x.Device = append(x.Start, gs), append(x.End, ge), x.GlobalPID.Append(gp), append(x.CorrID, int32(id)), x.Device.Append(0)
				x.Demangled, x.Short, x.Mangled, x.GraphNodeID = append(x.Demangled, 3), append(x.Short, 3), append(x.Mangled, trace.Null32), append(x.GraphNodeID, null)
			case 1:
				x := &tr.Memcpy
				x.Start, x.End, x.GlobalPID, x.CorrID, x.Device = append(x.Start, gs), append(x.End, ge), x.GlobalPID.Append(gp), append(x.CorrID, int32(id)), x.Device.Append(0)
				x.Bytes, x.CopyKind, x.SrcKind, x.DstKind, x.GraphNodeID = append(x.Bytes, 8), append(x.CopyKind, 1), append(x.SrcKind, 0), append(x.DstKind, 1), append(x.GraphNodeID, null)
			default:
				x := &tr.Memset
				x.Start, x.End, x.GlobalPID, x.CorrID, x.Device = append(x.Start, gs), append(x.End, ge), x.GlobalPID.Append(gp), append(x.CorrID, int32(id)), x.Device.Append(0)
				x.Bytes, x.MemKind, x.GraphNodeID = append(x.Bytes, 8), append(x.MemKind, 1), append(x.GraphNodeID, null)
			}
		}
	}
	return tr
}

// TestProjectionNestingBruteForce: ProjectRanges and ProjectRangesByProcess equal the
// brute-force projection, nesting (level, children) included, with copies and sets, marks,
// ranges never ended or ended on another thread, repeated ids, on thousands of small random
// traces whose ranges and calls often start and end at the same instant (a range ending exactly
// when its call ends encloses it; a parent ending exactly when its child ends is still its
// parent), plus the edge cases written out.
func TestProjectionNestingBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	check := func(tr *trace.Trace, byProcess bool) {
		t.Helper()
		var got []ProjectedRange
		if byProcess {
			got = ProjectRangesByProcess(tr)
		} else {
			got = ProjectRanges(tr)
		}
		want := nestingBrute(tr, byProcess)
		if len(got) != len(want) {
			t.Fatalf("byProcess=%v: %d projected ranges, brute force %d\nnvtx %+v\nruntime %+v\nkernels %+v", byProcess, len(got), len(want), tr.NVTX, tr.Runtime, tr.Kernels)
		}
		for _, g := range got {
			w, ok := want[g.Row]
			g.parent, g.position = 0, 0
			if !ok || fmt.Sprintf("%+v", g) != fmt.Sprintf("%+v", w) {
				t.Fatalf("byProcess=%v: row %d\n got  %+v\n want %+v\nnvtx start %v end %v type %v tid %x\nruntime %+v", byProcess, g.Row, g, w,
					tr.NVTX.Start, tr.NVTX.End, tr.NVTX.EventType, tr.NVTX.GlobalTID, tr.Runtime)
			}
		}
	}
	for iter := 0; iter < 3000; iter++ {
		tr := smallProjTrace(rng)
		check(tr, false)
		check(tr, true)
	}
	// the edges, one thread: a range [0,10] holding [2,10] holding [5,10], a call [5,10] launching a
	// kernel; and a range [0,10] that is one instant too short for a call ending at 11
	p := int64(0x1_000064_000000)
	tid, null := p|100, trace.Null
	tr := &trace.Trace{Strings: trace.NewStrings([]int64{0}, []string{"r"})}
	for _, r := range [][2]int64{{0, 10}, {2, 10}, {5, 10}, {0, 10}, {6, 9}} {
		n := &tr.NVTX
		n.Start, n.End, n.EventType = append(n.Start, r[0]), append(n.End, r[1]), append(n.EventType, trace.NVTXPushPopRange)
		n.GlobalTID, n.EndGlobalTID = append(n.GlobalTID, tid), append(n.EndGlobalTID, null)
		n.RangeID, n.Category, n.Color = append(n.RangeID, null), append(n.Category, null), append(n.Color, null)
		n.TextID, n.Text, n.DomainID, n.Payload = append(n.TextID, 0), append(n.Text, -1), append(n.DomainID, 0), append(n.Payload, null)
	}
	tr.Runtime = trace.APICalls{Start: []int64{5, 6}, End: []int64{10, 9}, GlobalTID: trace.CodesOf([]int64{tid, tid}), CorrID: trace.CorrIDs{1, 2}, NameID: trace.StrIDs{0, 0}}
	tr.Kernels = trace.Kernels{Start: []int64{20, 40}, End: []int64{30, 41}, GlobalPID: trace.CodesOf([]int64{p, p}), CorrID: trace.CorrIDs{1, 2}, Device: trace.CodesOf([]int64{0, 0}),
		Demangled: trace.StrIDs{0, 0}, Short: trace.StrIDs{0, 0}, Mangled: trace.StrIDs{trace.Null32, trace.Null32}, GraphNodeID: []int64{null, null}}
	check(tr, false)
	byRow := map[int]ProjectedRange{}
	for _, pr := range ProjectRanges(tr) {
		byRow[pr.Row] = pr
	}
	// rows 0 and 3 are the same range: 0 comes first and is 3's parent; 1 fits 0 and 3 equally
	// and takes the first, 0; 1 holds 2 (same end), 2 holds 4
	for row, want := range map[int][3]int{0: {0, 2, 2}, 3: {1, 0, 2}, 1: {1, 1, 2}, 2: {2, 1, 2}, 4: {3, 0, 1}} {
		if g := byRow[row]; g.Level != want[0] || g.Children != want[1] || g.Ops != want[2] {
			t.Errorf("row %d: level %d children %d ops %d, want %v", row, g.Level, g.Children, g.Ops, want)
		}
	}
}
