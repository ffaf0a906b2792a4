package summary

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/trace"
)

// bitmapRuns is the brute force of a union: the instants [s, e) each span covers, as a bitmap
// over [0, n), read back as maximal runs (so spans that touch or overlap come back as one).
func bitmapRuns(spans []trace.Span, n int64) []trace.Span {
	on := make([]bool, n)
	for _, s := range spans {
		for t := s.Start; t < s.End; t++ {
			on[t] = true
		}
	}
	var out []trace.Span
	for t := int64(0); t < n; t++ {
		if !on[t] {
			continue
		}
		e := t
		for e < n && on[e] {
			e++
		}
		out = append(out, trace.Span{Start: t, End: e})
		t = e
	}
	return out
}

func sp(se ...int64) []trace.Span {
	var out []trace.Span
	for i := 0; i+1 < len(se); i += 2 {
		out = append(out, trace.Span{Start: se[i], End: se[i+1]})
	}
	return out
}

// disjoint joins spans (sorted by start) that overlap or touch: equal to the bitmap's runs on
// two spans apart, touching and overlapping, on spans that overlap only at the end, and on
// random sorted spans of positive length.
func TestMutDisjointBruteForce(t *testing.T) {
	cases := [][]trace.Span{
		sp(0, 10, 20, 30),          // two apart: returned as they are
		sp(0, 10, 10, 30),          // two touching: one
		sp(0, 10, 5, 30),           // two overlapping: one
		sp(0, 10),                  // one
		sp(0, 5, 8, 10, 10, 12),    // the last two touch
		sp(0, 5, 7, 9, 8, 20),      // the last two overlap
		sp(0, 40, 5, 10, 12, 20),   // the first covers the others
		sp(0, 3, 3, 6, 9, 12),      // touching, then apart: merged then kept
		sp(1, 4, 2, 3, 5, 9, 9, 9), // a zero-length span touching the one before
	}
	rng := rand.New(rand.NewPCG(3, 9))
	for range 300 {
		var s []trace.Span
		for range 1 + rng.IntN(6) {
			a := rng.Int64N(60)
			s = append(s, trace.Span{Start: a, End: a + 1 + rng.Int64N(12)})
		}
		slices.SortFunc(s, func(a, b trace.Span) int { return int(a.Start - b.Start) })
		cases = append(cases, s)
	}
	for _, c := range cases {
		want := bitmapRuns(c, 100)
		if got := disjoint(slices.Clone(c)); !slices.Equal(got, want) {
			t.Errorf("disjoint(%v) = %v, want %v", c, got, want)
		}
	}
}

// A GPU's window is first to last operation less the time nothing recorded; the steady one the
// same from its steady start, never below zero.
func TestMutGPUWindowDurations(t *testing.T) {
	g := gpuWindow{first: 100, last: 1100, hole: 300, sFirst: 400, sHole: 200}
	if d := g.dur(); d != 1000-300 {
		t.Errorf("dur %d, want 700", d)
	}
	if d := g.sDur(); d != 700-200 {
		t.Errorf("sDur %d, want 500", d)
	}
	g.sFirst, g.sHole = 1000, 500 // 100 ns of window, 500 ns unrecorded
	if d := g.sDur(); d != 0 {
		t.Errorf("sDur %d, want 0", d)
	}
}

