package trace

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"sync/atomic"

	"github.com/omnistat/omnistat/internal/par"
)

// CallIndex finds the CUDA API call (a runtime row) that launched a GPU operation: nsys joins
// them on the correlation id within one process. Correlation ids of a process are close to
// dense, so the index is a slice per process, not a hash map.
type CallIndex struct {
	procs []procEntry // few processes: a linear scan beats hashing
	dups  bool        // some id repeats within a process (damaged exports): the first row wins
}

type procEntry struct {
	gpid  int64
	calls *procCalls
}

// index is the position of gpid's entry in procs, or -1.
func (x *CallIndex) index(gpid int64) int {
	for i := range x.procs {
		if x.procs[i].gpid == gpid {
			return i
		}
	}
	return -1
}

func (x *CallIndex) find(gpid int64) *procCalls {
	if i := x.index(gpid); i >= 0 {
		return x.procs[i].calls
	}
	return nil
}

type procCalls struct {
	base int64
	rows []int32 // dense ids: rows[corr-base] = runtime row + 1; 0 when none
	// sparse ids: sorted keys (id - base: ids are 32-bit, so they span less than 2^32) and their
	// rows, and buckets of 1<<shift ids over them: the keys of ids base + [b<<shift,
	// (b+1)<<shift) are keys[bucket[b]:bucket[b+1]]
	keys   []uint32
	vals   []int32
	bucket []int32
	shift  uint
}

// NewCallIndex indexes the runtime calls of a; the first call wins when ids repeat. A call whose
// correlation id is NULL is not indexed: as in SQL's join, a NULL id matches nothing. A large
// table is walked in parallel parts: each part finds its processes' id ranges, then places its
// calls (a dense slot keeps the lowest row, set by compare-and-swap; sparse ids are listed per
// part and joined in part order, so the index is the one a single walk makes). Ids repeat when
// a process's dense slots filled are fewer than its calls with an id, or its sorted sparse ids
// hold one twice.
func NewCallIndex(a *APICalls) *CallIndex {
	return newCallIndex(a, par.Parts(a.GlobalTID.Len()))
}

// idSpan is the correlation ids of process p's calls in one part of the table: from lo to hi,
// n of them.
type idSpan struct{ p, lo, hi, n int64 }

// exclusiveParts says, for each part w and process pi of procs, whether the part's ids of the
// process lie outside every other part's range of them (ids grow with the rows, so the parts'
// ranges mostly do not meet): no other part writes its dense slots, which it then fills without
// an atomic operation. Each process's part ranges are sorted by their first id: a range meets
// another when it starts before the end of one before it, or the next one starts before it ends
// (parts × processes, however many of either).
func exclusiveParts(partSpans [][]idSpan, procs []procEntry) [][]bool {
	type partRange struct {
		lo, hi int64
		w      int
	}
	procOf := make(map[int64]int, len(procs))
	for pi, e := range procs {
		procOf[e.gpid] = pi
	}
	own := make([][]bool, len(partSpans))
	ranges := make([][]partRange, len(procs))
	for w, sp := range partSpans {
		own[w] = make([]bool, len(procs))
		for _, s := range sp {
			pi := procOf[s.p]
			ranges[pi] = append(ranges[pi], partRange{s.lo, s.hi, w})
		}
	}
	for pi, rs := range ranges {
		slices.SortFunc(rs, func(a, b partRange) int { return cmp.Compare(a.lo, b.lo) })
		reach := int64(math.MinInt64) // the last id of the ranges before
		for i, r := range rs {
			own[r.w][pi] = reach < r.lo && (i+1 == len(rs) || rs[i+1].lo > r.hi)
			reach = max(reach, r.hi)
		}
	}
	return own
}

