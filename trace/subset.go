package trace

// pick returns the elements of xs whose keep flag is set (nil stays nil); when every row is
// kept, xs itself is shared, not copied (the model is immutable).
func pick[T any](xs []T, keep []bool, n int) []T {
	if xs == nil {
		return nil
	}
	if n == len(xs) {
		return xs
	}
	out := make([]T, 0, n)
	for i, k := range keep {
		if k {
			out = append(out, xs[i])
		}
	}
	return out
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
	if k.Runtime != nil {
		s.Runtime = t.Runtime.subset(k.Runtime)
	}
	if k.OSRT != nil {
		s.OSRT = t.OSRT.subset(k.OSRT)
	}
	if k.Kernels != nil {
		n, kp := count(k.Kernels), k.Kernels
		x := &t.Kernels
		s.Kernels = Kernels{Start: pick(x.Start, kp, n), End: pick(x.End, kp, n), GlobalPID: pick(x.GlobalPID, kp, n),
			CorrID: pick(x.CorrID, kp, n), Device: pick(x.Device, kp, n), Context: pick(x.Context, kp, n),
			Stream: pick(x.Stream, kp, n), Demangled: pick(x.Demangled, kp, n), Short: pick(x.Short, kp, n),
			Mangled: pick(x.Mangled, kp, n), GridX: pick(x.GridX, kp, n), GridY: pick(x.GridY, kp, n),
			GridZ: pick(x.GridZ, kp, n), BlockX: pick(x.BlockX, kp, n), BlockY: pick(x.BlockY, kp, n),
			BlockZ: pick(x.BlockZ, kp, n), GraphNodeID: pick(x.GraphNodeID, kp, n)}
	}
	if k.Memcpy != nil {
		n, kp := count(k.Memcpy), k.Memcpy
		x := &t.Memcpy
		s.Memcpy = Memcpy{Start: pick(x.Start, kp, n), End: pick(x.End, kp, n), GlobalPID: pick(x.GlobalPID, kp, n),
			CorrID: pick(x.CorrID, kp, n), Device: pick(x.Device, kp, n), Context: pick(x.Context, kp, n),
			Stream: pick(x.Stream, kp, n), Bytes: pick(x.Bytes, kp, n), CopyKind: pick(x.CopyKind, kp, n),
			SrcKind: pick(x.SrcKind, kp, n), DstKind: pick(x.DstKind, kp, n), GraphNodeID: pick(x.GraphNodeID, kp, n)}
	}
	if k.Memset != nil {
		n, kp := count(k.Memset), k.Memset
		x := &t.Memset
		s.Memset = Memset{Start: pick(x.Start, kp, n), End: pick(x.End, kp, n), GlobalPID: pick(x.GlobalPID, kp, n),
			CorrID: pick(x.CorrID, kp, n), Device: pick(x.Device, kp, n), Context: pick(x.Context, kp, n),
			Stream: pick(x.Stream, kp, n), Bytes: pick(x.Bytes, kp, n), MemKind: pick(x.MemKind, kp, n),
			GraphNodeID: pick(x.GraphNodeID, kp, n)}
	}
	if k.NVTX != nil {
		n, kp := count(k.NVTX), k.NVTX
		x := &t.NVTX
		maxTS, ok := x.MaxTimestamp()
		s.NVTX = NVTX{Start: pick(x.Start, kp, n), End: pick(x.End, kp, n), EventType: pick(x.EventType, kp, n),
			RangeID: pick(x.RangeID, kp, n), Category: pick(x.Category, kp, n), Color: pick(x.Color, kp, n),
			GlobalTID: pick(x.GlobalTID, kp, n), EndGlobalTID: pick(x.EndGlobalTID, kp, n), TextID: pick(x.TextID, kp, n),
			Text: pick(x.Text, kp, n), DomainID: pick(x.DomainID, kp, n), Payload: pick(x.Payload, kp, n), Texts: x.Texts,
			maxTS: maxTS, maxTSSet: ok}
	}
	return &s
}

func (a *APICalls) subset(kp []bool) APICalls {
	n := count(kp)
	return APICalls{Start: pick(a.Start, kp, n), End: pick(a.End, kp, n), GlobalTID: pick(a.GlobalTID, kp, n),
		CorrID: pick(a.CorrID, kp, n), NameID: pick(a.NameID, kp, n), EventClass: pick(a.EventClass, kp, n),
		ReturnValue: pick(a.ReturnValue, kp, n)}
}
