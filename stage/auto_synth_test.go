package stage

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/trace"
)

// synth builds small traces for the stage rules: processes with a title and a main thread,
// kernels (by name, start, duration, device) and NVTX push/pop ranges, launched from any thread.
type synth struct {
	tr   *trace.Trace
	ids  map[string]int64
	corr int64
}

func newSynth() *synth {
	return &synth{tr: &trace.Trace{Strings: trace.NewStrings(nil, nil)}, ids: map[string]int64{}}
}

func (s *synth) str(v string) int64 {
	if id, ok := s.ids[v]; ok {
		return id
	}
	s.ids[v] = int64(len(s.ids))
	return s.ids[v]
}

func gpidOf(pid int64) int64 { return 0x1_000000_000000 | pid<<24 }

func (s *synth) proc(pid int64, title, mainThread string) {
	g := gpidOf(pid)
	s.tr.Processes = append(s.tr.Processes, trace.Process{GlobalPID: g, PID: pid, Name: title})
	s.tr.Threads = append(s.tr.Threads, trace.Thread{GlobalTID: g | pid, Name: mainThread})
}

func (s *synth) thread(pid, tid int64, name string) {
	s.tr.Threads = append(s.tr.Threads, trace.Thread{GlobalTID: gpidOf(pid) | tid, Name: name})
}

// kernel launches a kernel from thread tid of pid (tid 0: the main thread).
func (s *synth) kernel(pid, tid int64, name string, start, dur, dev int64) {
	if tid == 0 {
		tid = pid
	}
	g, null := gpidOf(pid), trace.Null
	s.corr++
	r := &s.tr.Runtime
	r.Start, r.End, r.GlobalTID, r.CorrID, r.NameID = append(r.Start, start-5), append(r.End, start-1), r.GlobalTID.Append(g|tid), append(r.CorrID, int32(s.corr)), append(r.NameID, int32(s.str("cudaLaunchKernel_v7000")))
	k := &s.tr.Kernels
	id := s.str(name)
	k.Start, k.End, k.GlobalPID, k.CorrID, k.Device = append(k.Start, start), append(k.End, start+dur), k.GlobalPID.Append(g), append(k.CorrID, int32(s.corr)), k.Device.Append(dev)
	k.Demangled, k.Short, k.Mangled, k.GraphNodeID = append(k.Demangled, int32(id)), append(k.Short, int32(id)), append(k.Mangled, trace.Null32), append(k.GraphNodeID, null)
}

