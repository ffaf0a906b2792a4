package trace

import (
	"sync"

	"github.com/omnistat/omnistat/internal/par"
)

// Launches gives each GPU operation (kernel, memory copy, memset) the CUDA API call that launched
// it: the runtime row nsys joins it to on process and correlation id (CallIndex.Call), looked up
// once and kept, 4 bytes an operation, instead of an index over every call (about twice that a
// call) that each reader queries again.
//
// A subset whose calls are one contiguous run of its parent's shares the parent's lists: they
// hold the root trace's rows, and this trace's calls are root rows [lo, hi).
type Launches struct {
	kern, copy, set []int32 // root runtime row of each operation, -1 for none
	lo, hi          int32
	dups            bool
	view            bool // the lists are shared with the trace this one was cut from
	// the launching calls (Launching), found on first use; a new one wherever the lists change
	memo *launchingMemo
}

// launchingMemo keeps Launching's two results (all operations, kernels only) of one trace.
type launchingMemo struct {
	once [2]sync.Once
	v    [2][]bool
}

// Kernel is the runtime row that launched kernel i, or -1.
func (l *Launches) Kernel(i int) int { return l.KernelCalls().Row(i) }

// Memcpy is the runtime row that launched copy i, or -1.
func (l *Launches) Memcpy(i int) int { return l.MemcpyCalls().Row(i) }

// Memset is the runtime row that launched memset i, or -1.
func (l *Launches) Memset(i int) int { return l.MemsetCalls().Row(i) }

// OpCalls is the launching calls of one table's operations, for loops over them: Row(i) is
// Kernel(i) (Memcpy, Memset) as a plain value whose call the compiler inlines, where a method
// value such as l.Kernel costs an indirect call per operation.
type OpCalls struct {
	ops    []int32
	lo, hi int32
}

// Row is the runtime row that launched operation i, or -1.
func (o OpCalls) Row(i int) int {
	c := o.ops[i]
	if c < o.lo || c >= o.hi {
		return -1
	}
	return int(c - o.lo)
}

// Len is the number of operations.
func (o OpCalls) Len() int { return len(o.ops) }

// KernelCalls is the kernels' launching calls (Kernel).
func (l *Launches) KernelCalls() OpCalls { return OpCalls{l.kern, l.lo, l.hi} }

// MemcpyCalls is the copies' launching calls (Memcpy).
func (l *Launches) MemcpyCalls() OpCalls { return OpCalls{l.copy, l.lo, l.hi} }

// MemsetCalls is the memsets' launching calls (Memset).
func (l *Launches) MemsetCalls() OpCalls { return OpCalls{l.set, l.lo, l.hi} }

// Dups says whether a correlation id repeats within a process (CallIndex.Dups): the first call
// of a repeated id is the one given.
func (l *Launches) Dups() bool { return l.dups }

// Launches is the trace's launching calls, found on first use and kept; the call index they are
// found with is not kept unless the trace already holds one (Calls). Not safe for concurrent
// first use.
func (t *Trace) Launches() *Launches {
	if t.launch == nil {
		idx := t.calls
		if idx == nil {
			idx = NewCallIndex(&t.Runtime)
		}
		t.launch = newLaunches(t, idx)
	}
	return t.launch
}

func newLaunches(t *Trace, idx *CallIndex) *Launches {
	find := func(gpid Codes, corr []int32) []int32 {
		out := make([]int32, gpid.Len())
		par.For(len(out), func(lo, hi int) {
			gpid.RunsIn(lo, hi, func(a, b int, g int64) { // the process is found once a run of it
				pc := idx.find(g)
				for i := a; i < b; i++ {
					out[i] = int32(pc.call(int64(corr[i])))
				}
			})
		})
		return out
	}
	return &Launches{kern: find(t.Kernels.GlobalPID, t.Kernels.CorrID), copy: find(t.Memcpy.GlobalPID, t.Memcpy.CorrID),
		set: find(t.Memset.GlobalPID, t.Memset.CorrID), hi: int32(t.Runtime.Len()), dups: idx.Dups(), memo: &launchingMemo{}}
}

