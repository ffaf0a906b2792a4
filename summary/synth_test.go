package summary

import (
	"github.com/omnistat/omnistat/trace"
)

// synth builds small traces for the summary's rules: processes with a title, CUDA calls (with
// or without the GPU work they launched: kernels, copies), and NVTX push/pop ranges.
type synth struct {
	tr   *trace.Trace
	ids  map[string]int64
	corr int64
}

func newSynth() *synth {
	return &synth{tr: &trace.Trace{Strings: trace.NewStrings(nil, nil), MemcpyKinds: map[int64]string{
		1: "Host-to-Device", 2: "Device-to-Host", 8: "Device-to-Device", 10: "Peer-to-Peer"}}, ids: map[string]int64{}}
}

func (s *synth) str(v string) int64 {
	if id, ok := s.ids[v]; ok {
		return id
	}
	s.ids[v] = int64(len(s.ids))
	return s.ids[v]
}

func synthGPID(pid int64) int64 { return 0x1_000000_000000 | pid<<24 }

// proc adds process pid with its title and main thread (tid = pid).
func (s *synth) proc(pid int64, title string) {
	g := synthGPID(pid)
	s.tr.Processes = append(s.tr.Processes, trace.Process{GlobalPID: g, PID: pid, Name: title})
	s.tr.Threads = append(s.tr.Threads, trace.Thread{GlobalTID: g | pid, Name: title})
}

// call is a CUDA API call of pid's main thread that launches nothing; it returns its row.
func (s *synth) call(pid int64, name string, start, dur int64) int {
	s.corr++
	r := &s.tr.Runtime
	r.Start, r.End, r.GlobalTID, r.CorrID, r.NameID = append(r.Start, start), append(r.End, start+dur), r.GlobalTID.Append(synthGPID(pid)|pid), append(r.CorrID, int32(s.corr)), append(r.NameID, int32(s.str(name)))
	return len(r.Start) - 1
}

// kernel launches a kernel from pid's main thread (the launch call takes the 5 ns before it).
func (s *synth) kernel(pid int64, name string, start, dur, dev int64) {
	s.call(pid, "cudaLaunchKernel_v7000", start-5, 4)
	g, null := synthGPID(pid), trace.Null
	k := &s.tr.Kernels
	id := s.str(name)
	k.Start, k.End, k.GlobalPID, k.CorrID, k.Device = append(k.Start, start), append(k.End, start+dur), k.GlobalPID.Append(g), append(k.CorrID, int32(s.corr)), k.Device.Append(dev)
	k.Context, k.Stream = append(k.Context, 1), append(k.Stream, 7)
	k.Demangled, k.Short, k.Mangled, k.GraphNodeID = append(k.Demangled, int32(id)), append(k.Short, int32(id)), append(k.Mangled, trace.Null32), append(k.GraphNodeID, null)
}

// memcpy is a copy of kind (1 Host-to-Device, 8 Device-to-Device, 10 Peer-to-Peer) made by
// call api of pid's main thread, which takes apiDur from the copy's start on; src and dst are
// the memory kinds (0 pageable, 1 pinned, 2 device).
func (s *synth) memcpy(pid int64, api string, start, apiDur, dur, dev, kind, src, dst, bytes int64) {
	s.call(pid, api, start, apiDur)
	m, null := &s.tr.Memcpy, trace.Null
	m.Start, m.End, m.GlobalPID, m.CorrID, m.Device = append(m.Start, start), append(m.End, start+dur), m.GlobalPID.Append(synthGPID(pid)), append(m.CorrID, int32(s.corr)), m.Device.Append(dev)
	m.Context, m.Stream, m.Bytes, m.CopyKind = append(m.Context, 1), append(m.Stream, 7), append(m.Bytes, bytes), append(m.CopyKind, kind)
	m.SrcKind, m.DstKind, m.GraphNodeID = append(m.SrcKind, src), append(m.DstKind, dst), append(m.GraphNodeID, null)
	m.SrcDevice, m.DstDevice, m.GreenContext = append(m.SrcDevice, null), append(m.DstDevice, null), append(m.GreenContext, null)
}

// rng is a push/pop range of pid's main thread.
func (s *synth) rng(pid int64, name string, start, dur int64) {
	n, null := &s.tr.NVTX, trace.Null
	n.Start, n.End, n.EventType = append(n.Start, start), append(n.End, start+dur), append(n.EventType, trace.NVTXPushPopRange)
	n.GlobalTID, n.EndGlobalTID = append(n.GlobalTID, synthGPID(pid)|pid), append(n.EndGlobalTID, null)
	n.RangeID, n.Category, n.Color = append(n.RangeID, null), append(n.Category, null), append(n.Color, null)
	n.TextID, n.Text, n.DomainID, n.Payload = append(n.TextID, s.str(name)), append(n.Text, -1), append(n.DomainID, 0), append(n.Payload, null)
}

func (s *synth) done() *trace.Trace {
	ids := make([]int64, 0, len(s.ids))
	vals := make([]string, 0, len(s.ids))
	for v, id := range s.ids {
		ids, vals = append(ids, id), append(vals, v)
	}
	s.tr.Strings = trace.NewStrings(ids, vals)
	return s.tr
}
