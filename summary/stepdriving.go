package summary

import (
	"cmp"
	"slices"

	"github.com/omnistat/omnistat/internal/par"
	"github.com/omnistat/omnistat/trace"
)

// rangesDriving says of each NVTX row whether it drives GPU work (StepFamily): whether a CUDA
// API call of its thread that launched GPU work (LaunchedGPUWork) starts within it, from its
// start to its end (maxTS for a range never ended). The calls are walked once, in row order,
// against each thread's ranges in start order (rangesWalked); when a thread's calls do not
// come by start, each thread's launching calls are listed, sorted, and searched per range.
func rangesDriving(tr *trace.Trace, maxTS int64) func(i int) bool {
	if d, ok := rangesWalked(tr, maxTS); ok {
		return func(i int) bool { return d[i] }
	}
	return rangesSearched(tr, maxTS)
}

// rangesWalked is rangesDriving in one walk of the calls: a range's first launching call of its
// thread starting at or after its start is met when the walk of that thread's calls, in start
// order, passes the range's start; the range drives GPU work when that call starts by its end.
// ok is false when a thread's calls do not come by start.
func rangesWalked(tr *trace.Trace, maxTS int64) (driving []bool, ok bool) {
	n := &tr.NVTX
	want := map[int64]int{} // thread → its index in ranges
	var ranges [][]int32    // per thread, its ranges' rows
	for i := range n.Start {
		if trace.IsRange(n.EventType[i]) {
			k, seen := want[n.GlobalTID[i]]
			if !seen {
				k = len(ranges)
				want[n.GlobalTID[i]] = k
				ranges = append(ranges, nil)
			}
			ranges[k] = append(ranges[k], int32(i))
		}
	}
	for _, rs := range ranges {
		byStart := func(a, b int32) int { return cmp.Compare(n.Start[a], n.Start[b]) }
		if !slices.IsSortedFunc(rs, byStart) {
			slices.SortStableFunc(rs, byStart)
		}
	}
	launched := LaunchedGPUWork(tr)
	driving = make([]bool, n.Len())
	next := make([]int, len(ranges))   // per thread, its first range not yet met by a call
	last := make([]int64, len(ranges)) // per thread, the start of its last call met
	for k := range last {
		last[k] = -1 << 63
	}
	ok = true
	rt := &tr.Runtime
	rt.GlobalTID.Runs(func(a, b int, g int64) {
		k, has := want[g]
		if !has || !ok {
			return
		}
		rs, at, prev := ranges[k], next[k], last[k]
		for c := a; c < b; c++ {
			if !launched[c] {
				continue
			}
			s := rt.Start[c]
			if s < prev {
				ok = false
				return
			}
			prev = s
			for at < len(rs) && n.Start[rs[at]] <= s {
				r := rs[at]
				end := n.End[r]
				if end == trace.Null {
					end = maxTS
				}
				driving[r] = s <= end
				at++
			}
		}
		next[k], last[k] = at, prev
	})
	return driving, ok
}

// rangesSearched is rangesDriving for calls in any order: the starts of each thread's
// launching calls, sorted, are searched for the first at or after a range's start.
func rangesSearched(tr *trace.Trace, maxTS int64) func(i int) bool {
	n := &tr.NVTX
	want := map[int64]int{} // thread → its index in lists
	for i := range n.Start {
		if trace.IsRange(n.EventType[i]) {
			if _, ok := want[n.GlobalTID[i]]; !ok {
				want[n.GlobalTID[i]] = len(want)
			}
		}
	}
	launched := LaunchedGPUWork(tr)
	// the starts of the calls that launched GPU work, of each thread that has ranges, sorted:
	// collected in parallel parts of the rows, in two passes (the first counts what each part
	// holds of each thread, the second writes it in place, parts in row order), so each list is
	// allocated once at its size; rows come in runs of one thread, so a part consults its map
	// once per run, not once per call
	walk := func(lo, hi int, f func(k, i int)) { // calls come in runs of one thread
		tr.Runtime.GlobalTID.RunsIn(lo, hi, func(a, b int, g int64) {
			k, ok := want[g]
			if !ok {
				return
			}
			for i := a; i < b; i++ {
				if launched[i] {
					f(k, i)
				}
			}
		})
	}
	rows, parts := tr.Runtime.Len(), par.Parts(tr.Runtime.Len())
	at := make([][]int, parts) // at[p][k]: where part p writes thread k's next start
	par.ForParts(rows, parts, func(p, lo, hi int) {
		at[p] = par.Counters(len(want))
		walk(lo, hi, func(k, _ int) { at[p][k]++ })
	})
	lists := make([][]int64, len(want))
	for k := range lists {
		size := 0
		for p := range at {
			at[p][k], size = size, size+at[p][k]
		}
		lists[k] = make([]int64, size)
	}
	par.ForParts(rows, parts, func(p, lo, hi int) {
		walk(lo, hi, func(k, i int) { lists[k][at[p][k]] = tr.Runtime.Start[i]; at[p][k]++ })
	})
	for k := range lists {
		if !slices.IsSorted(lists[k]) {
			slices.Sort(lists[k])
		}
	}
	callsOf := func(g int64) []int64 {
		if k, ok := want[g]; ok {
			return lists[k]
		}
		return nil
	}
	return func(i int) bool {
		end := n.End[i]
		if end == trace.Null {
			end = maxTS
		}
		c := callsOf(n.GlobalTID[i])
		k, _ := slices.BinarySearch(c, n.Start[i])
		return k < len(c) && c[k] <= end
	}
}
