package export

import (
	"github.com/omnistat/omnistat/internal/par"
	"github.com/omnistat/omnistat/reports"
	"github.com/omnistat/omnistat/trace"
)

// nvtxKey identifies a range's name: its process, domain and text.
type nvtxKey struct {
	proc, domain, textID int64
	text                 int32
}

type nvtxName struct{ domain, message, full string }

// span is the first start and the last end of some rows.
type span struct{ first, last int64 }

func (s *span) see(start, end int64) {
	s.first, s.last = min(s.first, start), max(s.last, end)
}

func newSpan() span { return span{1<<63 - 1, -1 << 63} }

// events writes the CUDA API calls, GPU operations and NVTX ranges of sub, the rows of one stage
// (or of no stage, label stage.Other), each table on its own goroutine, and returns their first
// start and last end.
func (w *writer) events(label string, sub *trace.Trace, x *stepIndex) (first, last int64) {
	calls := sub.Launches()
	var spans [3]span
	var g par.Group
	g.Go(func() { spans[0] = w.apiRows(label, sub, x, calls) })
	g.Go(func() { spans[1] = w.gpuRows(label, sub, x, calls) })
	g.Go(func() { spans[2] = w.nvtxRows(label, sub, x) })
	g.Wait()
	first, last = spans[0].first, spans[0].last
	for _, s := range spans[1:] {
		first, last = min(first, s.first), max(last, s.last)
	}
	return first, last
}

// apiRows writes the CUDA API calls of sub.
func (w *writer) apiRows(label string, sub *trace.Trace, x *stepIndex, calls *trace.Launches) span {
	c, sp := &cursor{w: w}, newSpan()
	rt := &sub.Runtime
	// the device of the work each call launched
	callDev := make([]int64, rt.Len())
	for i := range callDev {
		callDev[i] = trace.Null
	}
	launched := func(ops trace.OpCalls, dev trace.Codes) {
		for i := range dev.Len() { // a NULL id joins nothing: no call is found for it
			if k := ops.Row(i); k >= 0 && callDev[k] == trace.Null {
				callDev[k] = dev.At(i)
			}
		}
	}
	launched(calls.KernelCalls(), sub.Kernels.Device)
	launched(calls.MemcpyCalls(), sub.Memcpy.Device)
	launched(calls.MemsetCalls(), sub.Memset.Device)
	for i := range rt.Start {
		g := rt.GlobalTID.At(i)
		p := trace.ProcessOf(g)
		fn := sub.Strings.Get(int64(rt.NameID[i]))
		r := API{File: w.file, Stage: label, Replica: c.replica(p), PID: trace.PID(g), TID: trace.TID(g),
			Step: c.step(x, p, rt.Start[i]), Start: rt.Start[i], End: rt.End[i], Duration: rt.End[i] - rt.Start[i],
			Name: reports.APIName(fn), Function: fn, CorrID: c.corr(rt.CorrID[i])}
		if d := callDev[i]; d != trace.Null {
			r.Device = c.i64(d)
		}
		sp.see(rt.Start[i], rt.End[i])
		w.api.add(r)
	}
	return sp
}

