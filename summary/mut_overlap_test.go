package summary

import (
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/trace"
)

// randomRuns is a random sorted set of spans, apart (neither overlapping nor touching), in [0, n).
func randomRuns(rng *rand.Rand, k int, n int64) []trace.Span {
	var s []trace.Span
	for range k {
		a := rng.Int64N(n - 10)
		s = append(s, trace.Span{Start: a, End: a + 1 + rng.Int64N(9)})
	}
	return bitmapRuns(s, n)
}

// devSpans: per device, the union of its rows' spans, against the bitmap per device; rows come
// in runs of one device, interleaved, unsorted within a run.
func TestMutDevSpansBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 17))
	for range 200 {
		var start, end, dev []int64
		byDev := map[int64][]trace.Span{}
		for range 1 + rng.IntN(6) { // runs
			d := int64(rng.IntN(3))
			for range 1 + rng.IntN(4) {
				a := rng.Int64N(80)
				e := a + 1 + rng.Int64N(10)
				start, end, dev = append(start, a), append(end, e), append(dev, d)
				byDev[d] = append(byDev[d], trace.Span{Start: a, End: e})
			}
		}
		got := devSpans(start, end, trace.CodesOf(dev).Runs)
		if !slices.Equal(slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(byDev))) {
			t.Fatalf("devices %v, want %v (rows %v %v %v)", slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(byDev)), start, end, dev)
		}
		for d, s := range byDev {
			if want := bitmapRuns(s, 100); !slices.Equal(got[d], want) {
				t.Errorf("device %d: %v, want %v (rows %v %v %v)", d, got[d], want, start, end, dev)
			}
		}
	}
}

// bridge joins spans less than gap apart; spans exactly gap apart stay apart.
func TestMutBridge(t *testing.T) {
	for _, c := range []struct {
		in, want []trace.Span
	}{
		{sp(0, 10, 19, 30), sp(0, 30)},         // 9 apart
		{sp(0, 10, 20, 30), sp(0, 10, 20, 30)}, // exactly 10 apart
		{sp(0, 10, 21, 30), sp(0, 10, 21, 30)}, // 11 apart
		{sp(0, 10, 15, 20, 29, 40), sp(0, 40)}, // a chain
		{sp(0, 10, 15, 20, 30, 40), sp(0, 20, 30, 40)},
	} {
		if got := bridge(c.in, 10); !slices.Equal(got, c.want) {
			t.Errorf("bridge(%v, 10) = %v, want %v", c.in, got, c.want)
		}
	}
}

// intersectSpans is the instants both cover (no empty spans where two only touch), against the
// bitmap; spanLen sums the spans' lengths.
func TestMutIntersectSpansBruteForce(t *testing.T) {
	cases := [][2][]trace.Span{
		{sp(0, 10), sp(10, 20)},                // touching: nothing in common
		{sp(0, 10, 20, 30), sp(5, 20, 30, 40)}, // ends meeting starts
		{sp(0, 10, 20, 30), sp(5, 10, 25, 30)}, // spans ending together
	}
	rng := rand.New(rand.NewPCG(8, 1))
	for range 300 {
		cases = append(cases, [2][]trace.Span{randomRuns(rng, 1+rng.IntN(5), 60), randomRuns(rng, 1+rng.IntN(5), 60)})
	}
	for _, c := range cases {
		var both []trace.Span
		for x := int64(0); x < 60; x++ {
			in := func(s []trace.Span) bool {
				return slices.ContainsFunc(s, func(v trace.Span) bool { return v.Start <= x && x < v.End })
			}
			if in(c[0]) && in(c[1]) {
				both = append(both, trace.Span{Start: x, End: x + 1})
			}
		}
		want := bitmapRuns(both, 60)
		got := intersectSpans(c[0], c[1])
		if !slices.Equal(got, want) {
			t.Errorf("intersectSpans(%v, %v) = %v, want %v", c[0], c[1], got, want)
		}
		if l := spanLen(got); l != int64(len(both)) {
			t.Errorf("spanLen(%v) = %d, want %d", got, l, len(both))
		}
	}
}