// subset is l for a subset keeping the operations' rows kernels, copies and sets (nil: every
// row) and the calls' rows calls; nil when those calls are not one contiguous run of this
// trace's (the subset finds its own).
func (l *Launches) subset(kernels, copies, sets *rows, calls rows) *Launches {
	if l == nil || !calls.contiguous {
		return nil
	}
	cut := func(xs []int32, r *rows) []int32 {
		if r == nil {
			return xs
		}
		return pick(xs, *r)
	}
	return &Launches{kern: cut(l.kern, kernels), copy: cut(l.copy, copies), set: cut(l.set, sets),
		lo: l.lo + int32(calls.lo), hi: l.lo + int32(calls.hi), dups: l.dups, view: true, memo: &launchingMemo{}}
}

// remap follows a Reorder: calls moved by calls (row r is now row calls.dst[r]; nil: none moved),
// and the operations' lists permuted as their tables' rows. A shared list is not touched: the
// reordered trace then finds its own.
func (l *Launches) remap(calls, kern, copies, sets *mover) *Launches {
	if l == nil || l.view {
		return nil
	}
	for _, xs := range [][]int32{l.kern, l.copy, l.set} {
		if calls == nil {
			break
		}
		par.For(len(xs), func(lo, hi int) {
			for i := lo; i < hi; i++ {
				if xs[i] >= 0 {
					xs[i] = calls.dst[xs[i]]
				}
			}
		})
	}
	moveCols(kern, &l.kern)
	moveCols(copies, &l.copy)
	moveCols(sets, &l.set)
	l.memo = &launchingMemo{} // the calls moved
	return l
}

// Launching marks the runtime rows that launched at least one GPU operation: a kernel, and
// unless kernelsOnly a memory copy or a memset (Launches). The operations are walked in
// parallel parts, each marking its own bitmap (no two goroutines write one word), and the
// bitmaps are or-ed into the result in parts of whole words. Found once and kept with the
// launching calls (the caller must not change it); safe for concurrent use once Launches has
// been called.
func (t *Trace) Launching(kernelsOnly bool) []bool {
	l, k := t.Launches(), 0
	if kernelsOnly {
		k = 1
	}
	l.memo.once[k].Do(func() { l.memo.v[k] = t.launching(kernelsOnly, 0) })
	return l.memo.v[k]
}

// launching is Launching in the given number of parts (0: par.Parts of the largest table).
func (t *Trace) launching(kernelsOnly bool, parts int) []bool {
	n := t.Runtime.Len()
	out := make([]bool, n)
	if n == 0 {
		return out
	}
	l := t.Launches()
	tables := []OpCalls{l.KernelCalls()}
	if !kernelsOnly {
		tables = append(tables, l.MemcpyCalls(), l.MemsetCalls())
	}
	if parts <= 0 {
		most := 0
		for _, tb := range tables {
			most = max(most, tb.Len())
		}
		parts = par.Parts(most)
	}
	if parts < 2 { // one walk, straight into the result
		for _, tb := range tables {
			for i := range tb.Len() {
				if c := tb.Row(i); c >= 0 {
					out[c] = true
				}
			}
		}
		return out
	}
	bits := make([][]uint64, parts)
	for p := range bits {
		bits[p] = make([]uint64, (n+63)/64)
	}
	for _, tb := range tables {
		par.ForParts(tb.Len(), min(parts, max(1, tb.Len())), func(p, lo, hi int) {
			b := bits[p]
			for i := lo; i < hi; i++ {
				if c := tb.Row(i); c >= 0 {
					b[c>>6] |= 1 << (c & 63)
				}
			}
		})
	}
	words := len(bits[0])
	par.ForParts(words, min(parts, words), func(_, lo, hi int) { // parts of whole words
		for w := lo; w < hi; w++ {
			var x uint64
			for _, b := range bits {
				x |= b[w]
			}
			for c := w << 6; x != 0; c, x = c+1, x>>1 {
				out[c] = x&1 != 0
			}
		}
	})
	return out
}
