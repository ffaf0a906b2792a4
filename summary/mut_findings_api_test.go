package summary

import (
	"math"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/trace"
)

// isLaunch: the launch calls (with or without a CUPTI _v suffix), nothing else.
func TestIsLaunchA(t *testing.T) {
	for name, want := range map[string]bool{"cudaLaunchKernel": true, "cuLaunchKernel_v2": true, "cudaGraphLaunch": true,
		"cudaMalloc": false, "cudaLaunchHostFunc": false, "cudaMemcpyAsync": false} {
		if got := isLaunch(name); got != want {
			t.Errorf("isLaunch(%q) = %v, want %v", name, got, want)
		}
	}
}

// stepGapsA is four 100 µs steps with a kernel each (1,000 ns); the kernels are 199,000 ns apart:
// longer than a step, shorter than the 1 ms floor.
func stepGapsA() *trace.Trace {
	s := newSynth()
	s.proc(10, "worker")
	for i := range int64(4) {
		s.rng(10, "iter", i*200_000, 100_000)
		s.kernel(10, "void k()", i*200_000+1000, 1000, 0)
	}
	return s.done()
}

// The gap floor (FindingOptions.GapFloorNs): 0 means the default 1 ms, under which the 199,000 ns
// gaps are not reported; a floor of 150,000 ns set by the caller is kept, and they are.
func TestGapFloorDefaultA(t *testing.T) {
	tr := stepGapsA()
	o := DefaultFindingOptions
	o.GapFloorNs = 0
	if f := findingByID(Findings(tr, "trace", o), "gpu_gap"); f != nil {
		t.Errorf("floor 0 (the default 1 ms): %+v", f)
	}
	o.GapFloorNs = 150_000
	if f := findingByID(Findings(tr, "trace", o), "gpu_gap"); f == nil {
		t.Error("floor 150,000 ns: no gpu_gap for gaps of 199,000 ns")
	}
}

// The copy share (FindingOptions.CopyShare): 0 means the default 50%, which copies filling 10%
// of the busy time do not reach; at 10% they do.
func TestCopyShareDefaultA(t *testing.T) {
	s := newSynth()
	s.proc(10, "worker")
	s.kernel(10, "void k()", 1000, 9_000_000, 0)
	s.memcpy(10, "cudaMemcpyAsync_v3020", 10_000_000, 100, 1_000_000, 0, 1, 1, 2, 1<<20)
	tr := s.done()
	o := DefaultFindingOptions
	o.CopyShare = 0
	if f := findingByID(Findings(tr, "trace", o), "memcpy_bound"); f != nil {
		t.Errorf("copy share 0 (the default 50%%): %+v", f)
	}
	o.CopyShare = 10
	if f := findingByID(Findings(tr, "trace", o), "memcpy_bound"); f == nil {
		t.Error("copy share 10%: no memcpy_bound for copies at 10%")
	}
}

// sync_api counts the driver API's synchronize calls, which nsys's rule does not list; the
// dominant API's message gives its average call.
func TestAPIFindingsCountsA(t *testing.T) {
	type call = struct {
		name string
		d    int64
	}
	tr := synthAPI([]call{{"cudaMalloc", 800}, {"cuStreamSynchronize", 150}, {"cudaStreamSynchronize", 50}})
	f := findingByID(Findings(tr, "trace", DefaultFindingOptions), "sync_api")
	if want := "2 synchronization calls take 20.0% of CUDA API time (200 ns); 1 of them through the driver API"; f == nil || !strings.HasPrefix(f.Message, want) {
		t.Errorf("sync_api %+v, want it to start %q", f, want)
	}
	var cs []call
	for range 10 {
		cs = append(cs, call{"cudaMemcpyAsync_v3020", 100_000 + int64(len(cs))*2}) // 1,000,090 ns in all
	}
	tr = synthAPI(append(cs, call{"cuEventQuery", 7_000}))
	f = findingByID(Findings(tr, "trace", DefaultFindingOptions), "dominant_api")
	if want := "(10 calls, avg 100,009.0 ns)"; f == nil || !strings.Contains(f.Message, want) {
		t.Errorf("dominant_api %+v, want %q", f, want)
	}
}

