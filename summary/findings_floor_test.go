package summary

import (
	"math"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/reports"
	"github.com/omnistat/omnistat/stage"
)

// dominant_api has a floor: at least 1 ms of the API's time and 10 calls, or 10 ms whatever
// the count. Three 10 µs peer copies that are 68% of a tiny window's API time are no finding;
// ten calls of 100 µs are; two calls of 5 ms are.
func TestDominantAPIFloor(t *testing.T) {
	type call = struct {
		name string
		d    int64
	}
	rep := func(name string, n int, d int64) []call {
		var cs []call
		for range n {
			cs = append(cs, call{name, d})
		}
		return cs
	}
	for _, c := range []struct {
		calls []call
		want  bool
	}{
		{append(rep("cuMemcpyDtoDAsync_v2", 3, 10_000), call{"cuEventQuery", 7_000}), false},
		{append(rep("cuMemcpyDtoDAsync_v2", 9, 200_000), call{"cuEventQuery", 7_000}), false}, // 9 calls
		{append(rep("cuMemcpyDtoDAsync_v2", 10, 99_000), call{"cuEventQuery", 7_000}), false}, // 990 µs
		{append(rep("cuMemcpyDtoDAsync_v2", 10, 100_000), call{"cuEventQuery", 7_000}), true},
		{append(rep("cudaMemcpyAsync_v3020", 2, 5_000_000), call{"cuLaunchKernel", 7_000}), true},
		{append(rep("cudaMemcpyAsync_v3020", 2, 4_999_999), call{"cuLaunchKernel", 7_000}), false},
	} {
		tr := synthAPI(c.calls)
		f := findingByID(Findings(tr, "trace", DefaultFindingOptions), "dominant_api")
		if (f != nil) != c.want {
			t.Errorf("%d × %s of %d ns: dominant_api %v, want %v", len(c.calls)-1, c.calls[0].name, c.calls[0].d, f != nil, c.want)
		}
	}
	tr := synthAPI([]struct {
		name string
		d    int64
	}{{"cudaDeviceSynchronize", 200_000_000}, {"cuLaunchKernel", 7_000}})
	f := findingByID(Findings(tr, "trace", DefaultFindingOptions), "dominant_api")
	if f == nil || !strings.Contains(f.Message, "(1 call, avg 200,000,000.0 ns)") {
		t.Errorf("one long call: %+v", f)
	}
	if s := findingByID(Findings(tr, "trace", DefaultFindingOptions), "sync_api"); s == nil || !strings.Contains(s.Message, "also: 1 synchronization call takes 100.0% of CUDA API time (sync_api)") {
		t.Errorf("one sync call: %+v", s)
	}
}

// copyTrace is 20 copies of one kind made by api, 1 ms of API time each, on one process with a
// kernel.
func copyTrace(api string, kind, src, dst int64) *synth {
	s := newSynth()
	s.proc(10, "worker")
	s.kernel(10, "void k()", 500, 100, 0)
	for i := range int64(20) {
		s.memcpy(10, api, 1000+i*2_000_000, 1_000_000, 10_000, 0, kind, src, dst, 1<<20)
	}
	return s
}

// A dominant copy API whose copies stay on the GPUs (device-to-device, peer-to-peer) gets no
// pinned-memory advice: pinning does not apply. Host copies keep it.
func TestDominantDeviceCopyAdvice(t *testing.T) {
	for _, c := range []struct {
		api          string
		kind, src    int64
		dst          int64
		device, pins bool
	}{
		{"cuMemcpyDtoDAsync_v2", 10, 2, 2, true, false}, // peer-to-peer through the driver
		{"cudaMemcpyAsync_v3020", 8, 2, 2, true, false}, // device-to-device through the runtime
		{"cudaMemcpyAsync_v3020", 1, 1, 2, false, true}, // pinned host-to-device
	} {
		fs := Findings(copyTrace(c.api, c.kind, c.src, c.dst).done(), "trace", DefaultFindingOptions)
		f := findingByID(fs, "dominant_api")
		if f == nil || f.ID != "dominant_api" {
			t.Fatalf("%s kind %d: no dominant_api: %+v", c.api, c.kind, fs)
		}
		if got := strings.Contains(f.Advice, "device-to-device"); got != c.device {
			t.Errorf("%s kind %d: device advice %v, want %v: %q", c.api, c.kind, got, c.device, f.Advice)
		}
		if got := strings.Contains(f.Advice, "pinned"); got != c.pins {
			t.Errorf("%s kind %d: pinned-memory advice %v, want %v: %q", c.api, c.kind, got, c.pins, f.Advice)
		}
	}
}

