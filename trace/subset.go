package trace

import (
	"bytes"
	"encoding/binary"
	"github.com/omnistat/omnistat/internal/hugepage"
	"github.com/omnistat/omnistat/internal/par"
	"runtime"
	"slices"
	"unsafe"
)

// rows are the kept rows of a table (keep[i] for row i), counted and checked for one contiguous
// run once for all its columns.
type rows struct {
	keep       []bool
	n          int // rows kept
	lo, hi     int // when contiguous: the kept rows are exactly [lo, hi)
	contiguous bool
}

func selected(keep []bool) rows {
	// one run [lo, hi) and no kept row after it: contiguous (the common case, after Reorder);
	// the scans look at bytes (a bool is one byte, 0 or 1), which bytes does many at a time
	b := boolBytes(keep)
	lo := bytes.IndexByte(b, 1)
	if lo < 0 {
		return rows{keep: keep, contiguous: true}
	}
	hi := len(b)
	if k := bytes.IndexByte(b[lo:], 0); k >= 0 {
		hi = lo + k
	}
	if bytes.IndexByte(b[hi:], 1) < 0 {
		return rows{keep: keep, n: hi - lo, lo: lo, hi: hi, contiguous: true}
	}
	return rows{keep: keep, n: count(keep)}
}

// boolBytes is keep seen as bytes (0 or 1 each), without a copy.
func boolBytes(keep []bool) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(keep))), len(keep))
}

// pick returns the elements of xs whose row is kept (nil stays nil); when the kept rows are one
// contiguous run, that part of xs is shared, not copied (the model is immutable).
func pick[T any](xs []T, r rows) []T {
	if xs == nil {
		return nil
	}
	if r.contiguous {
		return xs[r.lo:r.hi:r.hi]
	}
	out := make([]T, 0, r.n)
	for i, k := range r.keep {
		if k {
			out = append(out, xs[i])
		}
	}
	return out
}

func count(keep []bool) int {
	return bytes.Count(boolBytes(keep), []byte{1})
}

// Keep selects rows of each event table for Subset; a nil slice keeps every row.
type Keep struct {
	Runtime, OSRT, Kernels, Memcpy, Memset, NVTX []bool
}