// The steady spans of a GPU are its spans cut at the steady start (the first steady step's
// start): checked against the spans clipped one by one, at a span ending one ns before the
// steady start, one ending at it, one across it and one starting at it; busy and steady busy
// are their summed lengths. A GPU idle after the warm-up has no steady spans.
func TestMutJudgeSteadySpans(t *testing.T) {
	steps := func(from int64) Steps {
		return Steps{Range: ":step_N", Count: 4, Warmup: 1,
			Instances: []Step{{Start: 0, End: 900}, {Start: from, End: from + 100}, {Start: from + 200, End: from + 300}, {Start: from + 400, End: from + 500}}}
	}
	for _, c := range []struct {
		name    string
		kernels []trace.Span // disjoint, apart, sorted
		from    int64
	}{
		{"one before", sp(100, 200, 300, 999, 1500, 1600), 1000},
		{"ending at", sp(100, 200, 300, 1000, 1500, 1600), 1000},
		{"across", sp(100, 200, 300, 1200, 1500, 1600), 1000},
		{"starting at", sp(100, 200, 1000, 1200, 1500, 1600), 1000},
		{"all after", sp(1100, 1200, 1500, 1600), 1000},
		{"idle after warm-up", sp(100, 200, 300, 400), 1000},
	} {
		s := newSynth()
		s.proc(10, "python3")
		for _, k := range c.kernels {
			s.kernel(10, "k", k.Start, k.End-k.Start, 0)
		}
		tr := s.done()
		st := steps(c.from)
		j := newJudge(tr, "trace", DefaultFindingOptions, trace.GPUSpans(tr), st)
		if len(j.gpus) != 1 {
			t.Fatalf("%s: %d GPUs", c.name, len(j.gpus))
		}
		var want []trace.Span
		var busy, sBusy int64
		for _, k := range c.kernels {
			busy += k.End - k.Start
			if s, e := max(k.Start, c.from), k.End; e > s {
				want = append(want, trace.Span{Start: s, End: e})
				sBusy += e - s
			}
		}
		g := j.gpus[0]
		if !slices.Equal(g.steady, want) || g.busy != busy || g.sBusy != sBusy || j.sBusy != sBusy {
			t.Errorf("%s: steady %v busy %d/%d, want %v busy %d/%d", c.name, g.steady, g.busy, g.sBusy, want, busy, sBusy)
		}
		if g.sFirst != max(c.kernels[0].Start, c.from) {
			t.Errorf("%s: steady start %d", c.name, g.sFirst)
		}
	}
}

// GPU busy inside the steady steps over their host time: the steps from the first steady one
// on (one starts exactly at the steady start), GPU time counted inside them only.
func TestMutStepBusy(t *testing.T) {
	s := newSynth()
	s.proc(10, "python3")
	for _, k := range sp(50, 150, 1050, 1080, 1150, 1250, 1400, 1450) {
		s.kernel(10, "k", k.Start, k.End-k.Start, 0)
	}
	tr := s.done()
	st := Steps{Range: ":step_N", Count: 4, Warmup: 1,
		Instances: []Step{{Start: 0, End: 1000}, {Start: 1000, End: 1100}, {Start: 1200, End: 1300}, {Start: 1400, End: 1500}}}
	j := newJudge(tr, "trace", DefaultFindingOptions, trace.GPUSpans(tr), st)
	// steps 1000–1100, 1200–1300, 1400–1500: 300 ns; kernels inside: 30 + 50 + 50
	if j.stepTime != 300 || j.stepBusy != 130 {
		t.Errorf("step time %d busy %d, want 300 and 130", j.stepTime, j.stepBusy)
	}
	if p, ok := j.stepBusyPct(); !ok || p != 43.3 {
		t.Errorf("stepBusyPct %v %v, want 43.3", p, ok)
	}
	if p, ok := (&judge{}).stepBusyPct(); ok || p != 0 {
		t.Errorf("no steps: stepBusyPct %v %v", p, ok)
	}
}

// gpuBusy: at least --low-util percent of a steady window; a GPU without a steady window is not
// busy, even at --low-util 0.
func TestMutGPUBusyThreshold(t *testing.T) {
	for _, c := range []struct {
		busy, window int64
		low          float64
		want         bool
	}{
		{500, 1000, 50, true}, {500, 1000, 50.1, false}, {499, 1000, 50, false}, {1000, 1000, 50, true},
		{0, 1000, 0, true}, {0, 0, 0, false}, {0, 0, 50, false},
	} {
		j := &judge{sBusy: c.busy, sWindow: c.window, o: FindingOptions{LowUtil: c.low}}
		if got := j.gpuBusy(); got != c.want {
			t.Errorf("busy %d of %d at --low-util %v: %v, want %v", c.busy, c.window, c.low, got, c.want)
		}
	}
}

