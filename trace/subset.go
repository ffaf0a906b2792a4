package trace

import (
	"github.com/omnistat/omnistat/internal/par"
	"runtime"
)

// pick returns the elements of xs whose keep flag is set (nil stays nil); when the kept rows
// are one contiguous run, that part of xs is shared, not copied (the model is immutable).
func pick[T any](xs []T, keep []bool, n int) []T {
	if xs == nil {
		return nil
	}
	if lo, hi, ok := run(keep, n); ok {
		return xs[lo:hi:hi]
	}
	out := make([]T, 0, n)
	for i, k := range keep {
		if k {
			out = append(out, xs[i])
		}
	}
	return out
}

// run reports whether the n kept rows are exactly rows [lo, hi).
func run(keep []bool, n int) (lo, hi int, ok bool) {
	if n == 0 {
		return 0, 0, true
	}
	lo = -1
	for i, k := range keep {
		if k {
			lo = i
			break
		}
	}
	hi = lo + n
	if lo < 0 || hi > len(keep) {
		return 0, 0, false
	}
	for _, k := range keep[lo:hi] {
		if !k {
			return 0, 0, false
		}
	}
	return lo, hi, true
}

func count(keep []bool) int {
	n := 0
	for _, k := range keep {
		if k {
			n++
		}
	}
	return n
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
	// a contiguous run of calls keeps the parent's index and launching calls, shifted: no
	// rebuild. Repeated ids resolve to the parent's first row; one outside the run answers
	// "none", as a fresh index of the subset would only when ids are unique per process (they
	// are in nsys).
	s.launch = t.launch.subset(k, 0, t.Runtime.Len(), true)
	if k.Runtime != nil {
		s.Runtime = t.Runtime.subset(k.Runtime)
		lo, hi, ok := run(k.Runtime, s.Runtime.Len())
		if ok && t.calls != nil && lo < hi {
			s.calls = &CallIndex{parent: t.calls, lo: lo, hi: hi}
		}
		s.launch = t.launch.subset(k, lo, hi, ok)
	}
	if k.OSRT != nil {
		s.OSRT = t.OSRT.subset(k.OSRT)
	}
	if k.Kernels != nil {
		n, kp := count(k.Kernels), k.Kernels
		x := &t.Kernels
		s.Kernels = Kernels{Start: pick(x.Start, kp, n), End: pick(x.End, kp, n), GlobalPID: x.GlobalPID.pick(kp, n),
			CorrID: pick(x.CorrID, kp, n), Device: x.Device.pick(kp, n), Context: pick(x.Context, kp, n),
			Stream: pick(x.Stream, kp, n), Demangled: pick(x.Demangled, kp, n), Short: pick(x.Short, kp, n),
			Mangled: pick(x.Mangled, kp, n), GridX: pick(x.GridX, kp, n), GridY: pick(x.GridY, kp, n),
			GridZ: pick(x.GridZ, kp, n), BlockX: pick(x.BlockX, kp, n), BlockY: pick(x.BlockY, kp, n),
			BlockZ: pick(x.BlockZ, kp, n), GraphNodeID: pick(x.GraphNodeID, kp, n),
			Registers: pick(x.Registers, kp, n), StaticSMem: pick(x.StaticSMem, kp, n),
			DynamicSMem: pick(x.DynamicSMem, kp, n), GreenContext: pick(x.GreenContext, kp, n)}
	}
	if k.Memcpy != nil {
		n, kp := count(k.Memcpy), k.Memcpy
		x := &t.Memcpy
		s.Memcpy = Memcpy{Start: pick(x.Start, kp, n), End: pick(x.End, kp, n), GlobalPID: x.GlobalPID.pick(kp, n),
			CorrID: pick(x.CorrID, kp, n), Device: x.Device.pick(kp, n), Context: pick(x.Context, kp, n),
			Stream: pick(x.Stream, kp, n), Bytes: pick(x.Bytes, kp, n), CopyKind: pick(x.CopyKind, kp, n),
			SrcKind: pick(x.SrcKind, kp, n), DstKind: pick(x.DstKind, kp, n), GraphNodeID: pick(x.GraphNodeID, kp, n),
			SrcDevice: pick(x.SrcDevice, kp, n), DstDevice: pick(x.DstDevice, kp, n), GreenContext: pick(x.GreenContext, kp, n)}
	}
	if k.Memset != nil {
		n, kp := count(k.Memset), k.Memset
		x := &t.Memset
		s.Memset = Memset{Start: pick(x.Start, kp, n), End: pick(x.End, kp, n), GlobalPID: x.GlobalPID.pick(kp, n),
			CorrID: pick(x.CorrID, kp, n), Device: x.Device.pick(kp, n), Context: pick(x.Context, kp, n),
			Stream: pick(x.Stream, kp, n), Bytes: pick(x.Bytes, kp, n), MemKind: pick(x.MemKind, kp, n),
			GraphNodeID: pick(x.GraphNodeID, kp, n), GreenContext: pick(x.GreenContext, kp, n)}
	}
	if k.NVTX != nil {
		n, kp := count(k.NVTX), k.NVTX
		x := &t.NVTX
		maxTS, ok := x.MaxTimestamp()
		s.NVTX = NVTX{Start: pick(x.Start, kp, n), End: pick(x.End, kp, n), EventType: pick(x.EventType, kp, n),
			RangeID: pick(x.RangeID, kp, n), Category: pick(x.Category, kp, n), Color: pick(x.Color, kp, n),
			GlobalTID: pick(x.GlobalTID, kp, n), EndGlobalTID: pick(x.EndGlobalTID, kp, n), TextID: pick(x.TextID, kp, n),
			Text: pick(x.Text, kp, n), DomainID: pick(x.DomainID, kp, n), Payload: pick(x.Payload, kp, n), Texts: x.Texts,
			ID:    pickRowIDs(x, kp, n),
			maxTS: maxTS, maxTSSet: ok}
	}
	return &s
}