// Subset returns a trace with only the kept event rows; strings, processes, threads, GPUs and
// enums are shared. Unterminated NVTX ranges keep the end the whole trace gives them, so a
// report summed over subsets equals the report of the whole.
func (t *Trace) Subset(k Keep) *Trace {
	s := *t
	s.calls = nil // row numbers change
	// a contiguous run of calls keeps the parent's launching calls, shifted: no
	// rebuild. Repeated ids resolve to the parent's first row; one outside the run answers
	// "none", as a fresh index of the subset would only when ids are unique per process (they
	// are in nsys).
	// each table's kept rows, counted once for all its columns (nil: every row)
	sel := func(keep []bool) *rows {
		if keep == nil {
			return nil
		}
		r := selected(keep)
		return &r
	}
	kk, km, ks := sel(k.Kernels), sel(k.Memcpy), sel(k.Memset)
	calls := rows{lo: 0, hi: t.Runtime.Len(), contiguous: true}
	if k.Runtime != nil {
		calls = selected(k.Runtime)
		s.Runtime = t.Runtime.subset(calls)
	}
	s.launch = t.launch.subset(kk, km, ks, calls)
	if k.OSRT != nil {
		s.OSRT = t.OSRT.subset(selected(k.OSRT))
	}
	if kk != nil {
		kp := *kk
		x := &t.Kernels
		s.Kernels = Kernels{Start: pick(x.Start, kp), End: pick(x.End, kp), GlobalPID: x.GlobalPID.pick(kp),
			CorrID: pick(x.CorrID, kp), Device: x.Device.pick(kp), Context: pick(x.Context, kp),
			Stream: pick(x.Stream, kp), Demangled: pick(x.Demangled, kp), Short: pick(x.Short, kp),
			Mangled: pick(x.Mangled, kp), GridX: pick(x.GridX, kp), GridY: pick(x.GridY, kp),
			GridZ: pick(x.GridZ, kp), BlockX: pick(x.BlockX, kp), BlockY: pick(x.BlockY, kp),
			BlockZ: pick(x.BlockZ, kp), GraphNodeID: pick(x.GraphNodeID, kp),
			Registers: pick(x.Registers, kp), StaticSMem: pick(x.StaticSMem, kp),
			DynamicSMem: pick(x.DynamicSMem, kp), GreenContext: pick(x.GreenContext, kp)}
	}
	if km != nil {
		kp := *km
		x := &t.Memcpy
		s.Memcpy = Memcpy{Start: pick(x.Start, kp), End: pick(x.End, kp), GlobalPID: x.GlobalPID.pick(kp),
			CorrID: pick(x.CorrID, kp), Device: x.Device.pick(kp), Context: pick(x.Context, kp),
			Stream: pick(x.Stream, kp), Bytes: pick(x.Bytes, kp), CopyKind: pick(x.CopyKind, kp),
			SrcKind: pick(x.SrcKind, kp), DstKind: pick(x.DstKind, kp), GraphNodeID: pick(x.GraphNodeID, kp),
			SrcDevice: pick(x.SrcDevice, kp), DstDevice: pick(x.DstDevice, kp), GreenContext: pick(x.GreenContext, kp)}
	}
	if ks != nil {
		kp := *ks
		x := &t.Memset
		s.Memset = Memset{Start: pick(x.Start, kp), End: pick(x.End, kp), GlobalPID: x.GlobalPID.pick(kp),
			CorrID: pick(x.CorrID, kp), Device: x.Device.pick(kp), Context: pick(x.Context, kp),
			Stream: pick(x.Stream, kp), Bytes: pick(x.Bytes, kp), MemKind: pick(x.MemKind, kp),
			GraphNodeID: pick(x.GraphNodeID, kp), GreenContext: pick(x.GreenContext, kp)}
	}
	if k.NVTX != nil {
		kp := selected(k.NVTX)
		x := &t.NVTX
		maxTS, ok := x.MaxTimestamp()
		s.NVTX = NVTX{Start: pick(x.Start, kp), End: pick(x.End, kp), EventType: pick(x.EventType, kp),
			RangeID: pick(x.RangeID, kp), Category: pick(x.Category, kp), Color: pick(x.Color, kp),
			GlobalTID: pick(x.GlobalTID, kp), EndGlobalTID: pick(x.EndGlobalTID, kp), TextID: pick(x.TextID, kp),
			Text: pick(x.Text, kp), DomainID: pick(x.DomainID, kp), Payload: pick(x.Payload, kp), Texts: x.Texts,
			ID:    pickRowIDs(x, kp),
			maxTS: maxTS, maxTSSet: ok}
	}
	return &s
}

func (a *APICalls) subset(kp rows) APICalls {
	return APICalls{Start: pick(a.Start, kp), End: pick(a.End, kp), GlobalTID: a.GlobalTID.pick(kp),
		CorrID: pick(a.CorrID, kp), NameID: pick(a.NameID, kp), EventClass: pick(a.EventClass, kp),
		ReturnValue: pick(a.ReturnValue, kp)}
}

// Groups gives, per event table, the group of each row (0, 1, …), for Reorder: 32 bits a row,
// as there are far fewer groups than rows.
type Groups struct {
	Runtime, OSRT, Kernels, Memcpy, Memset []int32
}

