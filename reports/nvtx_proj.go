package reports

import (
	"github.com/omnistat/omnistat/internal/hugepage"
	"math"
	"slices"
	"sort"
	"sync"

	"github.com/omnistat/omnistat/internal/par"

	"github.com/omnistat/omnistat/trace"
)

// projection relates GPU operations to the NVTX ranges that enclose the API call that launched
// them, the way nsys's nvtx_gpu_proj_* and nvtx_kern_sum reports do: a range encloses an
// operation when it is on the launching thread, starts and ends on that thread, and contains the
// whole API call. Everything is in slices indexed by row: no per-operation hashing.
type projection struct {
	tr     *trace.Trace
	maxTS  int64
	ranges []int // eligible NVTX rows (ranges with endGlobalTid NULL)
	// the start and end of each of them (an unterminated range ends at the last timestamp),
	// kept together so that the sweeps read them without going through the NVTX table
	starts, ends []int64
	// the launching call (runtime row) of each kernel, memcpy and memset; copies and memsets are
	// left out with kernelsOnly
	launch      *trace.Launches
	kernelsOnly bool
	hasOps      []bool // per runtime row: launched at least one op
	// the ranges enclosing call c are the set setOf[c] (0: none): set k's ranges (indexes into
	// ranges, in start order) are setRanges[setOff[k-1]:setOff[k]]. Consecutive calls mostly
	// lie in the same ranges (a step's calls all in its step and request), so a set is kept once
	// for each run of calls that share it: a few per range, not one per call.
	setOf     []int32
	setOff    []int32
	setRanges []int32
}

func newProjection(tr *trace.Trace, kernelsOnly bool) *projection {
	return newProjectionScope(tr, kernelsOnly, false)
}