// ov is a stage's overview on the given GPUs with the given operation (and kernel) spans.
func ov(name string, spans []trace.Span, devs ...int64) StageOverview {
	o := StageOverview{Stage: name, Spans: spans, devices: devs, devOps: map[int64][]trace.Span{}, devKernels: map[int64][]trace.Span{}}
	for _, d := range devs {
		o.devOps[d], o.devKernels[d] = spans, spans
	}
	o.GPUBusy = spanLen(spans)
	return o
}

// Two stages on GPU 0: a runs 0–100 and 200–300, b 100–150 and 5,000 on (active from 100 on,
// its operations under 1 ms apart). Both are active over 100–300, 200 ns, two thirds of a's
// active time: time-sliced. In that time a runs 100 ns, b 50 ns: the impact is the lighter
// stage's, b's 50; with equal busy time (b's last operation longer) the first stage's, 100.
func TestMutTimeSlicedImpact(t *testing.T) {
	a := ov("a", sp(0, 100, 200, 300), 0)
	for _, c := range []struct {
		b      StageOverview
		impact int64
	}{
		{ov("b", sp(100, 150, 5000, 5100), 0), 50},
		{ov("b", sp(100, 150, 5000, 5150), 0), 100},
	} {
		p := overlapOf(&a, &c.b)
		if p.active != 200 || p.busyInA != 100 || p.busyInB != 50 || p.kernA != 200 || p.kernB != c.b.GPUBusy {
			t.Errorf("overlap %+v", p)
		}
		fs := overlapFindings([]*StageOverview{&a, &c.b})
		if len(fs) != 1 || !strings.Contains(fs[0].Message, "share one GPU (GPU 0)") || fs[0].ImpactNs != c.impact {
			t.Errorf("b busy %d: %+v, want time-sliced, impact %d", c.b.GPUBusy, fs, c.impact)
		}
	}
	// kernel time on the shared GPUs adds up over them
	a2, b2 := ov("a", sp(0, 100), 0, 1), ov("b", sp(50, 80), 0, 1)
	if p := overlapOf(&a2, &b2); p.kernA != 200 || p.kernB != 60 || p.together != 60 {
		t.Errorf("two shared GPUs: %+v", p)
	}
}

// Stages on different GPUs active at once for 10 ns of the shorter one's 1,000 (1%): they
// serialise "on different GPUs"; the impact is the shorter one's GPU time outside the overlap.
func TestMutSerialiseImpact(t *testing.T) {
	a, b := ov("a", sp(0, 1000), 0), ov("b", sp(990, 20_000), 1)
	fs := overlapFindings([]*StageOverview{&a, &b})
	if len(fs) != 1 || !strings.Contains(fs[0].Message, "take turns on different GPUs") {
		t.Fatalf("%+v", fs)
	}
	if want := int64(1000 - 10); fs[0].ImpactNs != want {
		t.Errorf("impact %d, want %d", fs[0].ImpactNs, want)
	}
}

// devSpans of one device on tables long enough to merge in parallel parts, in a few sorted runs
// and in many (sorted as a copy), against the bitmap; the overview's totals against a serial
// walk.
func TestDevSpansOneDeviceInParts(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 21))
	for _, runs := range []int{1, 3, 40} {
		var start, end, dev []int64
		var all []trace.Span
		for range runs {
			a := int64(0)
			for range 60_000 / runs {
				a += rng.Int64N(12)
				e := a + rng.Int64N(15) // zero-length rows too
				start, end, dev = append(start, a), append(end, e), append(dev, 3)
				all = append(all, trace.Span{Start: a, End: e})
			}
		}
		got := devSpans(start, end, trace.CodesOf(dev).Runs)
		if len(got) != 1 {
			t.Fatalf("%d runs: devices %v", runs, slices.Sorted(maps.Keys(got)))
		}
		want := joinInPlace(slices.SortedFunc(slices.Values(all), func(a, b trace.Span) int { return int(a.Start - b.Start) }))
		if !slices.Equal(got[3], want) {
			t.Fatalf("%d runs: %d spans, want %d", runs, len(got[3]), len(want))
		}
		tot, first, last := spanTotals(start, end)
		var wt int64
		wf, wl := int64(1<<63-1), int64(-1<<63)
		for i := range start {
			wt, wf, wl = wt+end[i]-start[i], min(wf, start[i]), max(wl, end[i])
		}
		if tot != wt || first != wf || last != wl {
			t.Fatalf("%d runs: totals %d %d %d, want %d %d %d", runs, tot, first, last, wt, wf, wl)
		}
	}
}
