package trace

import "fmt"

// Merge joins several traces into one: the windows of a repeat capture, or one export per rank.
// Strings are re-interned (ids differ between exports). When every export says when its session
// started (SessionStartNs), each one's timestamps are moved onto the clock of the earliest, so
// events keep their real order and distance; otherwise each keeps its own clock and a note says
// so. Exports of one host (the same non-empty Host) are one run: a PID in several of them is one
// process. Exports of different or unknown hosts that share a PID keep the later one's processes
// apart on another machine part of their global ids (bits 56–63); PIDs as printed do not change.
// Notes are kept, prefixed with their file; Windows lists the exports and their offsets.
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
	seenProc, seenThread := map[int64]bool{}, map[int64]bool{}
	textBase := int32(0)
	// one clock: the earliest session start, when every export has one
	clock, oneRun := int64(0), ts[0].Host != ""
	for _, t := range ts {
		if t.SessionStartNs <= 0 {
			clock = -1
			break
		}
		if clock == 0 || t.SessionStartNs < clock {
			clock = t.SessionStartNs
		}
	}
	for _, t := range ts {
		oneRun = oneRun && t.Host == ts[0].Host
	}
	if clock < 0 {
		out.Notes = append(out.Notes, "the merged exports do not all say when their session started: each keeps its own clock, so their events may seem to overlap")
	} else {
		out.SessionStartNs = clock
	}
	if oneRun {
		out.Host = ts[0].Host
	}
	for fi, t := range ts {
		var offset int64
		if clock > 0 {
			offset = t.SessionStartNs - clock
		}
		first, last := t.extent()
		out.Windows = append(out.Windows, Window{Path: t.Path, OffsetNs: offset, Start: first + offset, End: last + offset})
		at := func(v int64) int64 {
			if v == Null {
				return v
			}
			return v + offset
		}
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
			if seenPID[PID(p.GlobalPID)] && fi > 0 && !oneRun {
				shift = int64(fi) << 56
			}
		}
		for row := range t.Runtime.GlobalTID.Len() {
			g := t.Runtime.GlobalTID.At(row)
			if seenPID[PID(g)] && fi > 0 && !oneRun {
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
			if !seenProc[p.GlobalPID] { // one process of one run is listed by each of its windows
				seenProc[p.GlobalPID] = true
				out.Processes = append(out.Processes, p)
			}
		}
		for _, th := range t.Threads {
			th.GlobalTID = mv(th.GlobalTID)
			if !seenThread[th.GlobalTID] {
				seenThread[th.GlobalTID] = true
				out.Threads = append(out.Threads, th)
			}
		}
		for row := range t.Runtime.GlobalTID.Len() {
			g := t.Runtime.GlobalTID.At(row)
			seenPID[PID(g)] = true
		}
		for _, g := range t.GPUs {
			if !seenGPU[g.ID] {
				seenGPU[g.ID] = true
				out.GPUs = append(out.GPUs, g)
			}
		}
		appendAPI(&out.Runtime, &t.Runtime, mv, remap, at)
		appendAPI(&out.OSRT, &t.OSRT, mv, remap, at)
		k, ok := &out.Kernels, &t.Kernels
		for i := range ok.Start {
			k.Start, k.End = append(k.Start, at(ok.Start[i])), append(k.End, at(ok.End[i]))
			k.GlobalPID, k.CorrID = k.GlobalPID.Append(mv(ok.GlobalPID.At(i))), append(k.CorrID, ok.CorrID[i])
			k.Device = k.Device.Append(ok.Device.At(i))
			k.Demangled, k.Short = append(k.Demangled, remap32(remap, ok.Demangled[i])), append(k.Short, remap32(remap, ok.Short[i]))
			if ok.Mangled != nil { // read only when asked for (every input alike)
				k.Mangled = append(k.Mangled, remap32(remap, ok.Mangled[i]))
			}
			k.GraphNodeID = append(k.GraphNodeID, ok.GraphNode(i))
		}
		m, om := &out.Memcpy, &t.Memcpy
		for i := range om.Start {
			m.Start, m.End, m.GlobalPID, m.CorrID = append(m.Start, at(om.Start[i])), append(m.End, at(om.End[i])), m.GlobalPID.Append(mv(om.GlobalPID.At(i))), append(m.CorrID, om.CorrID[i])
			m.Device, m.Bytes, m.CopyKind = m.Device.Append(om.Device.At(i)), append(m.Bytes, om.Bytes[i]), append(m.CopyKind, om.CopyKind[i])
			m.SrcKind, m.DstKind, m.GraphNodeID = append(m.SrcKind, om.SrcKind[i]), append(m.DstKind, om.DstKind[i]), append(m.GraphNodeID, om.GraphNodeID[i])
		}
		s, os := &out.Memset, &t.Memset
		for i := range os.Start {
			s.Start, s.End, s.GlobalPID, s.CorrID = append(s.Start, at(os.Start[i])), append(s.End, at(os.End[i])), s.GlobalPID.Append(mv(os.GlobalPID.At(i))), append(s.CorrID, os.CorrID[i])
			s.Device, s.Bytes, s.MemKind, s.GraphNodeID = s.Device.Append(os.Device.At(i)), append(s.Bytes, os.Bytes[i]), append(s.MemKind, os.MemKind[i]), append(s.GraphNodeID, os.GraphNodeID[i])
		}
		n, on := &out.NVTX, &t.NVTX
		for i := range on.Start {
			n.Start, n.End, n.EventType = append(n.Start, at(on.Start[i])), append(n.End, at(on.End[i])), append(n.EventType, on.EventType[i])
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
	out.Kernels.GraphNodeID = NilIfAllNull(out.Kernels.GraphNodeID)
	for _, c := range []*Codes{&out.Runtime.GlobalTID, &out.OSRT.GlobalTID, &out.Kernels.GlobalPID, &out.Kernels.Device,
		&out.Memcpy.GlobalPID, &out.Memcpy.Device, &out.Memset.GlobalPID, &out.Memset.Device} {
		*c = c.compact()
	}
	out.Strings = NewStrings(ids, vals)
	return out, nil
}

// remap32 is remap for a 32-bit string id: the merged ids count the distinct strings from 0, so
// they fit as long as the inputs' ids did.
func remap32(remap func(int64) int64, id int32) int32 {
	if id == Null32 {
		return Null32
	}
	if v := remap(int64(id)); v != Null {
		return int32(v)
	}
	return Null32
}

func appendAPI(dst, src *APICalls, mv, remap, at func(int64) int64) {
	for i := range src.Start {
		dst.Start, dst.End = append(dst.Start, at(src.Start[i])), append(dst.End, at(src.End[i]))
		dst.GlobalTID, dst.CorrID = dst.GlobalTID.Append(mv(src.GlobalTID.At(i))), append(dst.CorrID, src.CorrID[i])
		dst.NameID = append(dst.NameID, remap32(remap, src.NameID[i]))
		if src.EventClass != nil {
			dst.EventClass = append(dst.EventClass, src.EventClass[i])
		}
	}
}

// extent is the first start and the last end of t's CUDA and NVTX events (0, 0 for none). OS
// runtime calls are left out: a window's export holds calls that began long before it opened
// (a blocking read started in the previous window).
func (t *Trace) extent() (first, last int64) {
	first, last = 1<<63-1, -1<<63
	see := func(start, end []int64) {
		for i := range start {
			first = min(first, start[i])
			if end[i] != Null {
				last = max(last, end[i])
			}
		}
	}
	see(t.Runtime.Start, t.Runtime.End)
	see(t.Kernels.Start, t.Kernels.End)
	see(t.Memcpy.Start, t.Memcpy.End)
	see(t.Memset.Start, t.Memset.End)
	see(t.NVTX.Start, t.NVTX.End)
	if last < first {
		return 0, 0
	}
	return first, last
}
