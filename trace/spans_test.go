package trace

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestGPUSpans checks the run-merging GPUSpans against sorting every operation and joining
// overlaps, for tables in one sorted run, a few runs (stage-contiguous rows) and many (shuffled).
func TestGPUSpans(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cols := func(n, runs int) (s, e []int64) {
		for r := 0; r < runs; r++ {
			at := rng.Int64N(1000)
			for i := 0; i < n/runs; i++ {
				at += rng.Int64N(int64(60 * runs))
				s, e = append(s, at), append(e, at+1+rng.Int64N(80))
			}
		}
		return s, e
	}
	for _, runs := range []int{1, 2, 3, MaxRuns, MaxRuns + 1, 200} {
		tr := &Trace{}
		tr.Kernels.Start, tr.Kernels.End = cols(2000, runs)
		tr.Memcpy.Start, tr.Memcpy.End = cols(400, max(1, runs/2))
		tr.Memset.Start, tr.Memset.End = cols(30, 1)
		var all []Span
		for _, c := range [][2][]int64{{tr.Kernels.Start, tr.Kernels.End}, {tr.Memcpy.Start, tr.Memcpy.End}, {tr.Memset.Start, tr.Memset.End}} {
			for i := range c[0] {
				all = append(all, Span{c[0][i], c[1][i]})
			}
		}
		slices.SortFunc(all, bySpanStart)
		var want []Span
		for _, x := range all {
			if n := len(want); n > 0 && x.Start <= want[n-1].End {
				want[n-1].End = max(want[n-1].End, x.End)
			} else {
				want = append(want, x)
			}
		}
		got := GPUSpans(tr)
		if !slices.Equal(got, want) {
			t.Errorf("%d runs: %d spans, want %d (first %v vs %v)", runs, len(got), len(want), got[:min(3, len(got))], want[:min(3, len(want))])
		}
		if len(want) < 10 {
			t.Errorf("%d runs: only %d spans: the case tests nothing", runs, len(want))
		}
	}
}
