package render

import (
	"fmt"
	"testing"

	"github.com/omnistat/omnistat/summary"
	"github.com/omnistat/omnistat/trace"
)

// ident is a tick function of 1 ns ticks from 0.
func ident(t int64, up bool) int64 { return t }

// TestBusyIntervals: spans sorted by start merge while the gap to the interval's end is under
// gap; each interval is (gap from the previous end, length, busy per mille), overlaps counted once.
func TestBusyIntervals(t *testing.T) {
	for _, c := range []struct {
		spans []trace.Span
		want  string
	}{
		// [0,100) and [600,700): gap 500 < 1000, one interval of 700 with 200 busy → 285‰;
		// [1700,1800): gap 1000, a new one
		{[]trace.Span{{Start: 0, End: 100}, {Start: 600, End: 700}, {Start: 1700, End: 1800}}, "[0 700 285 1000 100 1000]"},
		// the same, unsorted
		{[]trace.Span{{Start: 1700, End: 1800}, {Start: 600, End: 700}, {Start: 0, End: 100}}, "[0 700 285 1000 100 1000]"},
		// gap 999 merges: [5,105) + [1104,1204): 200 busy of 1199 → 166‰
		{[]trace.Span{{Start: 5, End: 105}, {Start: 1104, End: 1204}}, "[5 1199 166]"},
		// overlaps: [0,100) [50,150) → 150 busy of 150; a span inside adds nothing
		{[]trace.Span{{Start: 0, End: 100}, {Start: 50, End: 150}, {Start: 60, End: 70}}, "[0 150 1000]"},
		// a span ending before it starts is skipped; one of no length is full
		{[]trace.Span{{Start: 10, End: 5}, {Start: 3000, End: 3000}}, "[3000 0 1000]"},
		{[]trace.Span{{Start: 10, End: 10}}, "[10 0 1000]"},
		// a contained span after a gap-merge: [0,100) [400,500) [450,460): 200 of 500 → 400‰
		{[]trace.Span{{Start: 0, End: 100}, {Start: 400, End: 500}, {Start: 450, End: 460}}, "[0 500 400]"},
		{nil, "[]"},
	} {
		if got := fmt.Sprint(busyIntervals(c.spans, 1000, ident)); got != c.want {
			t.Errorf("%v: %s, want %s", c.spans, got, c.want)
		}
	}
}

// TestStepIntervals: each step (gap, length, flags 1 warm-up 2 prefill, count); above limit
// steps, runs of up to ⌈n/limit⌉ consecutive steps of one kind make one interval.
func TestStepIntervals(t *testing.T) {
	var inst []summary.Step
	for k := range int64(7) {
		inst = append(inst, summary.Step{Start: 100 * k, End: 100*k + 50, Prefill: k == 5})
	}
	st := &summary.Steps{Warmup: 2, Instances: inst}
	for limit, want := range map[int]string{
		7: "[0 50 1 1 50 50 1 1 50 50 0 1 50 50 0 1 50 50 0 1 50 50 2 1 50 50 0 1]",
		// per 2: warm-up {0,1}, steady {2,3}, {4}, prefill {5}, {6}
		6: "[0 150 1 2 50 150 0 2 50 50 0 1 50 50 2 1 50 50 0 1]",
		4: "[0 150 1 2 50 150 0 2 50 50 0 1 50 50 2 1 50 50 0 1]",
		// per 3: {0,1} (the kind changes), {2,3,4}, {5}, {6}
		3: "[0 150 1 2 50 250 0 3 50 50 2 1 50 50 0 1]",
		// per 7 (and a limit of 0 or less counts as 1)
		1: "[0 150 1 2 50 250 0 3 50 50 2 1 50 50 0 1]",
		0: "[0 150 1 2 50 250 0 3 50 50 2 1 50 50 0 1]",
	} {
		if got := fmt.Sprint(stepIntervals(st, limit, ident)); got != want {
			t.Errorf("limit %d: %s, want %s", limit, got, want)
		}
	}
}