// Reorder moves each event table's rows so that the rows of group 0 come first, then group 1,
// and so on, keeping their order within a group; groups follow, permuted the same way. The
// model's row order carries no meaning, and contiguous groups make Subset share slices instead
// of copying. It uses one scratch column per table, not a second copy of the trace.
func (t *Trace) Reorder(g *Groups) {
	calls, launch := t.calls, t.launch
	t.calls, t.launch = nil, nil
	par := max(1, min(runtime.GOMAXPROCS(0), 16))
	scratch := scratchOf(max(len(g.Runtime), len(g.OSRT), len(g.Kernels), len(g.Memcpy), len(g.Memset)))
	// perm returns the mover of a table (nil when every row stays) and sets groups to their new,
	// sorted order
	perm := func(groups []int32) *mover {
		dst, plan := stablePerm(groups, par)
		if dst == nil {
			return nil
		}
		return &mover{dst: dst, plan: plan, scratch: scratch, par: par}
	}
	mRuntime := perm(g.Runtime)
	if m := mRuntime; m != nil {
		a := &t.Runtime
		moveCols(m, &a.Start, &a.End, &a.EventClass, &a.ReturnValue)
		moveCols(m, &a.NameID, &a.CorrID)
		moveCodeCols(m, &a.GlobalTID)
		t.calls = calls.remap(m.dst)
	} else {
		t.calls = calls
	}
	mKernels, mMemcpy, mMemset := perm(g.Kernels), perm(g.Memcpy), perm(g.Memset)
	t.launch = launch.remap(mRuntime, mKernels, mMemcpy, mMemset)
	if m := perm(g.OSRT); m != nil {
		a := &t.OSRT
		moveCols(m, &a.Start, &a.End, &a.EventClass, &a.ReturnValue)
		moveCols(m, &a.NameID, &a.CorrID)
		moveCodeCols(m, &a.GlobalTID)
	}
	if m := mKernels; m != nil {
		k := &t.Kernels
		moveCols(m, &k.Demangled, &k.Short, &k.Mangled, &k.CorrID)
		moveCodeCols(m, &k.GlobalPID, &k.Device)
		moveCols(m, &k.Start, &k.End, &k.Context, &k.Stream,
			&k.GridX, &k.GridY, &k.GridZ, &k.BlockX, &k.BlockY, &k.BlockZ, &k.GraphNodeID,
			&k.Registers, &k.StaticSMem, &k.DynamicSMem, &k.GreenContext)
	}
	if m := mMemcpy; m != nil {
		c := &t.Memcpy
		moveCols(m, &c.CorrID)
		moveCodeCols(m, &c.GlobalPID, &c.Device)
		moveCols(m, &c.Start, &c.End, &c.Context, &c.Stream, &c.Bytes, &c.CopyKind, &c.SrcKind, &c.DstKind, &c.GraphNodeID,
			&c.SrcDevice, &c.DstDevice, &c.GreenContext)
	}
	if m := mMemset; m != nil {
		s := &t.Memset
		moveCols(m, &s.CorrID)
		moveCodeCols(m, &s.GlobalPID, &s.Device)
		moveCols(m, &s.Start, &s.End, &s.Context, &s.Stream, &s.Bytes, &s.MemKind, &s.GraphNodeID, &s.GreenContext)
	}
}