func (a *APICalls) subset(kp []bool) APICalls {
	n := count(kp)
	return APICalls{Start: pick(a.Start, kp, n), End: pick(a.End, kp, n), GlobalTID: a.GlobalTID.pick(kp, n),
		CorrID: pick(a.CorrID, kp, n), NameID: pick(a.NameID, kp, n), EventClass: pick(a.EventClass, kp, n),
		ReturnValue: pick(a.ReturnValue, kp, n)}
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
	par := max(1, min(runtime.GOMAXPROCS(0), 8))
	n := max(len(g.Runtime), len(g.OSRT), len(g.Kernels), len(g.Memcpy), len(g.Memset))
	var scratch []int64 // one column's worth, shared by every column moved
	// perm returns where each row goes (nil when every row stays) and sets groups to their new,
	// sorted order
	perm := func(groups []int32) []int32 {
		lo, hi := 0, -1
		for _, v := range groups {
			lo, hi = min(lo, int(v)), max(hi, int(v))
		}
		count := make([]int, hi-lo+2)
		for _, v := range groups {
			count[int(v)-lo+1]++
		}
		for i := 1; i < len(count); i++ {
			count[i] += count[i-1]
		}
		dst := make([]int32, len(groups))
		moved := false
		for i, v := range groups {
			dst[i] = int32(count[int(v)-lo])
			count[int(v)-lo]++
			moved = moved || int(dst[i]) != i
		}
		if !moved {
			return nil
		}
		// the groups in their new order: runs of each value, as many as there were
		at := 0
		for v := lo; v <= hi; v++ {
			for k := at; k < count[v-lo]; k++ {
				groups[k] = int32(v)
			}
			at = count[v-lo]
		}
		if scratch == nil {
			scratch = make([]int64, n)
		}
		return dst
	}
	apply := func(dst []int32, cols ...*[]int64) { move(dst, scratch, par, cols...) }
	apply32 := func(dst []int32, cols ...*[]int32) { move(dst, scratch, par, cols...) }
	dRuntime := perm(g.Runtime)
	if d := dRuntime; d != nil {
		a := &t.Runtime
		apply(d, &a.Start, &a.End, &a.EventClass, &a.ReturnValue)
		apply32(d, &a.NameID, &a.CorrID)
		moveCodes(d, scratch, par, &a.GlobalTID)
		t.calls = calls.remap(d)
	} else {
		t.calls = calls
	}
	dKernels, dMemcpy, dMemset := perm(g.Kernels), perm(g.Memcpy), perm(g.Memset)
	t.launch = launch.remap(dRuntime, dKernels, dMemcpy, dMemset, scratch, par)
	if d := perm(g.OSRT); d != nil {
		a := &t.OSRT
		apply(d, &a.Start, &a.End, &a.EventClass, &a.ReturnValue)
		apply32(d, &a.NameID, &a.CorrID)
		moveCodes(d, scratch, par, &a.GlobalTID)
	}
	if d := dKernels; d != nil {
		k := &t.Kernels
		apply32(d, &k.Demangled, &k.Short, &k.Mangled, &k.CorrID)
		moveCodes(d, scratch, par, &k.GlobalPID, &k.Device)
		apply(d, &k.Start, &k.End, &k.Context, &k.Stream,
			&k.GridX, &k.GridY, &k.GridZ, &k.BlockX, &k.BlockY, &k.BlockZ, &k.GraphNodeID,
			&k.Registers, &k.StaticSMem, &k.DynamicSMem, &k.GreenContext)
	}
	if d := dMemcpy; d != nil {
		m := &t.Memcpy
		apply32(d, &m.CorrID)
		moveCodes(d, scratch, par, &m.GlobalPID, &m.Device)
		apply(d, &m.Start, &m.End, &m.Context, &m.Stream, &m.Bytes, &m.CopyKind, &m.SrcKind, &m.DstKind, &m.GraphNodeID,
			&m.SrcDevice, &m.DstDevice, &m.GreenContext)
	}
	if d := dMemset; d != nil {
		m := &t.Memset
		apply32(d, &m.CorrID)
		moveCodes(d, scratch, par, &m.GlobalPID, &m.Device)
		apply(d, &m.Start, &m.End, &m.Context, &m.Stream, &m.Bytes, &m.MemKind, &m.GraphNodeID, &m.GreenContext)
	}
}