func (s *synth) rng(pid, tid int64, name string, start, dur int64) {
	if tid == 0 {
		tid = pid
	}
	n, null := &s.tr.NVTX, trace.Null
	n.Start, n.End, n.EventType = append(n.Start, start), append(n.End, start+dur), append(n.EventType, trace.NVTXPushPopRange)
	n.GlobalTID, n.EndGlobalTID = append(n.GlobalTID, gpidOf(pid)|tid), append(n.EndGlobalTID, null)
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

func stageKeys(a *Assignment) []string {
	var out []string
	for _, st := range a.Stages {
		var pids []string
		for _, g := range st.Procs {
			pids = append(pids, fmt.Sprint(trace.PID(g)))
		}
		out = append(out, st.Key+"("+strings.Join(pids, ",")+")")
	}
	return out
}

// Numbered stages come first in their number's order whatever their first GPU activity (stage 1
// starts first here), stage 0 before an unnumbered stage that started earlier; then by first
// GPU activity.
func TestStageOrder(t *testing.T) {
	s := newSynth()
	s.proc(10, "VocoderWorker", "python3")
	s.proc(20, "stage1_decoder", "python3")
	s.proc(30, "stage0_encoder", "python3")
	s.proc(40, "EmbedderWorker", "python3")
	s.kernel(10, 0, "void gemv_kernel<float>()", 100, 10, 0)
	s.kernel(20, 0, "void conv_kernel<float>()", 200, 10, 0)
	s.kernel(30, 0, "void attn_kernel<float>()", 300, 10, 0)
	s.kernel(40, 0, "void norm_kernel<float>()", 50, 10, 0)
	a := Assign(s.done(), nil)
	if got, want := stageKeys(a), []string{"encoder(30)", "decoder(20)", "embedder(40)", "vocoder(10)"}; !slices.Equal(got, want) {
		t.Errorf("stages %q, want %q", got, want)
	}
}

// A title that says nothing leaves the role to the main thread's name.
func TestRoleFromMainThread(t *testing.T) {
	s := newSynth()
	s.proc(10, "python3", "talker")
	s.proc(20, "python3", "code2wav")
	s.kernel(10, 0, "void gemv_kernel<float>()", 100, 10, 0)
	s.kernel(20, 0, "void conv_kernel<float>()", 200, 10, 0)
	a := Assign(s.done(), nil)
	if got, want := stageKeys(a), []string{"talker(10)", "code2wav(20)"}; !slices.Equal(got, want) {
		t.Errorf("stages %q, want %q", got, want)
	}
	for _, e := range a.Explained {
		if e.RoleFrom != "main thread" || e.Thread == "" {
			t.Errorf("%d: role %q from %q (thread %q)", e.PID, e.Role, e.RoleFrom, e.Thread)
		}
	}
}

// Workers that say nothing of their role are told apart by the NVTX prefix only each has
// (gemm.step vs conv.step), named so with "nvtx prefix"; the explanation gives each one's kernel
// families in percent of its kernel time, and the stage of the process it was compared with.
func TestNamesFromPrefixAndExplain(t *testing.T) {
	s := newSynth()
	s.proc(10, "python3", "python3")
	s.proc(20, "python3", "python3")
	for i := int64(0); i < 3; i++ {
		s.rng(10, 0, "gemm.step", 1000*i, 500)
		s.kernel(10, 0, "void ampere_sgemm_kernel<float>()", 1000*i+10, 300, 0)
		s.kernel(10, 0, "void at::native::vectorized_elementwise_kernel<4>()", 1000*i+320, 100, 0)
		s.rng(20, 0, "conv.step", 1000*i+50, 500)
		s.kernel(20, 0, "void cudnn::conv2d_fprop_kernel<float>()", 1000*i+60, 200, 1)
	}
	a := Assign(s.done(), nil)
	if got, want := stageKeys(a), []string{"gemm(10)", "conv(20)"}; !slices.Equal(got, want) {
		t.Fatalf("stages %q, want %q", got, want)
	}
	byPID := map[int64]Explained{}
	for _, e := range a.Explained {
		byPID[e.PID] = e
	}
	if e := byPID[10]; e.NamedBy != "nvtx prefix" || !slices.Equal(e.Kernels, []string{"gemm 75%", "elementwise 25%"}) {
		t.Errorf("pid 10: named by %q, kernels %q", e.NamedBy, e.Kernels)
	}
	e := byPID[20]
	if len(e.Comparison) != 1 || e.Comparison[0].PID != 10 || e.Comparison[0].Stage != "gemm" || e.Comparison[0].Alike {
		t.Errorf("pid 20 compared with %+v, want pid 10 of stage gemm, not alike", e.Comparison)
	}
	if c := e.Comparison[0]; c.Kernels != 0 || c.Ranges != 0 {
		t.Errorf("no kernel or range in common: overlap %v, jaccard %v", c.Kernels, c.Ranges)
	}
}

// Two stages of one role that nothing else tells apart are numbered in order: talker0, talker1.
func TestSameRoleNumbered(t *testing.T) {
	s := newSynth()
	s.proc(10, "talker", "talker")
	s.proc(20, "talker", "talker")
	s.kernel(10, 0, "void a_kernel<float>()", 100, 10, 0)
	s.kernel(20, 0, "void b_kernel<float>()", 200, 10, 1)
	a := Assign(s.done(), nil)
	if got, want := stageKeys(a), []string{"talker0(10)", "talker1(20)"}; !slices.Equal(got, want) {
		t.Errorf("stages %q, want %q", got, want)
	}
}

// round2 rounds halves away from zero to two decimals; -1 (not comparable) stays -1.
func TestRound2(t *testing.T) {
	for x, want := range map[float64]float64{0: 0, 1: 1, 0.125: 0.13, 0.124: 0.12, 0.994: 0.99, 0.995: 1, 0.5: 0.5, 0.333333: 0.33, -1: -1, -0.125: -0.13} {
		if got := round2(x); got != want {
			t.Errorf("round2(%v) = %v, want %v", x, got, want)
		}
	}
}

// A process with two launching threads: a thread rule takes one thread's calls into its own
// stage, the other thread's calls stay with the process's stage; cut by stage and by thread, the
// kernels and calls add up to the trace's, each exactly once.
func TestTwoLaunchingThreads(t *testing.T) {
	s := newSynth()
	s.proc(10, "stage0_talker", "python3")
	s.thread(10, 11, "prefill")
	s.thread(10, 12, "decode")
	s.proc(20, "stage1_code2wav", "python3")
	for i := int64(0); i < 4; i++ {
		s.kernel(10, 11, "void prefill_kernel<float>()", 100+100*i, 10, 0)
		s.kernel(10, 12, "void decode_kernel<float>()", 150+100*i, 20, 0)
		s.kernel(10, 12, "void decode_kernel<float>()", 175+100*i, 5, 0)
		s.kernel(20, 0, "void conv_kernel<float>()", 160+100*i, 7, 0)
	}
	// a process with CUDA calls but no GPU work and no range is in no stage: its rows are Other
	s.proc(30, "helper", "helper")
	r := &s.tr.Runtime
	r.Start, r.End, r.GlobalTID, r.CorrID, r.NameID = append(r.Start, 5), append(r.End, 9), r.GlobalTID.Append(gpidOf(30)|30), append(r.CorrID, 1), append(r.NameID, int32(s.str("cudaMalloc")))
	tr := s.done()
	rule, err := ParseRule("prefill=thread:^prefill$")
	if err != nil {
		t.Fatal(err)
	}
	a := Assign(tr, []Rule{rule})
	sum := func(sub *trace.Trace) (n int, d int64) {
		for i := range sub.Kernels.Start {
			n++
			d += sub.Kernels.End[i] - sub.Kernels.Start[i]
		}
		return n, d
	}
	want := map[By]map[string][2]int64{
		ByStage:   {"prefill": {4, 40}, "talker": {8, 100}, "code2wav": {4, 28}},
		ByProcess: {"stage0_talker (10)": {12, 140}, "stage1_code2wav (20)": {4, 28}},
		ByThread:  {"prefill (10/11)": {4, 40}, "decode (10/12)": {8, 100}, "python3 (20/20)": {4, 28}},
	}
	for _, by := range []By{ByStage, ByThread, ByProcess} {
		g, err := Group(tr, by, a)
		if err != nil {
			t.Fatal(err)
		}
		total, calls := 0, 0
		got := map[string][2]int64{}
		for i, l := range g.Labels {
			sub := tr.Subset(g.Keep[i])
			n, d := sum(sub)
			total += n
			calls += sub.Runtime.Len()
			if n > 0 {
				got[l] = [2]int64{int64(n), d}
			}
		}
		if total != tr.Kernels.Len() || calls != tr.Runtime.Len() {
			t.Errorf("--by %s: %d kernels and %d calls in the groups, %d and %d in the trace", by, total, calls, tr.Kernels.Len(), tr.Runtime.Len())
		}
		if w := want[by]; len(w) > 0 && fmt.Sprint(got) != fmt.Sprint(w) {
			t.Errorf("--by %s: %v, want %v", by, got, w)
		}
		switch by {
		case ByStage: // the assignment's order (rules first), Other last
			if want := []string{"prefill", "talker", "code2wav", Other}; !slices.Equal(g.Labels, want) {
				t.Errorf("--by stage labels %q, want %q", g.Labels, want)
			}
			if sub := tr.Subset(g.Keep[3]); sub.Runtime.Len() != 1 || sub.Kernels.Len() != 0 {
				t.Errorf("Other: %d calls, %d kernels; want the helper's call", sub.Runtime.Len(), sub.Kernels.Len())
			}
		default: // by label
			if !slices.IsSorted(g.Labels) || len(g.Labels) < 3 {
				t.Errorf("--by %s labels %q, not sorted", by, g.Labels)
			}
		}
		if by == ByThread && len(got) != 3 {
			t.Errorf("--by thread: %d groups with kernels, want 3 (two threads of one process, one of another): %v", len(got), got)
		}
	}
}

// cleanRange keeps a range's last ':' part (when something follows the ':') up to its first
// '(' or blank (when something precedes it).
func TestCleanRange(t *testing.T) {
	for in, want := range map[string]string{
		"omnistat:talker.decode_step": "talker.decode_step", "a:b": "b", "a:": "a:", ":b": "b", "a:b:c": "c",
		"step(3)": "step", "(x)": "(x)", "a b": "a", " a": " a", "d:execute_context_1(5)": "execute_context_1", "x": "x", "": "",
	} {
		if got := cleanRange(in); got != want {
			t.Errorf("cleanRange(%q) = %q, want %q", in, got, want)
		}
	}
}

// completeCut: only a title of exactly 15 characters is cut, only a role of 3 letters or more
// is completed, to the shortest role word it begins.
func TestCompleteCut(t *testing.T) {
	fifteen := "vLLM-Omni::Diff"
	for _, c := range []struct{ title, role, want string }{
		{fifteen, "dif", "diffusion"}, {fifteen, "di", "di"}, {fifteen, "dec", "decode"}, {fifteen, "deno", "denoise"},
		{fifteen, "talker", "talker"}, {fifteen, "xyz", "xyz"}, {fifteen + "x", "dif", "dif"}, {fifteen[:14], "dif", "dif"},
	} {
		if got := completeCut(c.title, c.role); got != c.want {
			t.Errorf("completeCut(%q, %q) = %q, want %q", c.title, c.role, got, c.want)
		}
	}
	if got := Role("/talker"); got != "talker" {
		t.Errorf(`Role("/talker") = %q`, got)
	}
}

// --by device: devices in id order whatever order they appear in (2, 0, 1), named when the trace
// names them, then the host; a call goes with the device of the first operation it launched,
// one that launched nothing and every NVTX range are host rows.
func TestGroupByDevice(t *testing.T) {
	s := newSynth()
	s.proc(10, "worker", "worker")
	s.kernel(10, 0, "k2", 100, 10, 2)
	s.kernel(10, 0, "k0", 200, 20, 0)
	s.kernel(10, 0, "k1", 300, 40, 1)
	s.rng(10, 0, "step", 90, 300)
	tr := s.done()
	// the call of the k2 kernel also launched a copy on device 0: it stays with device 2
	m := &tr.Memcpy
	m.Start, m.End, m.GlobalPID, m.CorrID, m.Device = []int64{120}, []int64{125}, trace.CodesOf([]int64{gpidOf(10)}), trace.CorrIDs{1}, trace.CodesOf([]int64{0})
	m.Bytes, m.CopyKind, m.SrcKind, m.DstKind, m.GraphNodeID = []int64{8}, []int64{1}, []int64{0}, []int64{1}, []int64{trace.Null}
	r := &tr.Runtime
	r.Start, r.End, r.GlobalTID, r.CorrID, r.NameID = append(r.Start, 50), append(r.End, 60), r.GlobalTID.Append(gpidOf(10)|10), append(r.CorrID, 99), append(r.NameID, 0)
	tr.GPUs = []trace.GPU{{ID: 0, Name: "H200"}, {ID: 2, Name: "A100"}}
	g, err := Group(tr, ByDevice, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"GPU 0 (H200)", "GPU 1", "GPU 2 (A100)", Host}; !slices.Equal(g.Labels, want) {
		t.Fatalf("labels %q, want %q", g.Labels, want)
	}
	for i, want := range []struct{ calls, kernels, copies, ranges int }{{1, 1, 1, 0}, {1, 1, 0, 0}, {1, 1, 0, 0}, {1, 0, 0, 1}} {
		sub := tr.Subset(g.Keep[i])
		ranges := 0
		for j := range sub.NVTX.Start {
			if trace.IsRange(sub.NVTX.EventType[j]) {
				ranges++
			}
		}
		if sub.Runtime.Len() != want.calls || sub.Kernels.Len() != want.kernels || sub.Memcpy.Len() != want.copies || ranges != want.ranges {
			t.Errorf("%s: %d calls, %d kernels, %d copies, %d ranges; want %+v", g.Labels[i], sub.Runtime.Len(), sub.Kernels.Len(), sub.Memcpy.Len(), ranges, want)
		}
	}
	// the call that launched k2 (and the copy) is in GPU 2's group
	sub := tr.Subset(g.Keep[2])
	if sub.Runtime.Len() != 1 || sub.Runtime.CorrID[0] != 1 {
		t.Errorf("GPU 2's call: %v", sub.Runtime.CorrID)
	}
}

// Family keeps digits next to a letter, A–Z and a–z both ends included, and turns the others
// into N; KernelFamily cuts a name at its first bracket and after its last '::', even at the
// name's start.
func TestFamilyEdges(t *testing.T) {
	for in, want := range map[string]string{
		"a1": "a1", "z1": "z1", "A1": "A1", "Z1": "Z1", "1a": "1a", "1z": "1z", "1A": "1A", "1Z": "1Z",
		"@1": "@N", "[1": "[N", "`1": "`N", "{1": "{N", "1@": "N@", "1[": "N[", "1`": "N`", "1{": "N{",
		"step 0": "step N", "step 9": "step N", "step 09": "step N", "/:": "/:",
	} {
		if got := Family(in); got != want {
			t.Errorf("Family(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"(anonymous namespace)::k": "kernel", "::foo_bar": "foo", "[x]": "kernel", "ns::my_kernel<int>": "my"} {
		if got := KernelFamily(in); got != want {
			t.Errorf("KernelFamily(%q) = %q, want %q", in, got, want)
		}
	}
}

// An operation whose launching call is not in the trace goes with its process's main thread, so
// with its process's stage; processes compared where one has no NVTX range say -1 for ranges.
func TestOrphanOperationAndPeers(t *testing.T) {
	s := newSynth()
	s.proc(10, "stage0_talker", "python3")
	s.thread(10, 11, "prefill")
	s.proc(20, "stage1_code2wav", "python3")
	s.kernel(10, 11, "void prefill_kernel<float>()", 100, 10, 0)
	s.kernel(20, 0, "void conv_kernel<float>()", 160, 7, 0)
	tr := s.done()
	k := &tr.Kernels // a kernel of process 20 whose call was not captured
	k.Start, k.End, k.GlobalPID, k.CorrID, k.Device = append(k.Start, 300), append(k.End, 350), k.GlobalPID.Append(gpidOf(20)), append(k.CorrID, 9999), k.Device.Append(0)
	k.Demangled, k.Short, k.Mangled, k.GraphNodeID = append(k.Demangled, int32(k.Demangled[1])), append(k.Short, int32(k.Short[1])), append(k.Mangled, trace.Null32), append(k.GraphNodeID, trace.Null)
	rule, _ := ParseRule("prefill=thread:^prefill$")
	a := Assign(tr, []Rule{rule})
	g, err := Group(tr, ByStage, a)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for i, l := range g.Labels {
		got[l] = tr.Subset(g.Keep[i]).Kernels.Len()
	}
	if got["code2wav"] != 2 || got["prefill"] != 1 || got["talker"] != 0 {
		t.Errorf("kernels by stage %v, want code2wav 2 (its own and the orphan), prefill 1", got)
	}
	// two talkers, neither with a range: compared, ranges -1, kernels 0 (none in common)
	s = newSynth()
	s.proc(10, "talker", "talker")
	s.proc(20, "talker", "talker")
	s.kernel(10, 0, "void a_kernel<float>()", 100, 10, 0)
	s.kernel(20, 0, "void b_kernel<float>()", 200, 10, 1)
	a = Assign(s.done(), nil)
	for _, e := range a.Explained {
		if e.PID == 20 && (len(e.Comparison) != 1 || e.Comparison[0].Ranges != -1 || e.Comparison[0].Kernels != 0) {
			t.Errorf("pid 20 compared: %+v, want ranges -1 and kernels 0 against pid 10", e.Comparison)
		}
	}
}

// KernelOverlap, RangeJaccard and Alike against their definitions, at exactly the thresholds: the
// overlap sums the smaller share of each kernel both ran; the Jaccard index is shared range
// families over all of them; alike means at least 0.5 of each where both have them.
func TestSignatureMeasures(t *testing.T) {
	sig := func(k map[string]int64, r ...string) *Signature {
		s := &Signature{Kernels: k, Ranges: map[string]int64{}}
		for _, v := range k {
			s.KernelNs += v
		}
		for _, x := range r {
			s.Ranges[x] = 1
		}
		return s
	}
	a := sig(map[string]int64{"x": 50, "y": 30, "z": 20}, "r1", "r2")
	b := sig(map[string]int64{"x": 10, "y": 60, "w": 30}, "r2", "r3", "r4")
	if k, ok := KernelOverlap(a, b); !ok || math.Abs(k-(0.1+0.3)) > 1e-12 {
		t.Errorf("KernelOverlap = %v %v, want 0.4 (x: min(.5,.1), y: min(.3,.6))", k, ok)
	}
	if r, ok := RangeJaccard(a, b); !ok || r != 0.25 {
		t.Errorf("RangeJaccard = %v %v, want 1/4", r, ok)
	}
	none := sig(map[string]int64{})
	if _, ok := KernelOverlap(a, none); ok {
		t.Error("KernelOverlap with a process without kernels")
	}
	if _, ok := KernelOverlap(none, a); ok {
		t.Error("KernelOverlap of a process without kernels")
	}
	if _, ok := RangeJaccard(none, a); ok {
		t.Error("RangeJaccard with a process without ranges")
	}
	// exactly 0.5 of each: alike; under either: not
	half := sig(map[string]int64{"x": 50, "q": 50}, "r1", "r9")
	full := sig(map[string]int64{"x": 100}, "r1")
	if k, _ := KernelOverlap(half, full); k != 0.5 || !Alike(half, full) {
		t.Errorf("overlap %v, Jaccard 0.5: alike %v, want true", k, Alike(half, full))
	}
	less := sig(map[string]int64{"x": 49, "q": 51}, "r1", "r9")
	if Alike(less, full) {
		t.Error("overlap 0.49: alike")
	}
	third := sig(map[string]int64{"x": 100}, "r1", "r8", "r9")
	if Alike(third, full) {
		t.Error("Jaccard 1/3: alike")
	}
	if Alike(sig(map[string]int64{"x": 1}), sig(map[string]int64{"y": 1})) {
		t.Error("kernels with nothing in common: alike")
	}
	if !Alike(none, sig(map[string]int64{})) {
		t.Error("two processes with neither kernels nor ranges: not alike")
	}
}

// A process's signature: range time by family with an unended range lasting to the last NVTX
// timestamp; a process without GPU work starts at its first range or CUDA call, whichever is
// first; a rule's stage has no number; an invalid rule names its line.
func TestSignatureRangesAndStart(t *testing.T) {
	s := newSynth()
	s.proc(10, "talker", "talker")
	s.proc(20, "helper", "helper")
	s.kernel(10, 0, "void k<float>()", 500, 10, 0)
	s.rng(10, 0, "step 1", 100, 50)
	s.rng(10, 0, "step 2", 200, 30)
	s.rng(20, 0, "wait", 200, 5)
	s.proc(30, "poller", "poller")
	s.rng(30, 0, "poll", 400, 5)
	tr := s.done()
	tr.NVTX.End[2] = trace.Null // the helper's range never ended: it lasts to 1000
	tr.NVTX.Start = append(tr.NVTX.Start, 1000)
	n := &tr.NVTX
	n.End, n.EventType, n.GlobalTID, n.EndGlobalTID = append(n.End, trace.Null), append(n.EventType, 34), append(n.GlobalTID, gpidOf(10)|10), append(n.EndGlobalTID, trace.Null)
	n.RangeID, n.Category, n.Color, n.TextID, n.Text, n.DomainID, n.Payload = append(n.RangeID, trace.Null), append(n.Category, trace.Null), append(n.Color, trace.Null), append(n.TextID, 0), append(n.Text, -1), append(n.DomainID, 0), append(n.Payload, trace.Null)
	r := &tr.Runtime // the helper also made a CUDA call at 250
	r.Start, r.End, r.GlobalTID, r.CorrID, r.NameID = append(r.Start, 250), append(r.End, 260), r.GlobalTID.Append(gpidOf(20)|20), append(r.CorrID, 777), append(r.NameID, 0)
	r.Start, r.End, r.GlobalTID, r.CorrID, r.NameID = append(r.Start, 220), append(r.End, 230), r.GlobalTID.Append(gpidOf(30)|30), append(r.CorrID, 778), append(r.NameID, 0)
	sigs := signatures(tr, []int64{gpidOf(10), gpidOf(20), gpidOf(30)})
	if got := sigs[gpidOf(30)].FirstGPU; got != 220 {
		t.Errorf("poller starts at %d, want 220 (its CUDA call, before its range)", got)
	}
	if got := sigs[gpidOf(10)].Ranges["step N"]; got != 80 {
		t.Errorf("talker's step N: %d ns, want 80", got)
	}
	if got := sigs[gpidOf(20)].Ranges["wait"]; got != 800 {
		t.Errorf("helper's unended range: %d ns, want 800 (to the last NVTX timestamp)", got)
	}
	if got := sigs[gpidOf(20)].FirstGPU; got != 200 {
		t.Errorf("helper starts at %d, want 200 (its range, before its CUDA call)", got)
	}
	if got := sigs[gpidOf(10)].FirstGPU; got != 500 {
		t.Errorf("talker starts at %d, want 500 (its first kernel, not its ranges)", got)
	}
	rule, _ := ParseRule("helpers=proc:^(helper|poller)$")
	tr.NVTX.End[2] = 205
	if a := Assign(tr, []Rule{rule}); len(a.Stages) == 0 || a.Stages[0].Key != "helpers" || a.Stages[0].Order != -1 {
		t.Errorf("rule stage %+v, want helpers without a number (-1)", a.Stages)
	}
	threadRule, _ := ParseRule("main=thread:^talker$")
	if a := Assign(tr, []Rule{threadRule}); len(a.Stages) == 0 || a.Stages[0].Key != "main" || a.Stages[0].Order != -1 {
		t.Errorf("thread rule stage %+v, want main without a number (-1)", a.Stages)
	}
	if _, err := ParseRules(strings.NewReader("a=pid:1\n\n# c\nbad\n")); err == nil || !strings.Contains(err.Error(), "line 4") {
		t.Errorf("ParseRules: %v, want line 4", err)
	}
}

// The NVTX prefix that names a stage is the one with the most range time, a range never ended
// lasting to the last NVTX timestamp: b.y (600 ns) over a.x (500 ns to the end at 1000).
func TestPrefixByRangeTime(t *testing.T) {
	s := newSynth()
	s.proc(10, "python3", "python3")
	s.kernel(10, 0, "void k<float>()", 100, 10, 0)
	s.rng(10, 0, "b.y", 0, 600)
	s.rng(10, 0, "a.x", 500, 0)
	s.rng(10, 0, "c.z", 1000, 0)
	s.proc(20, "python3", "python3") // another worker of no role, to be told apart from
	s.kernel(20, 0, "void k2<float>()", 200, 10, 0)
	s.rng(20, 0, "d.w", 0, 100)
	tr := s.done()
	tr.NVTX.End[1] = trace.Null
	if got := stageKeys(Assign(tr, nil)); len(got) != 2 || got[0] != "b(10)" {
		t.Errorf("stages %q, want b(10) first", got)
	}
}

// tidyName trims everything but ASCII letters and digits (both ends of each range) and non-ASCII
// from a name's ends; cutTitle takes a path's file name, also of a path at the root.
func TestTidyAndCutTitle(t *testing.T) {
	for in, want := range map[string]string{
		"`a{": "a", "@Z[": "Z", "/0:": "0", "9;": "9", "z|": "z", "\x7fx\x7f": "x", "éx,": "éx", "(step),": "step", "Az09": "Az09", ",.": "",
	} {
		if got := tidyName(in); got != want {
			t.Errorf("tidyName(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"/talker": "talker", "./bin/vocoder": "vocoder"} {
		if got := cutTitle(in); got != want {
			t.Errorf("cutTitle(%q) = %q, want %q", in, got, want)
		}
	}
}