// stablePerm returns where each row goes when rows are ordered by group, stably (nil when every
// row stays), and sets groups to their new, sorted order: a counting sort in parts parts, each
// counting its own rows and then placing them after the rows of the same group in earlier parts.
// With it comes the plan of a block move when one group holds nearly every row (newBlockPlan).
func stablePerm(groups []int32, parts int) ([]int32, *blockPlan) {
	n := len(groups)
	if n < 1<<16 {
		parts = 1
	}
	parts = max(1, parts)
	lo, hi := 0, -1 // the group values' range (always holding 0 and -1: "no group")
	ranges := make([][2]int, parts)
	par.ForParts(n, parts, func(p, a, b int) {
		l, h := 0, -1
		for _, v := range groups[a:b] {
			l, h = min(l, int(v)), max(h, int(v))
		}
		ranges[p] = [2]int{l, h}
	})
	for _, r := range ranges {
		lo, hi = min(lo, r[0]), max(hi, r[1])
	}
	k := hi - lo + 1
	// count[p*stride+v-lo]: rows of group v in part p, then where part p's next one goes; a
	// part's counters start 128 bytes or more after the part's before, so that parts counting
	// row by row write no cache line another part writes
	stride := (k + 15) &^ 15
	count := make([]int, parts*stride)
	par.ForParts(n, parts, func(p, a, b int) {
		c := count[p*stride : p*stride+k]
		for _, v := range groups[a:b] {
			c[int(v)-lo]++
		}
	})
	at := 0
	ends := make([]int, k) // where each group's rows end in the new order
	for v := range k {
		for p := range parts {
			c := count[p*stride+v]
			count[p*stride+v] = at
			at += c
		}
		ends[v] = at
	}
	dst := make([]int32, n)
	hugepage.Hint(dst)
	moved := make([]bool, parts)
	par.ForParts(n, parts, func(p, a, b int) {
		c := count[p*stride : p*stride+k]
		m := false
		for i := a; i < b; i++ {
			v := int(groups[i]) - lo
			dst[i] = int32(c[v])
			c[v]++
			m = m || int(dst[i]) != i
		}
		moved[p] = m
	})
	if !slices.Contains(moved, true) {
		return nil, nil
	}
	big, size := 0, 0 // the biggest group
	for v := range k {
		s := ends[v]
		if v > 0 {
			s -= ends[v-1]
		}
		if s > size {
			big, size = v, s
		}
	}
	plan := newBlockPlan(groups, dst, int32(big+lo), size, parts)
	// the groups in their new order: runs of each value, as many as there were
	par.ForParts(n, parts, func(_, a, b int) {
		v, _ := slices.BinarySearch(ends, a+1) // the first group ending after row a
		for i := a; i < b; i++ {
			for ends[v] <= i {
				v++
			}
			groups[i] = int32(v + lo)
		}
	})
	return dst, plan
}

// move permutes each column by dst (row i goes to dst[i], a bijection) through scratch, at
// least as long as dst (64-bit: a column of a narrower type is moved through the same memory,
// seen as that type, so one scratch column serves all): the parts write disjoint rows of
// scratch, then copy back their own. Nil columns (not read) stay nil; a nil dst moves nothing.
func move[T int32 | int64 | uint16](dst []int32, scratch []int64, par int, cols ...*[]T) {
	if dst == nil || len(dst) == 0 {
		return
	}
	sc := unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(scratch))), len(dst)) // len(scratch) ≥ len(dst), T at most 8 bytes
	for _, c := range cols {
		if *c == nil {
			continue
		}
		col := *c
		inParts(len(dst), par, func(lo, hi int) {
			for i, d := range dst[lo:hi] {
				sc[d] = col[lo+i]
			}
		})
		inParts(len(dst), par, func(lo, hi int) { copy(col[lo:hi], sc[lo:hi]) })
	}
}

// inParts runs f over [0, n) cut into par parts, concurrently when n is large enough to pay.
func inParts(n, parts int, f func(lo, hi int)) {
	if parts < 2 || n < 1<<16 {
		f(0, n)
		return
	}
	var g par.Group
	for p := range parts {
		g.Go(func() { f(p*n/parts, (p+1)*n/parts) })
	}
	g.Wait()
}

// pickRowIDs is the rowids of the kept NVTX rows (nil when they are all the rows, in order).
func pickRowIDs(x *NVTX, kp rows) []int64 {
	if x.ID != nil {
		return pick(x.ID, kp)
	}
	if kp.n == len(kp.keep) {
		return nil
	}
	out := make([]int64, 0, kp.n)
	for i, k := range kp.keep {
		if k {
			out = append(out, int64(i)+1)
		}
	}
	return out
}

// OrInto sets dst[i] to dst[i] || src[i] for every row of dst (src is at least as long), eight
// rows at a time: a bool is one byte, 0 or 1, so or-ing the bytes or-s the rows.
func OrInto(dst, src []bool) {
	d, s := boolBytes(dst), boolBytes(src[:len(dst)])
	i := 0
	for ; i+8 <= len(d); i += 8 {
		binary.LittleEndian.PutUint64(d[i:], binary.LittleEndian.Uint64(d[i:])|binary.LittleEndian.Uint64(s[i:]))
	}
	for ; i < len(d); i++ {
		d[i] |= s[i]
	}
}
