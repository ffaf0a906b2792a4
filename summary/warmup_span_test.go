package summary

import (
	"strings"
	"testing"
)

// warmupTrace is one process that first makes 4 s of cudaMemcpy calls (an earlier solve), then
// runs 8 iter steps, each launching a kernel and making one 10 µs cudaMemcpy; the first 2 steps
// take 100 ms (or twice inWarmup: warm-up), the others 1 ms. inWarmup is a cudaMemcpy inside
// the first warm-up step, in addition to the steps' own 10 µs copies.
func warmupTrace(inWarmup int64) *synth {
	s := newSynth()
	s.proc(10, "jacobi")
	at := int64(1_000_000)
	for range 4 {
		s.memcpy(10, "cudaMemcpy_v3020", at, 1_000_000_000, 1000, 0, 2, 2, 0, 1<<20)
		at += 1_000_000_100
	}
	for i := range 8 {
		d := int64(1_000_000)
		if i < 2 {
			d = max(100_000_000, 2*inWarmup)
		}
		s.rng(10, "iter", at, d)
		s.kernel(10, "void jacobi_kernel()", at+100, 500, 0)
		s.memcpy(10, "cudaMemcpy_v3020", at+1000, 10_000, 1000, 0, 2, 2, 0, 8)
		if i == 0 && inWarmup > 0 {
			s.memcpy(10, "cudaMemcpy_v3020", at+20_000, inWarmup, 1000, 0, 2, 2, 0, 8)
		}
		at += d + 1000
	}
	return s
}

// TestWarmupTimeIsInsideTheWarmup: the calls of the dominant API made before the first step are
// not the warm-up's; the dominant_api finding joins the warm-up finding only when at least half
// of its time falls inside the warm-up steps.
func TestWarmupTimeIsInsideTheWarmup(t *testing.T) {
	fs := Findings(warmupTrace(0).done(), "trace", DefaultFindingOptions)
	w, ok := find(fs, "warmup")
	if !ok || w.ID != "warmup" || w.Value != 2 {
		t.Fatalf("no warm-up of 2 steps: %+v", fs)
	}
	if strings.Contains(w.Message, "cudaMemcpy") || len(w.Also) != 0 {
		t.Errorf("the warm-up swallowed the copies made before the first step: %q (also %v)", w.Message, w.Also)
	}
	d := findingByID(fs, "dominant_api")
	if d == nil || d.Subject != "cudaMemcpy" {
		t.Fatalf("dominant_api %+v", d)
	}
	// 5 s of copies inside the first warm-up step: more than half of 9 s, a warm-up cost
	fs = Findings(warmupTrace(5_000_000_000).done(), "trace", DefaultFindingOptions)
	w, _ = find(fs, "warmup")
	if w.ID != "warmup" || !strings.Contains(w.Message, "cudaMemcpy takes") || !strings.Contains(w.Message, "% of it during the warm-up") {
		t.Errorf("the warm-up's own copies are not merged: %+v", fs)
	}
}
