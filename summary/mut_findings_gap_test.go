package summary

import (
	"math"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/trace"
)

// judgeOfSynthA is the judge of the whole trace s builds, with its GPU spans and steps.
func judgeOfSynthA(s *synth, o FindingOptions) *judge {
	tr := s.done()
	return newJudge(tr, "trace", o, trace.GPUSpans(tr), StepsOf(tr))
}

// kernelsAtA launches one kernel on device 0 of process 10 for each [start, end) span.
func kernelsAtA(s *synth, spans ...[2]int64) {
	for i, sp := range spans {
		s.kernel(10, "void k"+string(rune('a'+i))+"()", sp[0], sp[1]-sp[0], 0)
	}
}

// The gap threshold (gapThreshold's doc): without a step range, --gap-ms; with one, a steady step
// but at least the floor, or --gap-ms when that is shorter. At --gap-ms equal to the steady step
// the rule names the step; one ns under it, --gap-ms.
func TestGapThresholdRuleA(t *testing.T) {
	o := DefaultFindingOptions
	none := &judge{o: o, from: math.MinInt64}
	if thr, what := none.gapThreshold(); thr != o.GapNs || what != "500,000,000 ns (--gap-ms)" {
		t.Errorf("no steps: %d %q, want --gap-ms", thr, what)
	}
	steps := Steps{Range: "d:iter", Count: 4, SteadyMedianNs: 2_000_000}
	for _, c := range []struct {
		gap, median int64
		thr         int64
		what        string
	}{
		{2_000_000, 2_000_000, 2_000_000, "a steady d:iter step (2,000,000 ns)"},
		{1_999_999, 2_000_000, 1_999_999, "1,999,999 ns (--gap-ms)"},
		{2_000_001, 2_000_000, 2_000_000, "a steady d:iter step (2,000,000 ns)"},
		{500_000_000, 400_000, 1_000_000, "1,000,000 ns (the floor; a steady d:iter step takes 400,000 ns)"},
	} {
		o.GapNs = c.gap
		steps.SteadyMedianNs = float64(c.median)
		j := &judge{o: o, steps: steps, from: math.MinInt64}
		if thr, what := j.gapThreshold(); thr != c.thr || what != c.what {
			t.Errorf("--gap-ms %d, step %d: %d %q, want %d %q", c.gap, c.median, thr, what, c.thr, c.what)
		}
	}
}

// A gap is reported when longer than the threshold: exactly the threshold is not.
func TestGapLongerThanTheThresholdA(t *testing.T) {
	s := newSynth()
	s.proc(10, "worker")
	kernelsAtA(s, [2]int64{10_000, 11_000}, [2]int64{12_000, 13_000}, [2]int64{14_001, 15_000})
	o := DefaultFindingOptions
	o.GapNs = 1000 // no steps: the threshold is --gap-ms
	j := judgeOfSynthA(s, o)
	gaps := j.gaps(j.gpus[0])
	if len(gaps) != 1 || gaps[0] != (trace.Span{Start: 13_000, End: 14_001}) {
		t.Errorf("gaps %v, want only [13000, 14001) (1,001 ns; the 1,000 ns one is not longer)", gaps)
	}
}

// Four gaps without steps (3,000, 5,000, 5,000 and 4,000 ns; threshold 1,000 ns): their total is
// the time at stake, the longest is the first of the two 5,000 ns ones (6,000 ns after the first
// kernel), which is the finding's value; no NVTX range, no "during"; without steps no place.
func TestGapFindingLongestAndTotalA(t *testing.T) {
	s := newSynth()
	s.proc(10, "worker")
	kernelsAtA(s, [2]int64{10_000, 12_000}, [2]int64{15_000, 16_000}, [2]int64{21_000, 22_000}, [2]int64{27_000, 28_000}, [2]int64{32_000, 33_000})
	o := DefaultFindingOptions
	o.GapNs = 1000
	j := judgeOfSynthA(s, o)
	fs := j.gapFinding(j.gpus[0])
	if len(fs) != 1 {
		t.Fatalf("findings %+v", fs)
	}
	f := fs[0]
	total := int64(3000 + 5000 + 5000 + 4000)
	if f.ImpactNs != total || f.Value != 5000 {
		t.Errorf("impact %d value %v, want %d and 5000", f.ImpactNs, f.Value, total)
	}
	// 17,000 of the 23,000 ns from the first kernel's start to the last one's end: 73.9%
	for _, want := range []string{" is idle 4 times for longer than 1,000 ns (--gap-ms): 17,000 ns in all, 73.9% of the time from its first to its last operation; the longest 5,000 ns from 6,000 ns after its first operation"} {
		if !strings.Contains(f.Message, want) {
			t.Errorf("message %q\nwant it to hold %q", f.Message, want)
		}
	}
	if strings.Contains(f.Message, "during") || strings.Contains(f.Message, "falls") || strings.HasSuffix(f.Message, "; ") {
		t.Errorf("no range, no steps: %q", f.Message)
	}
	if want := "4 idle gaps longer than 1,000 ns (--gap-ms): 17,000 ns (gpu_gap)"; f.brief != want {
		t.Errorf("brief %q, want %q", f.brief, want)
	}
}