// gpuRows writes the kernels, copies and memsets of sub.
func (w *writer) gpuRows(label string, sub *trace.Trace, x *stepIndex, calls *trace.Launches) span {
	c, sp := &cursor{w: w}, newSpan()
	rt := &sub.Runtime
	// launch is the launching call of a GPU operation: its thread, the time its step is looked up
	// at (the call's start, else the operation's own) and its name; none for a NULL id, which
	// joins nothing (trace.Launches)
	launch := func(k int, start int64) (tid *int64, at int64, api *string) {
		if k < 0 {
			return nil, start, nil
		}
		return c.i64(trace.TID(rt.GlobalTID.At(k))), rt.Start[k], str(reports.APIName(sub.Strings.Get(int64(rt.NameID[k]))))
	}
	k := &sub.Kernels
	for i := range k.Start {
		p := k.GlobalPID.At(i)
		tid, at, api := launch(calls.Kernel(i), k.Start[i])
		r := Kernel{File: w.file, Stage: label, Replica: c.replica(p), PID: trace.PID(p), TID: tid,
			Device: k.Device.At(i), Step: c.step(x, p, at), Start: k.Start[i], End: k.End[i],
			Duration: k.End[i] - k.Start[i], Name: sub.Strings.Get(int64(k.Demangled[i])), Short: reports.KernelName(sub, i, "base"),
			CorrID: c.corr(k.CorrID[i]), API: api, Graph: k.GraphNodeID != nil && k.GraphNodeID[i] != trace.Null}
		sp.see(k.Start[i], k.End[i])
		w.kernels.add(r)
	}
	kind := func(kinds map[int64]string, v int64) *string {
		if l, ok := kinds[v]; ok && v != trace.Null {
			return str(l)
		}
		return nil
	}
	m := &sub.Memcpy
	for i := range m.Start {
		p := m.GlobalPID.At(i)
		tid, at, api := launch(calls.Memcpy(i), m.Start[i])
		r := MemOp{File: w.file, Stage: label, Replica: c.replica(p), PID: trace.PID(p), TID: tid,
			Device: m.Device.At(i), Step: c.step(x, p, at), Start: m.Start[i], End: m.End[i],
			Duration: m.End[i] - m.Start[i], Kind: "memcpy", Bytes: m.Bytes[i], CopyKind: kind(sub.MemcpyKinds, m.CopyKind[i]),
			SrcKind: kind(sub.MemKinds, m.SrcKind[i]), DstKind: kind(sub.MemKinds, m.DstKind[i]), CorrID: c.corr(m.CorrID[i]), API: api}
		if op, ok := reports.MemcpyName(sub, i); ok {
			r.Operation = str(op)
		}
		sp.see(m.Start[i], m.End[i])
		w.memops.add(r)
	}
	s := &sub.Memset
	for i := range s.Start {
		p := s.GlobalPID.At(i)
		tid, at, api := launch(calls.Memset(i), s.Start[i])
		r := MemOp{File: w.file, Stage: label, Replica: c.replica(p), PID: trace.PID(p), TID: tid,
			Device: s.Device.At(i), Step: c.step(x, p, at), Start: s.Start[i], End: s.End[i],
			Duration: s.End[i] - s.Start[i], Kind: "memset", Operation: str(reports.MemsetName), Bytes: s.Bytes[i],
			DstKind: kind(sub.MemKinds, s.MemKind[i]), CorrID: c.corr(s.CorrID[i]), API: api}
		sp.see(s.Start[i], s.End[i])
		w.memops.add(r)
	}
	return sp
}

// nvtxRows writes the NVTX ranges of sub and names its steps.
func (w *writer) nvtxRows(label string, sub *trace.Trace, x *stepIndex) span {
	c, sp := &cursor{w: w}, newSpan()
	n := &sub.NVTX
	names := reports.NewNVTXNames(sub)
	maxTS, _ := n.MaxTimestamp()
	for i := range n.Start {
		if !trace.IsRange(n.EventType[i]) {
			continue
		}
		g := n.GlobalTID[i]
		p := trace.ProcessOf(g)
		end := reports.RangeEnd(n, i, maxTS)
		nm := w.nvtxName(names, sub, i)
		r := Range{File: w.file, Stage: label, Replica: c.replica(p), PID: trace.PID(g), TID: trace.TID(g),
			Start: n.Start[i], End: end, Duration: end - n.Start[i], Ended: n.End[i] != trace.Null,
			Style: reports.Style(n.EventType[i]), Domain: nm.domain, Message: nm.message, Name: nm.full}
		if e := n.EndGlobalTID; e != nil && e[i] != trace.Null && e[i] != g {
			r.EndTID = c.i64(trace.TID(e[i]))
		}
		if k, ok := x.byRow[i]; ok { // a step is its own step
			r.Step = c.i32(k)
			x.names[k] = nm.full
		} else {
			r.Step = c.step(x, p, n.Start[i])
		}
		sp.see(n.Start[i], end)
		w.nvtx.add(r)
	}
	return sp
}

// nvtxName is range i's domain, message and nsys name (domain:message), made once per text
// (inline texts are shared by a trace's subsets, so their index names them too).
func (w *writer) nvtxName(names *reports.NVTXNames, sub *trace.Trace, i int) nvtxName {
	n := &sub.NVTX
	key := nvtxKey{trace.ProcessKey(n.GlobalTID[i]), n.DomainID[i], n.TextID[i], n.Text[i]}
	if v, ok := w.nvtxNames[key]; ok {
		return v
	}
	msg, _ := n.Message(&sub.Strings, i)
	d := names.Domain(i)
	v := nvtxName{d, msg, d + ":" + msg}
	w.nvtxNames[key] = v
	return v
}
