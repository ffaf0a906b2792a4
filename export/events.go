package export

import (
	"github.com/omnistat/omnistat/reports"
	"github.com/omnistat/omnistat/trace"
)

// nvtxKey identifies a range's name: its process, domain and text.
type nvtxKey struct {
	proc, domain, textID int64
	text                 int32
}

type nvtxName struct{ domain, message, full string }

// events writes the CUDA API calls, GPU operations and NVTX ranges of sub, the rows of one stage
// (or of no stage, label stage.Other), and returns their first start and last end.
func (w *writer) events(label string, sub *trace.Trace, x *stepIndex) (first, last int64) {
	first, last = int64(1<<63-1), int64(-1<<63)
	see := func(s, e int64) {
		first, last = min(first, s), max(last, e)
	}
	calls := sub.Calls()
	rt := &sub.Runtime
	// the device of the work each call launched
	callDev := make(map[int]int64)
	launched := func(gpid, corr, dev []int64) {
		for i := range gpid {
			if c := calls.Call(gpid[i], corr[i]); c >= 0 {
				if _, ok := callDev[c]; !ok {
					callDev[c] = dev[i]
				}
			}
		}
	}
	launched(sub.Kernels.GlobalPID, sub.Kernels.CorrID, sub.Kernels.Device)
	launched(sub.Memcpy.GlobalPID, sub.Memcpy.CorrID, sub.Memcpy.Device)
	launched(sub.Memset.GlobalPID, sub.Memset.CorrID, sub.Memset.Device)
	for i := range rt.Start {
		g := rt.GlobalTID[i]
		p := trace.ProcessOf(g)
		fn := sub.Strings.Get(rt.NameID[i])
		r := API{File: w.file, Stage: label, Replica: w.replica(p), PID: trace.PID(g), TID: trace.TID(g),
			Step: w.i32(x.at(p, rt.Start[i])), Start: rt.Start[i], End: rt.End[i], Duration: rt.End[i] - rt.Start[i],
			Name: reports.APIName(fn), Function: fn, CorrID: rt.CorrID[i]}
		if d, ok := callDev[i]; ok {
			r.Device = w.i64(d)
		}
		see(rt.Start[i], rt.End[i])
		w.api.add(r)
	}
	// launch is the launching call of a GPU operation: its thread, the time its step is looked up
	// at (the call's start, else the operation's own) and its name
	launch := func(gpid, corr, start int64) (tid *int64, at int64, api *string) {
		c := calls.Call(gpid, corr)
		if c < 0 {
			return nil, start, nil
		}
		return w.i64(trace.TID(rt.GlobalTID[c])), rt.Start[c], str(reports.APIName(sub.Strings.Get(rt.NameID[c])))
	}
	k := &sub.Kernels
	for i := range k.Start {
		tid, at, api := launch(k.GlobalPID[i], k.CorrID[i], k.Start[i])
		r := Kernel{File: w.file, Stage: label, Replica: w.replica(k.GlobalPID[i]), PID: trace.PID(k.GlobalPID[i]), TID: tid,
			Device: k.Device[i], Step: w.i32(x.at(k.GlobalPID[i], at)), Start: k.Start[i], End: k.End[i],
			Duration: k.End[i] - k.Start[i], Name: sub.Strings.Get(k.Demangled[i]), Short: reports.KernelName(sub, i, "base"),
			CorrID: k.CorrID[i], API: api, Graph: k.GraphNodeID != nil && k.GraphNodeID[i] != trace.Null}
		see(k.Start[i], k.End[i])
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
		tid, at, api := launch(m.GlobalPID[i], m.CorrID[i], m.Start[i])
		r := MemOp{File: w.file, Stage: label, Replica: w.replica(m.GlobalPID[i]), PID: trace.PID(m.GlobalPID[i]), TID: tid,
			Device: m.Device[i], Step: w.i32(x.at(m.GlobalPID[i], at)), Start: m.Start[i], End: m.End[i],
			Duration: m.End[i] - m.Start[i], Kind: "memcpy", Bytes: m.Bytes[i], CopyKind: kind(sub.MemcpyKinds, m.CopyKind[i]),
			SrcKind: kind(sub.MemKinds, m.SrcKind[i]), DstKind: kind(sub.MemKinds, m.DstKind[i]), CorrID: m.CorrID[i], API: api}
		if op, ok := reports.MemcpyName(sub, i); ok {
			r.Operation = str(op)
		}
		see(m.Start[i], m.End[i])
		w.memops.add(r)
	}
	s := &sub.Memset
	for i := range s.Start {
		tid, at, api := launch(s.GlobalPID[i], s.CorrID[i], s.Start[i])
		r := MemOp{File: w.file, Stage: label, Replica: w.replica(s.GlobalPID[i]), PID: trace.PID(s.GlobalPID[i]), TID: tid,
			Device: s.Device[i], Step: w.i32(x.at(s.GlobalPID[i], at)), Start: s.Start[i], End: s.End[i],
			Duration: s.End[i] - s.Start[i], Kind: "memset", Operation: str(reports.MemsetName), Bytes: s.Bytes[i],
			DstKind: kind(sub.MemKinds, s.MemKind[i]), CorrID: s.CorrID[i], API: api}
		see(s.Start[i], s.End[i])
		w.memops.add(r)
	}
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
		r := Range{File: w.file, Stage: label, Replica: w.replica(p), PID: trace.PID(g), TID: trace.TID(g),
			Start: n.Start[i], End: end, Duration: end - n.Start[i], Ended: n.End[i] != trace.Null,
			Style: reports.Style(n.EventType[i]), Domain: nm.domain, Message: nm.message, Name: nm.full}
		if e := n.EndGlobalTID; e != nil && e[i] != trace.Null && e[i] != g {
			r.EndTID = w.i64(trace.TID(e[i]))
		}
		if k, ok := x.byRow[i]; ok { // a step is its own step
			r.Step = w.i32(k)
			x.names[k] = nm.full
		} else {
			r.Step = w.i32(x.at(p, n.Start[i]))
		}
		see(n.Start[i], end)
		w.nvtx.add(r)
	}
	return first, last
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
