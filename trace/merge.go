package trace

import "fmt"

// Merge joins several traces into one: the windows of a repeat capture, or one export per rank.
// Strings are re-interned (ids differ between exports), and when two exports hold the same
// process id, the later one's processes are moved to another machine part of their global ids
// (bits 56–63) so they stay apart; PIDs as printed do not change. Notes are kept, prefixed
// with their file.
func Merge(ts []*Trace) (*Trace, error) {
	if len(ts) == 0 {
		return nil, fmt.Errorf("merge: no traces")
	}
	if len(ts) == 1 {
		return ts[0], nil
	}
	out := &Trace{Path: ts[0].Path, Product: ts[0].Product, Schema: ts[0].Schema, Tables: map[string]bool{},
		MemcpyKinds: ts[0].MemcpyKinds, MemKinds: ts[0].MemKinds, EnumTables: true}
	var ids []int64
	var vals []string
	index := map[string]int64{}
	intern := func(s string) int64 {
		if id, ok := index[s]; ok {
			return id
		}
		id := int64(len(vals))
		index[s] = id
		ids, vals = append(ids, id), append(vals, s)
		return id
	}
	seenPID := map[int64]bool{}
	seenGPU := map[int64]bool{}
	textBase := int32(0)
	for fi, t := range ts {
		out.Path += map[bool]string{true: "", false: "+" + t.Path}[fi == 0]
		out.EnumTables = out.EnumTables && t.EnumTables
		for k := range t.Tables {
			out.Tables[k] = true
		}
		for _, n := range t.Notes {
			out.Notes = append(out.Notes, t.Path+": "+n)
		}
		// processes already seen in an earlier export move to machine part fi
		var shift int64
		for _, p := range t.Processes {
			if seenPID[PID(p.GlobalPID)] && fi > 0 {
				shift = int64(fi) << 56
			}
		}
		for _, g := range t.Runtime.GlobalTID {
			if seenPID[PID(g)] && fi > 0 {
				shift = int64(fi) << 56
				break
			}
		}
		mv := func(g int64) int64 {
			if g == Null {
				return g
			}
			return g + shift
		}
		remap := func(id int64) int64 {
			if id == Null {
				return Null
			}
			s, ok := t.Strings.Lookup(id)
			if !ok {
				return Null
			}
			return intern(s)
		}
		for _, p := range t.Processes {
			seenPID[PID(p.GlobalPID)] = true
			p.GlobalPID = mv(p.GlobalPID)
			out.Processes = append(out.Processes, p)
		}
		for _, th := range t.Threads {
			th.GlobalTID = mv(th.GlobalTID)
			out.Threads = append(out.Threads, th)
		}
		for _, g := range t.Runtime.GlobalTID {
			seenPID[PID(g)] = true
		}
		for _, g := range t.GPUs {
			if !seenGPU[g.ID] {
				seenGPU[g.ID] = true
				out.GPUs = append(out.GPUs, g)
			}
		}
		appendAPI(&out.Runtime, &t.Runtime, mv, remap)
		appendAPI(&out.OSRT, &t.OSRT, mv, remap)
		k, ok := &out.Kernels, &t.Kernels
		for i := range ok.Start {
			k.Start, k.End = append(k.Start, ok.Start[i]), append(k.End, ok.End[i])
			k.GlobalPID, k.CorrID = append(k.GlobalPID, mv(ok.GlobalPID[i])), append(k.CorrID, ok.CorrID[i])
			k.Device = append(k.Device, ok.Device[i])
			k.Demangled, k.Short, k.Mangled = append(k.Demangled, remap(ok.Demangled[i])), append(k.Short, remap(ok.Short[i])), append(k.Mangled, remap(ok.Mangled[i]))
			k.GraphNodeID = append(k.GraphNodeID, ok.GraphNodeID[i])
		}
		m, om := &out.Memcpy, &t.Memcpy
		for i := range om.Start {
			m.Start, m.End, m.GlobalPID, m.CorrID = append(m.Start, om.Start[i]), append(m.End, om.End[i]), append(m.GlobalPID, mv(om.GlobalPID[i])), append(m.CorrID, om.CorrID[i])
			m.Device, m.Bytes, m.CopyKind = append(m.Device, om.Device[i]), append(m.Bytes, om.Bytes[i]), append(m.CopyKind, om.CopyKind[i])
			m.SrcKind, m.DstKind, m.GraphNodeID = append(m.SrcKind, om.SrcKind[i]), append(m.DstKind, om.DstKind[i]), append(m.GraphNodeID, om.GraphNodeID[i])
		}
		s, os := &out.Memset, &t.Memset
		for i := range os.Start {
			s.Start, s.End, s.GlobalPID, s.CorrID = append(s.Start, os.Start[i]), append(s.End, os.End[i]), append(s.GlobalPID, mv(os.GlobalPID[i])), append(s.CorrID, os.CorrID[i])
			s.Device, s.Bytes, s.MemKind, s.GraphNodeID = append(s.Device, os.Device[i]), append(s.Bytes, os.Bytes[i]), append(s.MemKind, os.MemKind[i]), append(s.GraphNodeID, os.GraphNodeID[i])
		}
		n, on := &out.NVTX, &t.NVTX
		for i := range on.Start {
			n.Start, n.End, n.EventType = append(n.Start, on.Start[i]), append(n.End, on.End[i]), append(n.EventType, on.EventType[i])
			n.RangeID, n.Category, n.Color = append(n.RangeID, on.RangeID[i]), append(n.Category, on.Category[i]), append(n.Color, on.Color[i])
			n.GlobalTID, n.EndGlobalTID = append(n.GlobalTID, mv(on.GlobalTID[i])), append(n.EndGlobalTID, mv(on.EndGlobalTID[i]))
			n.TextID, n.DomainID, n.Payload = append(n.TextID, remap(on.TextID[i])), append(n.DomainID, on.DomainID[i]), append(n.Payload, on.Payload[i])
			txt := on.Text[i]
			if txt >= 0 {
				txt += textBase
			}
			n.Text = append(n.Text, txt)
		}
		n.Texts = append(n.Texts, on.Texts...)
		textBase = int32(len(n.Texts))
	}
	out.Strings = NewStrings(ids, vals)
	return out, nil
}

func appendAPI(dst, src *APICalls, mv func(int64) int64, remap func(int64) int64) {
	for i := range src.Start {
		dst.Start, dst.End = append(dst.Start, src.Start[i]), append(dst.End, src.End[i])
		dst.GlobalTID, dst.CorrID = append(dst.GlobalTID, mv(src.GlobalTID[i])), append(dst.CorrID, src.CorrID[i])
		dst.NameID = append(dst.NameID, remap(src.NameID[i]))
		if src.EventClass != nil {
			dst.EventClass = append(dst.EventClass, src.EventClass[i])
		}
	}
}