// Merged into the dominant copy API's finding, the pageable copies' clause keeps its note that
// they went through the driver API (which nsys's rule does not list); one copy is "1
// asynchronous copy uses", one synchronous copy "1 synchronous copy … takes".
func TestCopyBriefKeepsTheDriverNote(t *testing.T) {
	fs := Findings(copyTrace("cuMemcpyHtoDAsync_v2", 1, 0, 2).done(), "trace", DefaultFindingOptions)
	f, ok := find(fs, "pageable_async_memcpy")
	if !ok || f.ID != "dominant_api" {
		t.Fatalf("pageable copies not merged into the dominant copy API: %+v", fs)
	}
	if want := "also: 20 asynchronous copies use pageable host memory, so each blocks the CPU; their calls take 20,000,000 ns (20 of them through the driver API, cuMemcpy…, which nsys's cuda_memcpy_async rule does not list) (pageable_async_memcpy)"; !strings.Contains(f.Message, want) {
		t.Errorf("merged message %q\nwant it to hold %q", f.Message, want)
	}
	s := newSynth()
	s.proc(10, "worker")
	s.kernel(10, "void k()", 500, 100, 0)
	s.memcpy(10, "cuMemcpyHtoDAsync_v2", 1000, 5000, 1000, 0, 1, 0, 2, 1<<20)
	s.memcpy(10, "cudaMemcpy_v3020", 10_000, 5000, 1000, 0, 2, 2, 0, 1<<20)
	fs = Findings(s.done(), "trace", DefaultFindingOptions)
	// the two merge (one cause: the copies), the pageable one leading
	if f := findingByID(fs, "pageable_async_memcpy"); f == nil || f.Message != "1 asynchronous copy uses pageable host memory; its API call takes 5,000 ns (through the driver API, cuMemcpy…, which nsys's cuda_memcpy_async rule does not list); also: 1 synchronous copy takes 5,000 ns of API time (sync_memcpy)" {
		t.Errorf("one pageable copy, one synchronous copy: %+v", f)
	}
	j := newJudge(s.tr, "trace", DefaultFindingOptions, nil, Steps{})
	for _, f := range j.copyFindings() {
		if f.ID == "sync_memcpy" && f.Message != "1 synchronous copy (cudaMemcpy without Async) takes 5,000 ns of API time" {
			t.Errorf("one synchronous copy: %q", f.Message)
		}
	}
}

// Under a time filter that cuts into the first warm-up step, the warm-up's time and its share of
// the steps' time count the part inside the window (the steps' table too); which steps are
// warm-up is judged on the whole steps.
func TestWarmupClippedToTheWindow(t *testing.T) {
	tr := warmupTrace(0).done()
	a := stage.Assign(tr, nil)
	first := int64(1_000_000 + 4*1_000_000_100) // the first step's start (warmupTrace)
	w := &Window{Flag: "--filter-time", Value: "x/", Start: first + 50_000_000, End: math.MaxInt64}
	ftr, _ := reports.Filter{Time: true, Start: w.Start, End: w.End}.Apply(tr)
	s, err := Build(ftr, a, Options{Findings: DefaultFindingOptions, Window: w})
	if err != nil {
		t.Fatal(err)
	}
	st := s.Stages[0].Steps
	// 50 ms of the first 100 ms step, all of the second; six 1 ms steps after them
	if st == nil || st.Warmup != 2 || st.WarmupNs != 150_000_000 {
		t.Fatalf("steps %+v", st)
	}
	f, ok := find(s.Stages[0].Findings, "warmup")
	if want := "they take 150,000,000 ns, 96.2% of the steps' time"; !ok || !strings.Contains(f.Message, want) {
		t.Errorf("warm-up %q, want %q", f.Message, want)
	}
	if want := int64(150_000_000 - 2*1_000_000); f.ImpactNs != want {
		t.Errorf("impact %d, want %d", f.ImpactNs, want)
	}
}