// The warm-up finding names the GPU's busy share only when the scope has GPU work.
func TestMutWarmupFindingGPUClause(t *testing.T) {
	st := Steps{Range: ":step_N", Count: 5, Warmup: 1, WarmupNs: 1000, SteadyMedianNs: 100, SteadyP90Ns: 100,
		Instances: []Step{{Start: 0, End: 1000}, {Start: 1000, End: 1100}, {Start: 1100, End: 1200}, {Start: 1200, End: 1300}, {Start: 1300, End: 1400}}}
	none := (&judge{scope: "trace", steps: st, from: 1000}).warmupFinding()
	if len(none) != 1 || strings.Contains(none[0].Message, "the GPU is") {
		t.Errorf("no GPU work: %+v", none)
	}
	busy := (&judge{scope: "trace", steps: st, from: 1000, busy: 300, window: 1000, sBusy: 100, sWindow: 400, gpus: make([]gpuWindow, 1)}).warmupFinding()
	if want := "; the GPU is busy 30.0% of the time from the first to the last GPU operation, 25.0% in steady state after 1 warm-up step"; len(busy) != 1 || !strings.HasSuffix(busy[0].Message, want) {
		t.Errorf("GPU work: %+v, want the message to end %q", busy, want)
	}
}

// No CUDA graph advice from exactly graphsDone percent of the kernels in graphs on.
func TestMutLaunchAdviceAtGraphsDone(t *testing.T) {
	for _, c := range []struct {
		graphs, kernels int
		done            bool
	}{{9, 10, true}, {10, 10, true}, {899, 1000, false}, {8, 10, false}, {0, 0, false}} {
		a := (&judge{graphKernels: c.graphs, kernels: c.kernels}).launchAdvice()
		if got := strings.Contains(a, "already run in CUDA graphs"); got != c.done {
			t.Errorf("%d of %d kernels in graphs: %q", c.graphs, c.kernels, a)
		}
	}
}

// disjoint, disjointBusy and spanTime on lists long enough to run in parallel parts: one overlapping or
// touching pair anywhere (first pair, the pairs around each part's first span, last pair) is
// found, a disjoint list comes back as it is, and the sum is the serial sum.
func TestDisjointAndSpanTimeInParts(t *testing.T) {
	const n = 1 << 16
	base := make([]trace.Span, n)
	var sum int64
	for i := range base {
		base[i] = trace.Span{Start: int64(10 * i), End: int64(10*i + 1 + i%7)}
		sum += base[i].End - base[i].Start
	}
	if got, busy := disjointBusy(base); &got[0] != &base[0] || len(got) != n || busy != sum {
		t.Fatalf("a disjoint list was copied or changed, or its busy time %d is not %d", busy, sum)
	}
	if got := trace.SpanTime(base); got != sum {
		t.Fatalf("spanTime = %d, want %d", got, sum)
	}
	at := []int{1, n - 1}
	for p := 2; p <= 16; p++ {
		for q := 1; q < p; q++ {
			at = append(at, q*n/p, q*n/p+1)
		}
	}
	for _, i := range at {
		c := slices.Clone(base)
		c[i].Start = c[i-1].End // touching: joined
		want := bitmapRuns(c, 10*n+10)
		if got := disjoint(c); !slices.Equal(got, want) {
			t.Fatalf("touching pair at %d: %d spans, want %d", i, len(got), len(want))
		}
		if _, busy := disjointBusy(c); busy != trace.SpanTime(want) {
			t.Fatalf("touching pair at %d: busy %d, want %d", i, busy, trace.SpanTime(want))
		}
	}
}