func newCallIndex(a *APICalls, parts int) *CallIndex {
	n := a.GlobalTID.Len()
	parts = max(1, parts)
	type span = idSpan
	partSpans := make([][]span, parts)
	par.ForParts(n, parts, func(w, lo, hi int) {
		// room for four processes: 128 bytes, so no other part's list shares its cache lines
		sp := make([]span, 0, 4)
		cur, lastP := -1, int64(-1)
		a.GlobalTID.RunsIn(lo, hi, func(ra, rb int, g int64) { // calls come in runs of a thread
			p := ProcessOf(g)
			for i := ra; i < rb; i++ {
				if a.CorrID[i] == Null32 {
					continue
				}
				c := int64(a.CorrID[i])
				if p != lastP || cur < 0 {
					cur = slices.IndexFunc(sp, func(s span) bool { return s.p == p })
					if cur < 0 {
						sp = append(sp, span{p, c, c, 0})
						cur = len(sp) - 1
					}
					lastP = p
				}
				s := &sp[cur]
				s.lo, s.hi = min(s.lo, c), max(s.hi, c)
				s.n++
			}
		})
		partSpans[w] = sp
	})
	var spans []span // processes in the order of their first call
	for _, sp := range partSpans {
		for _, s := range sp {
			if j := slices.IndexFunc(spans, func(t span) bool { return t.p == s.p }); j >= 0 {
				t := &spans[j]
				t.lo, t.hi, t.n = min(t.lo, s.lo), max(t.hi, s.hi), t.n+s.n
			} else {
				spans = append(spans, s)
			}
		}
	}
	x := &CallIndex{}
	for _, s := range spans {
		pc := &procCalls{base: s.lo}
		if uint64(s.hi-s.lo) < uint64(4*s.n+1<<16) { // unsigned: ids far apart do not overflow
			pc.rows = make([]int32, s.hi-s.lo+1)
		} else {
			pc.keys, pc.vals = make([]uint32, s.n), make([]int32, s.n)
		}
		x.procs = append(x.procs, procEntry{s.p, pc})
	}
	// where each part's sparse ids of each process go: after those of the parts before it
	at := make([][]int64, parts)
	next := make([]int64, len(x.procs))
	for w, sp := range partSpans {
		at[w] = make([]int64, len(x.procs), max(len(x.procs), 16)) // a part's own cache lines
		for pi, e := range x.procs {
			at[w][pi] = next[pi]
			if j := slices.IndexFunc(sp, func(s span) bool { return s.p == e.gpid }); j >= 0 {
				next[pi] += sp[j].n
			}
		}
	}
	own := exclusiveParts(partSpans, x.procs)
	par.ForParts(n, parts, func(w, lo, hi int) {
		pos := at[w]
		var pc *procCalls
		pi, lastP, mine := -1, int64(-1), false
		a.GlobalTID.RunsIn(lo, hi, func(ra, rb int, g int64) {
			if p := ProcessOf(g); p != lastP || pc == nil {
				pc, pi, lastP = nil, x.index(p), p
				if pi >= 0 {
					pc, mine = x.procs[pi].calls, parts == 1 || own[w][pi]
				}
			}
			for i := ra; i < rb; i++ {
				if a.CorrID[i] == Null32 {
					continue
				}
				c := int64(a.CorrID[i])
				if pc.rows == nil {
					pc.keys[pos[pi]], pc.vals[pos[pi]] = uint32(c-pc.base), int32(i)
					pos[pi]++
					continue
				}
				slot, v := &pc.rows[c-pc.base], int32(i)+1
				if mine { // rows come in order: the first one met is the lowest
					if *slot == 0 {
						*slot = v
					}
					continue
				}
				for { // the lowest row of the id wins, whichever part gets there first
					old := atomic.LoadInt32(slot)
					if (old != 0 && old < v) || atomic.CompareAndSwapInt32(slot, old, v) {
						break
					}
				}
			}
		})
	})
	for pi, e := range x.procs {
		pc := e.calls
		if pc.rows != nil { // an id repeats when fewer slots are filled than calls have ids
			filled := int64(0)
			for _, r := range pc.rows {
				if r != 0 {
					filled++
				}
			}
			x.dups = x.dups || filled != spans[pi].n
			continue
		}
		if !slices.IsSorted(pc.keys) { // ids mostly come in order: calls are stored by start
			sort.Stable(byKey{pc}) // stable: the first row of a repeated id wins
		}
		for k := 1; k < len(pc.keys) && !x.dups; k++ {
			x.dups = pc.keys[k] == pc.keys[k-1]
		}
		pc.buckets()
	}
	return x
}