// The dominant API is a warm-up cost when at least half of its time falls inside the warm-up
// steps: warmupTrace's copies take 4 s before the steps, 10 µs in each of the 8 steps, and
// inWarmup more in the first step.
func TestDominantWarmupHalfA(t *testing.T) {
	for _, c := range []struct {
		in   int64
		warm bool
	}{{4_000_040_000, true}, {4_000_039_999, false}} {
		// inside: 20,000 + in; all: 4,000,080,000 + in; 2 × inside == all at in = 4,000,040,000
		tr := warmupTrace(c.in).done()
		j := newJudge(tr, "trace", DefaultFindingOptions, trace.GPUSpans(tr), StepsOf(tr))
		if w := j.warmupTime("cudaMemcpy"); w != 20_000+c.in {
			t.Fatalf("warm-up time %d, want %d", w, 20_000+c.in)
		}
		var f *Finding
		for _, x := range j.apiFindings() {
			if x.ID == "dominant_api" {
				f = &x
			}
		}
		if f == nil || (f.cause == "warmup") != c.warm {
			t.Errorf("%d ns in the warm-up: %+v, want a warm-up cost %v", c.in, f, c.warm)
		}
	}
}

// deviceCopies: the copies of the API (joined to its calls) all device-to-device, at least one;
// the first call of the trace (row 0) joins like any other.
func TestDeviceCopiesA(t *testing.T) {
	s := newSynth()
	s.proc(10, "worker")
	s.memcpy(10, "cudaMemcpyAsync_v3020", 1000, 100, 5000, 0, 8, 2, 2, 1<<20)
	tr := s.done()
	j := &judge{tr: tr, from: math.MinInt64}
	if !j.deviceCopies("cudaMemcpyAsync") {
		t.Error("one device-to-device copy, made by row 0: not device copies")
	}
	j = &judge{tr: synthAPI([]struct {
		name string
		d    int64
	}{{"cudaMemcpyAsync_v3020", 100}}), from: math.MinInt64}
	if j.deviceCopies("cudaMemcpyAsync") {
		t.Error("no copies joined to the calls: device copies")
	}
}

// topAPI and ByName on string ids stored sparsely (a map, no dense table): the names with id 0
// and with a negative id are looked up like any other; of two APIs with the same total time,
// the smaller name.
func TestTopAPISparseIDsA(t *testing.T) {
	tr := &trace.Trace{Strings: trace.NewStrings([]int64{0, 100_000, -7}, []string{"cudaMalloc", "cudaFree", "cudaMemset"})}
	if tr.Strings.Bound() != 0 {
		t.Fatalf("ids stored densely: bound %d", tr.Strings.Bound())
	}
	r := &tr.Runtime
	for i, c := range []struct{ id, d int64 }{{0, 300}, {100_000, 200}, {-7, 50}, {0, 100}, {100_000, 200}, {-7, 50}} {
		at := int64(i) * 1000
		r.Start, r.End, r.NameID, r.GlobalTID, r.CorrID = append(r.Start, at), append(r.End, at+c.d), append(r.NameID, int32(c.id)), r.GlobalTID.Append(0x1_00000a_00000a), append(r.CorrID, int32(i+1))
	}
	if name, total, calls, all := topAPI(tr); name != "cudaFree" || total != 400 || calls != 2 || all != 900 {
		t.Errorf("topAPI: %s %d %d %d, want cudaFree 400 2 900", name, total, calls, all)
	}
	is := ByName(tr, func(n string) bool { return n == "cudaMalloc" })
	if !is(0) || is(100_000) || !is(0) || is(-7) || is(-7) {
		t.Error("ByName on sparse ids")
	}
	if is := ByName(tr, func(n string) bool { return n == "cudaMemset" }); !is(-7) || !is(-7) || is(0) {
		t.Error("ByName on a negative id")
	}
	r.End[0] = 200 // cudaMalloc 300 ns, cudaFree 400
	if name, _, _, _ := topAPI(tr); name != "cudaFree" {
		t.Errorf("topAPI: %s", name)
	}
}

// Signed: a change with its sign; no change is "+0.0".
func TestSignedA(t *testing.T) {
	for x, want := range map[float64]string{0: "+0.0", 1.5: "+1.5", -1.5: "-1.5", -1234.5: "-1,234.5"} {
		if got := Signed(x); got != want {
			t.Errorf("Signed(%v) = %q, want %q", x, got, want)
		}
	}
}
