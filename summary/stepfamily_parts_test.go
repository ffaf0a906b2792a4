package summary

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/trace"
)

// Over 1<<15 API calls StepFamily collects each thread's call starts in parallel parts: its
// answer equals a brute force (a range drives GPU work when a call of its thread that launched
// GPU work starts inside it) on a synthetic trace of three threads, one of them calling nothing,
// whose calls interleave; most calls launch a kernel, a memcpy or a memset, some launch nothing.
func TestStepFamilyInPartsEqualsBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 4))
	pid := int64(0x1_000070_000000)
	tids := []int64{pid | 112, pid | 113, pid | 114} // the last makes no call
	msgs := []string{"step_0", "helper", "decode_7", "idle"}
	tr := &trace.Trace{Strings: trace.NewStrings([]int64{0, 1, 2, 3, 4}, append(msgs, "cudaLaunchKernel"))}
	rt, n := &tr.Runtime, &tr.NVTX
	null := trace.Null
	launched := make([]bool, 90_000)
	for i := range 90_000 {
		g := tids[rng.IntN(2)]
		rt.Start = append(rt.Start, int64(i)*10+int64(rng.IntN(5)))
		rt.End = append(rt.End, rt.Start[i]+3)
		rt.GlobalTID = rt.GlobalTID.Append(g)
		rt.CorrID = append(rt.CorrID, int32(i))
		rt.NameID = append(rt.NameID, 4)
		switch r := rng.IntN(10); { // what the call launched, joined by process and correlation id
		case r < 6:
			k := &tr.Kernels
			k.Start, k.End = append(k.Start, rt.Start[i]+5), append(k.End, rt.Start[i]+7)
			k.GlobalPID, k.CorrID = k.GlobalPID.Append(pid), append(k.CorrID, int32(i))
		case r < 7:
			m := &tr.Memcpy
			m.Start, m.End = append(m.Start, rt.Start[i]+5), append(m.End, rt.Start[i]+7)
			m.GlobalPID, m.CorrID = m.GlobalPID.Append(pid), append(m.CorrID, int32(i))
		case r < 8:
			m := &tr.Memset
			m.Start, m.End = append(m.Start, rt.Start[i]+5), append(m.End, rt.Start[i]+7)
			m.GlobalPID, m.CorrID = m.GlobalPID.Append(pid), append(m.CorrID, int32(i))
		default:
			continue // a call that launched nothing (cuModuleLoad, cudaMalloc)
		}
		launched[i] = true
	}
	// step_N: short ranges that hold a call of their thread a little more than half the time
	// (a part's calls lost would tip it under half); decode_N: long, always driving, fewer;
	// helper: the most, mostly on the thread without calls; idle: only there
	for range 3000 {
		s := rng.Int64N(900_000)
		m, length, tid := 0, int64(14), tids[rng.IntN(2)]
		switch r := rng.IntN(100); {
		case r < 30:
			m, length = 2, 60
		case r < 68:
			m, length = 1, int64(1+rng.IntN(60))
			if rng.IntN(5) != 0 {
				tid = tids[2]
			}
		case r >= 95:
			m, length, tid = 3, 30, tids[2]
		}
		n.Start = append(n.Start, s)
		n.End = append(n.End, s+length)
		n.EventType = append(n.EventType, trace.NVTXPushPopRange)
		n.GlobalTID = append(n.GlobalTID, tid)
		n.EndGlobalTID = append(n.EndGlobalTID, null)
		n.TextID = append(n.TextID, int64(m))
		n.Text = append(n.Text, -1)
		n.DomainID = append(n.DomainID, 0)
		for _, c := range []*[]int64{&n.RangeID, &n.Category, &n.Color, &n.Payload} {
			*c = append(*c, null)
		}
	}
	count, driving := map[string]int64{}, map[string]int64{}
	for i := range n.Start {
		msg, _ := n.Message(&tr.Strings, i)
		f := stage.Family(msg)
		count[f]++
		first, _ := slices.BinarySearch(rt.Start, n.Start[i]) // the calls are made in start order
		for c := first; c < len(rt.Start) && rt.Start[c] <= n.End[i]; c++ {
			if rt.GlobalTID.At(c) == n.GlobalTID[i] && launched[c] {
				driving[f]++
				break
			}
		}
	}
	want, wantN := "", int64(0)
	for f, c := range count {
		if 2*driving[f] >= c && (c > wantN || (c == wantN && f < want)) {
			want, wantN = f, c
		}
	}
	got, gotN := StepFamily(tr)
	if 2*driving["step_N"] < count["step_N"] || 3*driving["step_N"] > 2*count["step_N"] {
		t.Fatalf("step_N drives %d of %d: the case is meant to be near half", driving["step_N"], count["step_N"])
	}
	if got != want || gotN != wantN {
		t.Fatalf("StepFamily = %q (%d), brute force %q (%d); counts %v, driving %v", got, gotN, want, wantN, count, driving)
	}
}

// A range drives GPU work only through a call that launched some: six compile ranges that load
// modules and allocate (cuModuleLoad, cuLibraryLoadData, cudaMalloc: no kernel, copy or memset
// joins them) are not steps; four step ranges that launch a kernel, a copy and a memset are,
// though fewer. A memset (a copy) alone makes a step too.
func TestStepFamilyNeedsLaunchedWork(t *testing.T) {
	s := newSynth()
	s.proc(10, "python3")
	for i := range int64(6) {
		at := 1000 + i*1000
		s.rng(10, "compileFusionParallel", at, 500)
		s.call(10, "cuModuleLoadData", at+10, 100)
		s.call(10, "cuLibraryLoadData", at+120, 100)
		s.call(10, "cudaMalloc_v3020", at+230, 100)
	}
	for i := range int64(4) {
		at := 10_000 + i*1000
		s.rng(10, "decode_step_"+strconv.FormatInt(i, 10), at, 500)
		switch i % 3 {
		case 0:
			s.kernel(10, "void k()", at+10, 100, 0)
		case 1:
			s.memcpy(10, "cudaMemcpyAsync_v3020", at+10, 20, 100, 0, 1, 1, 2, 4096)
		default:
			s.call(10, "cudaMemsetAsync_v3020", at+10, 20)
			m := &s.tr.Memset
			m.Start, m.End, m.GlobalPID, m.CorrID, m.Device = append(m.Start, at+40), append(m.End, at+50), m.GlobalPID.Append(synthGPID(10)), append(m.CorrID, int32(s.corr)), m.Device.Append(0)
		}
	}
	tr := s.done()
	if f, n := StepFamily(tr); f != "decode_step_N" || n != 4 {
		t.Errorf("StepFamily = %q (%d), want decode_step_N (4): the compile ranges launch nothing", f, n)
	}
	if l := LaunchedGPUWork(tr); slices.Index(l, true) < 0 || l[0] {
		t.Errorf("launched %v", l)
	}
}