// buckets fills bucket with at most one bucket per 8 keys (half a byte a key); a lookup then
// searches the few keys of its bucket.
func (pc *procCalls) buckets() {
	n := len(pc.keys)
	if n == 0 {
		return
	}
	last := uint64(pc.keys[n-1])
	for last>>pc.shift >= uint64(max(1, n/8)) {
		pc.shift++
	}
	nb := int(last>>pc.shift) + 1
	pc.bucket = make([]int32, nb+1)
	k := 0
	for b := 0; b <= nb; b++ {
		for k < n && uint64(pc.keys[k])>>pc.shift < uint64(b) {
			k++
		}
		pc.bucket[b] = int32(k)
	}
}

type byKey struct{ p *procCalls }

func (b byKey) Len() int           { return len(b.p.keys) }
func (b byKey) Less(i, j int) bool { return b.p.keys[i] < b.p.keys[j] }
func (b byKey) Swap(i, j int) {
	b.p.keys[i], b.p.keys[j] = b.p.keys[j], b.p.keys[i]
	b.p.vals[i], b.p.vals[j] = b.p.vals[j], b.p.vals[i]
}

// remap moves the index's rows along with the calls (row r is now row dst[r]), so a reordered
// trace keeps its index without a rebuild. It returns nil when that cannot give the index a
// rebuild would: repeated ids, whose first row may change.
func (x *CallIndex) remap(dst []int32) *CallIndex {
	if x == nil || x.dups {
		return nil
	}
	for _, e := range x.procs {
		pc := e.calls
		for j, r := range pc.rows {
			if r != 0 {
				pc.rows[j] = dst[r-1] + 1
			}
		}
		for j, r := range pc.vals {
			pc.vals[j] = dst[r]
		}
	}
	return x
}

// Call returns the runtime row with correlation id corr in process globalPID, or -1; -1 for a
// NULL id (Null32, or Null), which launched nothing it can name.
func (x *CallIndex) Call(globalPID, corr int64) int {
	return x.find(globalPID).call(corr)
}

// call is the row of the call with correlation id corr among a process's calls (Call once the
// process is found; -1 when pc is nil, the process has no call with an id).
func (pc *procCalls) call(corr int64) int {
	if corr == int64(Null32) || corr == Null || pc == nil {
		return -1
	}
	if pc.rows != nil {
		if i := corr - pc.base; i >= 0 && i < int64(len(pc.rows)) {
			return int(pc.rows[i]) - 1
		}
		return -1
	}
	if corr < pc.base || corr-pc.base > math.MaxUint32 {
		return -1
	}
	off := uint64(corr - pc.base)
	b := off >> pc.shift
	if b+1 >= uint64(len(pc.bucket)) {
		return -1
	}
	lo, hi := pc.bucket[b], pc.bucket[b+1]
	if i, ok := slices.BinarySearch(pc.keys[lo:hi], uint32(off)); ok {
		return int(pc.vals[int(lo)+i])
	}
	return -1
}

// Dups says whether a correlation id repeats within a process (an export that stores one call
// under two names, or a damaged one).
func (x *CallIndex) Dups() bool {
	return x.dups
}

// Calls is the trace's CallIndex over its CUDA API calls, built on first use and kept. Not safe
// for concurrent first use; a Subset has its own.
func (t *Trace) Calls() *CallIndex {
	if t.calls == nil {
		t.calls = NewCallIndex(&t.Runtime)
	}
	return t.calls
}