// move permutes each column by dst (row i goes to dst[i], a bijection) through scratch, at
// least as long as dst (64-bit: the 32-bit columns pass through it too, so one scratch column
// serves all): the parts write disjoint rows of scratch, then copy back their own. Nil columns
// (not read) stay nil; a nil dst moves nothing.
func move[T int32 | int64 | uint16](dst []int32, scratch []int64, par int, cols ...*[]T) {
	if dst == nil {
		return
	}
	sc := scratch[:len(dst)]
	for _, c := range cols {
		if *c == nil {
			continue
		}
		col := *c
		inParts(len(dst), par, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				sc[dst[i]] = int64(col[i])
			}
		})
		inParts(len(dst), par, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				col[i] = T(sc[i])
			}
		})
	}
}

// moveCodes is move for coded columns.
func moveCodes(dst []int32, scratch []int64, par int, cols ...*Codes) {
	for _, c := range cols {
		if c.wide != nil {
			move(dst, scratch, par, &c.wide)
		} else {
			move(dst, scratch, par, &c.codes)
		}
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
func pickRowIDs(x *NVTX, keep []bool, n int) []int64 {
	if x.ID != nil {
		return pick(x.ID, keep, n)
	}
	if n == len(keep) {
		return nil
	}
	out := make([]int64, 0, n)
	for i, k := range keep {
		if k {
			out = append(out, int64(i)+1)
		}
	}
	return out
}