// One gap, between two steps (13,000 ns, 4,000 ns after the first kernel): the message names
// where it starts and where it falls.
func TestGapFindingOneGapA(t *testing.T) {
	s := newSynth()
	s.proc(10, "worker")
	s.rng(10, "iter", 0, 10_000)
	s.rng(10, "iter", 20_000, 10_000)
	kernelsAtA(s, [2]int64{1_000, 5_000}, [2]int64{18_000, 25_000})
	o := DefaultFindingOptions
	o.GapFloorNs = 1000 // the threshold is the steady step, 10,000 ns
	j := judgeOfSynthA(s, o)
	fs := j.gapFinding(j.gpus[0])
	if len(fs) != 1 {
		t.Fatalf("findings %+v", fs)
	}
	if want := " is idle for 13,000 ns (from 4,000 ns after its first operation), longer than a steady "; !strings.Contains(fs[0].Message, want) {
		t.Errorf("message %q\nwant it to hold %q", fs[0].Message, want)
	}
	if !strings.HasSuffix(fs[0].Message, "; it falls between :iter steps") || fs[0].Value != 13_000 || fs[0].ImpactNs != 13_000 {
		t.Errorf("%+v", fs[0])
	}
}

// Gaps against two steps ([0, 100,000) and [200,000, 300,000)): one inside the first step (of
// inside ns), two of 3,000 ns between them. The advice follows the place with the most gap time,
// the first place (inside) on a tie.
func TestGapPlacesAndAdviceA(t *testing.T) {
	for _, c := range []struct {
		inside int64
		advice string
	}{
		{8000, "inside its steps"},
		{6000, "inside its steps"}, // a tie: 6,000 ns inside, 6,000 between
		{5000, "between steps"},
	} {
		s := newSynth()
		s.proc(10, "worker")
		s.rng(10, "iter", 0, 100_000)
		s.rng(10, "iter", 200_000, 100_000)
		kernelsAtA(s, [2]int64{0, 10_000}, [2]int64{10_000 + c.inside, 100_000}, [2]int64{103_000, 150_000}, [2]int64{153_000, 300_000})
		o := DefaultFindingOptions
		o.GapNs = 1000
		j := judgeOfSynthA(s, o)
		fs := j.gapFinding(j.gpus[0])
		if len(fs) != 1 {
			t.Fatalf("findings %+v", fs)
		}
		if !strings.HasSuffix(fs[0].Message, "; 1 inside :iter steps, 2 between :iter steps") {
			t.Errorf("inside %d: message %q", c.inside, fs[0].Message)
		}
		if !strings.HasPrefix(fs[0].Advice, c.advice) {
			t.Errorf("inside %d: advice %q, want %q", c.inside, fs[0].Advice, c.advice)
		}
	}
}

// rangeOver names the shortest NVTX range (not a step) that covers at least half of the gap
// [1,000,000, 1,001,000); the first of equally long ones; none that covers less than half.
// (A range of the default domain is named ":name".)
func TestRangeOverA(t *testing.T) {
	type r struct {
		name       string
		start, end int64
	}
	x := trace.Span{Start: 1_000_000, End: 1_001_000}
	for _, c := range []struct {
		what   string
		ranges []r
		want   string
	}{
		{"longer first", []r{{"long", 0, 2_000_000}, {"short", 999_000, 1_002_000}}, ":short"},
		{"shorter first", []r{{"short", 999_000, 1_002_000}, {"long", 0, 2_000_000}}, ":short"},
		{"as long", []r{{"first", 999_000, 1_002_000}, {"second", 998_000, 1_001_000}}, ":first"},
		{"exactly half", []r{{"half", 1_000_500, 1_010_000}}, ":half"},
		{"under half", []r{{"less", 1_000_501, 1_010_000}}, ""},
		{"elsewhere", []r{{"away", 5_000_000, 5_001_000}}, ""},
		{"a step and another", []r{{"iter", 0, 1_500_000}, {"iter", 1_500_000, 3_000_000}, {"outer", 0, 3_000_000}}, ":outer"},
		{"steps only", []r{{"iter", 0, 1_500_000}, {"iter", 1_500_000, 3_000_000}}, ""},
	} {
		s := newSynth()
		s.proc(10, "worker")
		for _, g := range c.ranges {
			s.rng(10, g.name, g.start, g.end-g.start)
		}
		kernelsAtA(s, [2]int64{100, 200}, [2]int64{1_500_100, 1_500_200}) // the steps' GPU work
		tr := s.done()
		j := &judge{tr: tr, steps: StepsOf(tr), from: math.MinInt64}
		if got := j.rangeOver(x); got != c.want {
			t.Errorf("%s: %q, want %q", c.what, got, c.want)
		}
	}
}

// The gap finding says during which range its longest gap falls.
func TestGapDuringA(t *testing.T) {
	s := newSynth()
	s.proc(10, "worker")
	kernelsAtA(s, [2]int64{10_000, 11_000}, [2]int64{20_000, 21_000})
	s.rng(10, "load", 10_500, 10_000)
	o := DefaultFindingOptions
	o.GapNs = 1000
	j := judgeOfSynthA(s, o)
	fs := j.gapFinding(j.gpus[0])
	if len(fs) != 1 || !strings.Contains(fs[0].Message, "(from 1,000 ns after its first operation, during :load)") {
		t.Errorf("%+v", fs)
	}
}