// TestTimelineDataWindow: ticks of ⌈window / 2^22⌉ ns; the span in ticks rounded up; times
// rounded down at an interval's start and up at its end; the window past ±2^61, or of no
// length, draws nothing.
func TestTimelineDataWindow(t *testing.T) {
	for _, c := range []struct {
		start, end int64
		unit, span int64
	}{
		{1000, 1000 + 3<<22, 3, 1 << 22},
		{1000, 1000 + 3<<22 + 1, 4, (3<<22 + 4) / 4},
		{-(1 << 61), -(1 << 61) + 10, 1, 10},
		{1<<61 - 10, 1 << 61, 1, 10},
		{0, 1, 1, 1},
	} {
		d := timelineData(spanStage(trace.Span{Start: c.start, End: c.end}))
		if d == nil {
			t.Errorf("[%d, %d): no timeline", c.start, c.end)
			continue
		}
		want := fmt.Sprintf("unit %d span %d: [{infer %s gpu [0 %d 1000]}]", c.unit, c.span, hexColor(0), c.span)
		if got := fmt.Sprintf("unit %d span %d: %v", d.Unit, d.Span, d.Lanes); got != want {
			t.Errorf("[%d, %d): %s, want %s", c.start, c.end, got, want)
		}
	}
	for _, sp := range []trace.Span{{Start: -(1 << 61) - 1, End: 0}, {Start: 0, End: 1<<61 + 1}, {Start: 5, End: 5}} {
		if d := timelineData(spanStage(sp)); d != nil {
			t.Errorf("%v: a timeline %+v", sp, d)
		}
	}
}

// TestTimelineDataLanes: per stage a lane of its steps (when it has any), then one per GPU (the
// GPU named when there are several); with three lanes or more, tlIntervals/lanes bounds the
// intervals of a lane, so spans merge across wider gaps: window/10,666 here, not window/16,000.
func TestTimelineDataLanes(t *testing.T) {
	const window = 16_000_000 // ticks of ⌈16e6 / 2^22⌉ = 4 ns; gap 16e6/10666 = 1500 ns
	spans := []trace.Span{{Start: 0, End: 100}, {Start: 1300, End: 1400}, {Start: window - 100, End: window}}
	st := summary.StageSummary{}
	st.Stage, st.Spans = "infer", spans
	for g := range 3 {
		st.Sets = append(st.Sets, trace.SpanSet{GPU: fmt.Sprintf("GPU %d", g), Spans: spans})
	}
	host := summary.StageSummary{} // steps, no GPU work
	host.Stage, host.Steps = "host", &summary.Steps{Range: "dom:step", Instances: []summary.Step{{Start: 400, End: 800}}}
	empty := summary.StageSummary{} // a step range without instances, no GPU work
	empty.Stage, empty.Steps = "idle", &summary.Steps{Range: ":step"}
	d := timelineData(&summary.Summary{Stages: []summary.StageSummary{st, host, empty}})
	if d == nil {
		t.Fatal("no timeline")
	}
	// [0,1400) merged (gap 1200 < 1500): ticks 0 to ⌈1400/4⌉ = 350, 200 of 1400 busy → 142‰;
	// [15999900, 16e6): ticks ⌊15999900/4⌋ = 3999975 to 4e6
	iv := "[0 350 142 3999625 25 1000]"
	var got []string
	for _, l := range d.Lanes {
		got = append(got, fmt.Sprintf("%s|%s|%s|%v", l.Label, l.Color, l.Kind, l.IV))
	}
	want := []string{"infer · GPU 0|" + hexColor(0) + "|gpu|" + iv, "infer · GPU 1|" + hexColor(0) + "|gpu|" + iv, "infer · GPU 2|" + hexColor(0) + "|gpu|" + iv,
		"host steps (dom:step)|" + hexColor(1) + "|steps|[100 100 0 1]"}
	if d.Unit != 4 || d.Span != window/4 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("unit %d span %d lanes:\n%v\nwant unit 4 span %d:\n%v", d.Unit, d.Span, got, window/4, want)
	}
}