// newProjectionScope is newProjection; with byProcess a range also encloses calls made by the
// other threads of its process during its time (omnistat's option for pipelines whose ranges
// and launches live on different threads; nsys matches the thread only).
func newProjectionScope(tr *trace.Trace, kernelsOnly, byProcess bool) *projection {
	p := &projection{tr: tr}
	scope := func(g int64) int64 {
		if byProcess {
			return trace.ProcessOf(g)
		}
		return g
	}
	p.maxTS, _ = tr.NVTX.MaxTimestamp()
	rt := &tr.Runtime
	p.launch = tr.Launches()
	p.hasOps = tr.Launching(kernelsOnly)
	p.kernelsOnly = kernelsOnly
	n := &tr.NVTX
	byThread := map[int64][]int32{}
	for i := range n.Start {
		if trace.IsRange(n.EventType[i]) && n.EndGlobalTID[i] == trace.Null {
			byThread[scope(n.GlobalTID[i])] = append(byThread[scope(n.GlobalTID[i])], int32(len(p.ranges)))
			p.ranges = append(p.ranges, i)
		}
	}
	p.starts, p.ends = make([]int64, len(p.ranges)), make([]int64, len(p.ranges))
	for r, row := range p.ranges {
		p.starts[r], p.ends[r] = n.Start[row], RangeEnd(n, row, p.maxTS)
	}
	// the calls that launched GPU work, per thread with ranges, in row order: collected in
	// parallel parts of the rows, in two passes (the first counts what each part holds of each
	// thread, the second writes it in place, parts in row order), so each list is allocated once
	// at its size; rows come in runs of one thread, so a part consults its map once per run
	tids := make([]int64, 0, len(byThread))
	for tid := range byThread {
		tids = append(tids, tid)
	}
	index := make(map[int64]int, len(tids))
	for k, tid := range tids {
		index[tid] = k
	}
	// calls of a NULL thread before the first launching call of another thread are left out (as
	// the walk from "no thread" that looked a thread up when it changed left them out)
	lead := 0
	for lead < rt.Len() && (!p.hasOps[lead] || scope(rt.GlobalTID.At(lead)) == trace.Null) {
		lead++
	}
	// walk calls f for each run of one thread's calls in [lo, hi): its thread k and the run
	// (its calls that launched nothing are f's to skip)
	walk := func(lo, hi int, f func(k, a, b int)) {
		rt.GlobalTID.RunsIn(lo, hi, func(a, b int, g int64) {
			k, ok := index[scope(g)]
			if !ok {
				return
			}
			if scope(g) == trace.Null {
				a = max(a, lead)
			}
			f(k, a, b)
		})
	}
	hasOps := p.hasOps
	parts := par.Parts(rt.Len())
	at := make([][]int, parts) // at[q][k]: where part q writes thread k's next call
	par.ForParts(rt.Len(), parts, func(q, lo, hi int) {
		at[q] = par.Counters(len(tids))
		walk(lo, hi, func(k, a, b int) {
			n := 0
			for _, has := range hasOps[a:max(a, b)] {
				if has {
					n++
				}
			}
			at[q][k] += n
		})
	})
	callsByThread := make(map[int64][]int32, len(tids))
	lists := make([][]int32, len(tids))
	for k, tid := range tids {
		size := 0
		for q := range at {
			at[q][k], size = size, size+at[q][k]
		}
		if size > 0 {
			lists[k] = make([]int32, size)
			callsByThread[tid] = lists[k]
		}
	}
	par.ForParts(rt.Len(), parts, func(q, lo, hi int) {
		walk(lo, hi, func(k, a, b int) {
			l, pos := lists[k], at[q][k]
			for c := a; c < b; c++ {
				if hasOps[c] {
					l[pos] = int32(c)
					pos++
				}
			}
			at[q][k] = pos
		})
	})
	// ranges and calls by start (the tables mostly are already: then nothing is sorted)
	for tid, cs := range callsByThread {
		rs := byThread[tid]
		byRangeStart := func(a, b int32) int { return cmpInt64(p.starts[a], p.starts[b]) }
		if !slices.IsSortedFunc(rs, byRangeStart) {
			slices.SortFunc(rs, byRangeStart)
		}
		byCallStart := func(a, b int32) int { return cmpInt64(rt.Start[a], rt.Start[b]) }
		if !callsSorted(cs, rt.Start) {
			slices.SortFunc(cs, byCallStart)
		}
	}
	// a thread's calls are cut into parts swept concurrently; a part starts with the ranges open
	// at its first call (started at or before it, not ended before it), in start order: what
	// the sweep from the first call would hold there. Each part keeps the sets of its calls
	// (local numbers from 1); then the parts' sets are numbered one after another, and the
	// parts' calls moved to those numbers
	type part struct {
		cs          []int32
		off, ranges []int32 // set k (from 1): ranges[off[k-1]:off[k]]
		base        int32
	}
	var mu sync.Mutex
	var partsOf []*part
	p.setOf = make([]int32, rt.Len())
	hugepage.Hint(p.setOf)
	for tid, cs := range callsByThread {
		rs := byThread[tid]
		par.For(len(cs), func(lo, hi int) {
			pt := &part{cs: cs[lo:hi], off: []int32{0}}
			var last []int32 // the ranges of the part's last set
			fill := func(c int32, enclosing []int32) {
				if len(pt.off) == 1 || !slices.Equal(last, enclosing) {
					pt.ranges = append(pt.ranges, enclosing...)
					pt.off = append(pt.off, int32(len(pt.ranges)))
					last = pt.ranges[pt.off[len(pt.off)-2]:]
				}
				p.setOf[c] = int32(len(pt.off) - 1)
			}
			defer func() {
				mu.Lock()
				partsOf = append(partsOf, pt)
				mu.Unlock()
			}()
			s0 := rt.Start[cs[lo]]
			next := sort.Search(len(rs), func(j int) bool { return p.starts[rs[j]] > s0 })
			var active, enclosing []int32
			minEnd := int64(math.MaxInt64) // the earliest end of the active ranges
			for _, r := range rs[:next] {
				if p.end(r) >= s0 {
					active = append(active, r)
					minEnd = min(minEnd, p.end(r))
				}
			}
			same := false // the part's last set is active, unchanged since: no comparison needed
			for _, c := range cs[lo:hi] {
				s, e := rt.Start[c], rt.End[c]
				for next < len(rs) && p.starts[rs[next]] <= s {
					active = append(active, rs[next])
					minEnd = min(minEnd, p.end(rs[next]))
					next++
					same = false
				}
				if minEnd < s { // a range that ended before this call holds no later call
					kept := active[:0]
					minEnd = math.MaxInt64
					for _, r := range active {
						if p.end(r) >= s {
							kept = append(kept, r)
							minEnd = min(minEnd, p.end(r))
						}
					}
					same = same && len(kept) == len(active)
					active = kept
				}
				if minEnd >= e { // every active range encloses the call (the usual case)
					if same {
						p.setOf[c] = int32(len(pt.off) - 1)
					} else if len(active) > 0 {
						fill(c, active)
						same = true
					}
					continue
				}
				enclosing = enclosing[:0]
				for _, r := range active {
					if p.end(r) >= e {
						enclosing = append(enclosing, r)
					}
				}
				if len(enclosing) > 0 {
					fill(c, enclosing)
					same = false
				}
			}
		})
	}
	sets := 0
	for _, pt := range partsOf {
		pt.base = int32(sets)
		sets += len(pt.off) - 1
	}
	p.setOff = make([]int32, sets+1)
	for _, pt := range partsOf {
		for k := 1; k < len(pt.off); k++ {
			p.setOff[int(pt.base)+k] = int32(len(p.setRanges)) + pt.off[k]
		}
		p.setRanges = append(p.setRanges, pt.ranges...)
	}
	par.For(len(partsOf), func(lo, hi int) {
		for _, pt := range partsOf[lo:hi] {
			if pt.base == 0 {
				continue
			}
			for _, c := range pt.cs {
				if p.setOf[c] != 0 {
					p.setOf[c] += pt.base
				}
			}
		}
	})
	return p
}

// enclosing lists the ranges (indexes into p.ranges) that enclose call c; none for c < 0.
func (p *projection) enclosing(c int32) []int32 {
	if c < 0 || p.setOf[c] == 0 {
		return nil
	}
	k := p.setOf[c]
	return p.setRanges[p.setOff[k-1]:p.setOff[k]]
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// end is range r's end (the last NVTX timestamp when it never ended).
func (p *projection) end(r int32) int64 { return p.ends[r] }

// start is range r's start.
func (p *projection) start(r int32) int64 { return p.starts[r] }

// callsSorted says whether the calls cs come by start, checked in parallel parts (each with the
// call before it).
func callsSorted(cs []int32, start []int64) bool {
	parts := par.Parts(len(cs))
	sorted := make([]bool, parts)
	par.ForParts(len(cs), parts, func(p, lo, hi int) {
		ok := true
		for i := max(lo, 1); i < hi && ok; i++ {
			ok = start[cs[i]] >= start[cs[i-1]]
		}
		sorted[p] = ok
	})
	return !slices.Contains(sorted, false)
}
