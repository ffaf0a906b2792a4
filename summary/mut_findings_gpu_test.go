package summary

import (
	"strings"
	"testing"
)

// launchTraceA is n kernels of dur ns on device 0, one every `every` ns from 10,000 ns, each
// launched by a 4 ns cudaLaunchKernel call (synth.kernel); no steps.
func launchTraceA(n int, every, dur int64) *synth {
	s := newSynth()
	s.proc(10, "worker")
	for i := range int64(n) {
		s.kernel(10, "void k()", 10_000+i*every, dur, 0)
	}
	return s
}

// stepKernelsA is a warm-up step of 10 ms (a kernel inside) and three 1 ms steady steps from
// 10 ms on; 100 kernels of 1,000 ns, one every 29,000 ns from 10 ms + 5 ns (the first one's
// launch call starts exactly at the steady window's start), all inside the steady steps. tail
// adds a kernel at 20 ms, after the steps; atStart a kernel that starts exactly at 10 ms.
func stepKernelsA(tail, atStart bool) *synth {
	s := newSynth()
	s.proc(10, "worker")
	s.rng(10, "iter", 0, 10_000_000)
	for i := range int64(3) {
		s.rng(10, "iter", 10_000_000+i*1_000_000, 1_000_000)
	}
	s.kernel(10, "void warm()", 1000, 1000, 0)
	for i := range int64(100) {
		s.kernel(10, "void k()", 10_000_005+i*29_000, 1000, 0)
	}
	if tail {
		s.kernel(10, "void k()", 20_000_000, 1000, 0)
	}
	if atStart {
		s.kernel(10, "void k()", 10_000_000, 1000, 0)
	}
	return s
}

// launch_bound (launchFinding's doc): at least 100 launches outside graphs with the GPU under
// --low-util; its value is the launches' CPU time, its message the kernels' time and median, its
// time at stake the idle time of the steady window (no steps).
func TestLaunchFindingFiguresA(t *testing.T) {
	j := judgeOfSynthA(launchTraceA(100, 10_000, 1000), DefaultFindingOptions)
	fs := j.launchFinding()
	if len(fs) != 1 {
		t.Fatalf("100 launches: %+v", fs)
	}
	f := fs[0]
	// 100 calls of 4 ns; the window 99 × 10,000 + 1,000 ns, busy 100 × 1,000 ns (10.1%)
	if f.Value != 400 || f.ImpactNs != 991_000-100_000 {
		t.Errorf("value %v impact %d, want 400 and 891,000", f.Value, f.ImpactNs)
	}
	if want := "100 launches outside CUDA graphs take 400 ns of CPU time against 100,000 ns of GPU time for their 100 kernels (median kernel 1,000.0 ns)"; !strings.HasPrefix(f.Message, want) {
		t.Errorf("message %q\nwant it to start %q", f.Message, want)
	}
	if !strings.HasSuffix(f.Message, ", 10.1% in steady state") || f.cause != "idle:the GPU" {
		t.Errorf("message %q cause %q", f.Message, f.cause)
	}
	if fs := judgeOfSynthA(launchTraceA(99, 10_000, 1000), DefaultFindingOptions).launchFinding(); len(fs) != 0 {
		t.Errorf("99 launches: %+v", fs)
	}
	// two GPUs: the idle time of all
	s := launchTraceA(100, 10_000, 1000)
	s.kernel(10, "void k()", 5000, 1000, 1)
	if fs := judgeOfSynthA(s, DefaultFindingOptions).launchFinding(); len(fs) != 1 || fs[0].cause != "idle:all" {
		t.Errorf("two GPUs: %+v", fs)
	}
}

// The GPU busy exactly --low-util percent is not launch-bound; 0.1 point more is.
func TestLaunchFindingBusyThresholdA(t *testing.T) {
	o := DefaultFindingOptions
	for _, c := range []struct {
		low  float64
		want bool
	}{{10.1, false}, {10.2, true}} { // busy 100,000 of 991,000 ns: 10.1%
		o.LowUtil = c.low
		if got := len(judgeOfSynthA(launchTraceA(100, 10_000, 1000), o).launchFinding()) == 1; got != c.want {
			t.Errorf("--low-util %v: launch_bound %v, want %v", c.low, got, c.want)
		}
	}
}

// Launch-bound needs the launches' CPU time to reach the kernels' GPU time, or a median kernel
// under 10,000 ns: a median of exactly 10,000 ns with little CPU time is not; CPU time equal to
// the GPU time is.
func TestLaunchFindingKernelTimeA(t *testing.T) {
	for _, c := range []struct {
		dur, call int64
		want      bool
	}{{10_000, 4, false}, {9_999, 4, true}, {20_000, 20_000, true}, {20_000, 19_999, false}} {
		s := launchTraceA(100, 100_000, c.dur)
		r := &s.tr.Runtime
		for i := range r.Start {
			r.End[i] = r.Start[i] + c.call
		}
		if got := len(judgeOfSynthA(s, DefaultFindingOptions).launchFinding()) == 1; got != c.want {
			t.Errorf("kernels of %d ns, calls of %d ns: launch_bound %v, want %v", c.dur, c.call, got, c.want)
		}
	}
}

// Kernels of CUDA graphs (a graph node id other than NULL and 0) are not the launches' kernels.
func TestLaunchFindingSkipsGraphKernelsA(t *testing.T) {
	s := launchTraceA(105, 10_000, 1000)
	k := &s.tr.Kernels
	for i := range k.GraphNodeID {
		switch {
		case i < 10:
			k.GraphNodeID[i] = 0
		case i >= 100:
			k.GraphNodeID[i] = 7
		}
	}
	fs := judgeOfSynthA(s, DefaultFindingOptions).launchFinding()
	if len(fs) != 1 || !strings.Contains(fs[0].Message, "against 100,000 ns of GPU time for their 100 kernels") {
		t.Errorf("%+v", fs)
	}
}

