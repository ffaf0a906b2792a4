package summary

import (
	"slices"
	"strings"
	"testing"
)

// idsA lists the findings' ids in order.
func idsA(fs []Finding) []string {
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.ID)
	}
	return ids
}

// A copy made by the trace's first call (runtime row 0) joins it like any other: one pageable
// async copy is pageable_async_memcpy of 1 copy, one synchronous copy sync_memcpy of 1; neither
// kind reports 0 copies.
func TestCopyFindingsFirstCallA(t *testing.T) {
	for _, c := range []struct {
		api       string
		kind, src int64
		want      string
	}{
		{"cudaMemcpyAsync_v3020", 1, 0, "pageable_async_memcpy"}, // pageable host to device
		{"cudaMemcpy_v3020", 2, 2, "sync_memcpy"},                // device to pageable host, 1 MiB
	} {
		s := newSynth()
		s.proc(10, "worker")
		s.memcpy(10, c.api, 1000, 5000, 1000, 0, c.kind, c.src, 0, 1<<20)
		j := newJudge(s.done(), "trace", DefaultFindingOptions, nil, Steps{})
		fs := j.copyFindings()
		if !slices.Equal(idsA(fs), []string{c.want}) || fs[0].Value != 1 || fs[0].ImpactNs != 5000 {
			t.Errorf("%s: %+v, want one %s of 1 copy", c.api, fs, c.want)
		}
	}
	s := newSynth()
	s.proc(10, "worker")
	s.kernel(10, "void k()", 1000, 1000, 0)
	if fs := newJudge(s.done(), "trace", DefaultFindingOptions, nil, Steps{}).copyFindings(); len(fs) != 0 {
		t.Errorf("no copies: %+v", fs)
	}
}

// copyBoundTraceA is a 1 ms kernel and 1 ms host-to-device copies of 1 MiB from host memory of
// the kinds srcs (0 pageable, 1 pinned), one after another.
func copyBoundTraceA(srcs ...int64) *synth {
	s := newSynth()
	s.proc(10, "worker")
	s.kernel(10, "void k()", 1000, 1_000_000, 0)
	for i, src := range srcs {
		s.memcpy(10, "cudaMemcpyAsync_v3020", 2_000_000+int64(i)*2_000_000, 100, 1_000_000, 0, 1, src, 2, 1<<20)
	}
	return s
}

// memcpy_bound's directions: pinned copies are not counted as pageable (no note); the pinned-
// memory advice when at least half of the leading direction's copies are pageable.
func TestCopyBoundPageableA(t *testing.T) {
	for _, c := range []struct {
		srcs   []int64
		note   string
		pinned bool
	}{
		{[]int64{1, 1}, "Host-to-Device 2.1 MB in 2 copies at 1.0 GB/s", false},
		{[]int64{0, 1}, "Host-to-Device 2.1 MB in 2 copies at 1.0 GB/s (1 from or to pageable memory)", true},
		{[]int64{1, 0, 1}, "Host-to-Device 3.1 MB in 3 copies at 1.0 GB/s (1 from or to pageable memory)", false},
	} {
		j := judgeOfSynthA(copyBoundTraceA(c.srcs...), DefaultFindingOptions)
		fs := j.copyBound()
		if len(fs) != 1 || !strings.HasSuffix(fs[0].Message, "): "+c.note) {
			t.Fatalf("sources %v: %+v, want it to end %q", c.srcs, fs, c.note)
		}
		if got := strings.HasPrefix(fs[0].Advice, "copy from pinned host memory"); got != c.pinned {
			t.Errorf("sources %v: advice %q, want pinned %v", c.srcs, fs[0].Advice, c.pinned)
		}
	}
}

// memcpy_bound needs copies of at least the gap floor: 2 ms of copies with a 2 ms floor are
// reported, with a floor 1 ns longer they are not.
func TestCopyBoundFloorA(t *testing.T) {
	o := DefaultFindingOptions
	for _, c := range []struct {
		floor int64
		want  bool
	}{{2_000_000, true}, {2_000_001, false}} {
		o.GapFloorNs = c.floor
		fs := judgeOfSynthA(copyBoundTraceA(1, 1), o).copyBound()
		if got := len(fs) == 1; got != c.want {
			t.Errorf("floor %d: memcpy_bound %v, want %v (%+v)", c.floor, got, c.want, fs)
		}
	}
}

// After a warm-up, memcpy_bound counts the copies that end after the steady window's start: one
// that ends exactly at it is the warm-up's.
func TestCopyBoundSteadyWindowA(t *testing.T) {
	s := newSynth()
	s.proc(10, "worker")
	s.rng(10, "iter", 0, 10_000_000)
	s.kernel(10, "void k()", 1000, 1000, 0)
	for i := range int64(3) {
		s.rng(10, "iter", 10_000_000+i*1_000_000, 1_000_000)
		s.kernel(10, "void k()", 10_000_100+i*1_000_000, 1000, 0)
	}
	s.memcpy(10, "cudaMemcpyAsync_v3020", 9_000_000, 100, 1_000_000, 0, 1, 1, 2, 1<<20)
	s.memcpy(10, "cudaMemcpyAsync_v3020", 10_500_000, 100, 1_500_000, 0, 1, 1, 2, 1<<20)
	j := judgeOfSynthA(s, DefaultFindingOptions)
	if j.from != 10_000_000 {
		t.Fatalf("steady from %d", j.from)
	}
	fs := j.copyBound()
	if len(fs) != 1 || !strings.HasSuffix(fs[0].Message, ": Host-to-Device 1.0 MB in 1 copy at 0.7 GB/s") {
		t.Errorf("%+v", fs)
	}
}