// In steady state after a warm-up, the launches and kernels counted start at the steady window's
// start or later, and the time at stake is the idle time inside the steps, less the part of the
// gaps the steps cover.
func TestLaunchFindingSteadyWindowA(t *testing.T) {
	fs := judgeOfSynthA(stepKernelsA(false, false), DefaultFindingOptions).launchFinding()
	// 3 ms of steps, 100,000 ns of kernels inside them
	if len(fs) != 1 || fs[0].ImpactNs != 3_000_000-100_000 || !strings.Contains(fs[0].Message, "100 launches outside CUDA graphs take 400 ns") {
		t.Fatalf("%+v", fs)
	}
	if !strings.HasSuffix(fs[0].Message, ", 3.3% inside the steps") {
		t.Errorf("message %q", fs[0].Message)
	}
	fs = judgeOfSynthA(stepKernelsA(false, true), DefaultFindingOptions).launchFinding()
	if len(fs) != 1 || !strings.Contains(fs[0].Message, "for their 101 kernels") {
		t.Errorf("a kernel at the steady start: %+v", fs)
	}
	// the tail kernel leaves a gap from the last kernel's end (12,872,005) to 20 ms, longer
	// than the 1 ms step; the steps cover 127,995 ns of it
	j := judgeOfSynthA(stepKernelsA(true, false), DefaultFindingOptions)
	fs = j.launchFinding()
	if want := int64(3_000_000 - 100_000 - (13_000_000 - 12_872_005)); len(fs) != 1 || fs[0].ImpactNs != want {
		t.Errorf("with a gap: %+v, want impact %d", fs, want)
	}
	// without steps a gap counts whole: one gap of 49,000 ns over --gap-ms 20,000
	s := newSynth()
	s.proc(10, "worker")
	for i := range int64(100) {
		at := 10_000 + i*10_000
		if i >= 50 {
			at += 40_000
		}
		s.kernel(10, "void k()", at, 1000, 0)
	}
	o := DefaultFindingOptions
	o.GapNs = 20_000
	fs = judgeOfSynthA(s, o).launchFinding()
	if want := int64(99*10_000 + 40_000 + 1000 - 100_000 - 49_000); len(fs) != 1 || fs[0].ImpactNs != want {
		t.Errorf("no steps, one gap: %+v, want impact %d", fs, want)
	}
}

// A launch call that starts exactly at the steady window's start counts: 100 launches there.
func TestLaunchAtTheSteadyStartA(t *testing.T) {
	j := judgeOfSynthA(stepKernelsA(false, false), DefaultFindingOptions)
	if j.from != 10_000_000 {
		t.Fatalf("steady from %d", j.from)
	}
	r := &j.tr.Runtime
	n := 0
	for i := range r.Start {
		if r.Start[i] >= j.from {
			n++
		}
	}
	if n != 100 || len(j.launchFinding()) != 1 {
		t.Errorf("%d launches from the steady start; finding %v", n, j.launchFinding())
	}
}

// low_gpu_util with one GPU and steps adds the busy share inside the steps; the advice says the
// GPU waits between steps when that share is at least --low-util.
func TestUtilFindingStepsA(t *testing.T) {
	o := DefaultFindingOptions
	for _, c := range []struct {
		low     float64
		between bool
	}{{3.3, true}, {3.4, false}} { // inside the steps 100,000 of 3,000,000 ns: 3.3%; steady 1.0%
		o.LowUtil = c.low
		j := judgeOfSynthA(stepKernelsA(true, false), o)
		fs := j.utilFinding(j.gpus[0])
		if len(fs) != 1 || !strings.HasSuffix(fs[0].Message, "; inside its :iter steps 3.3%") {
			t.Fatalf("--low-util %v: %+v", c.low, fs)
		}
		if got := strings.HasPrefix(fs[0].Advice, "the GPU is busy while a step runs"); got != c.between {
			t.Errorf("--low-util %v: advice %q", c.low, fs[0].Advice)
		}
	}
}

// A GPU whose work all ran in the warm-up has no steady window: no low_gpu_util for it.
func TestUtilFindingNoSteadyWindowA(t *testing.T) {
	s := newSynth()
	s.proc(10, "worker")
	for i, d := range []int64{10_000_000, 10_000_000, 1_000_000, 1_000_000} {
		at := int64(i) * 20_000_000
		s.rng(10, "iter", at, d)
		if i < 2 {
			s.kernel(10, "void k()", at+1000, 1000, 0)
		}
	}
	j := judgeOfSynthA(s, DefaultFindingOptions)
	if j.steps.Warmup != 2 || len(j.gpus) != 1 || j.gpus[0].sDur() != 0 {
		t.Fatalf("steps %+v gpus %+v", j.steps, j.gpus)
	}
	if fs := j.utilFinding(j.gpus[0]); len(fs) != 0 {
		t.Errorf("%+v", fs)
	}
}

// Without kernels (copies only) there is no cuda_graphs finding.
func TestNoKernelsNoGraphFindingA(t *testing.T) {
	s := newSynth()
	s.proc(10, "worker")
	s.memcpy(10, "cudaMemcpyAsync_v3020", 1000, 100, 5000, 0, 1, 1, 2, 1<<20)
	j := judgeOfSynthA(s, DefaultFindingOptions)
	if len(j.gpus) != 1 {
		t.Fatalf("gpus %+v", j.gpus)
	}
	for _, f := range j.gpuFindings() {
		if f.ID == "cuda_graphs" {
			t.Errorf("%+v", f)
		}
	}
}
