package render

import (
	"fmt"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/diff"
	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/summary"
	"github.com/omnistat/omnistat/trace"
)

func spanStage(spans ...trace.Span) *summary.Summary {
	return &summary.Summary{Stages: []summary.StageSummary{{StageOverview: summary.StageOverview{Stage: "infer", Spans: spans}}}}
}

// busyRow is a timeline row as "time: busy%".
func busyRows(c [][]table.Value) []string {
	var out []string
	for _, r := range c {
		out = append(out, fmt.Sprintf("%g:%g", r[0].F, r[1].F))
	}
	return out
}

// TestTimelineBins: a 150 µs window is cut into 150 bins of 1 µs (the round width that gives at
// most timelineBins bins), no more; each bin's busy percent is the span time inside it.
func TestTimelineBins(t *testing.T) {
	for _, base := range []int64{0, -(1 << 61), 1<<61 - 150000} { // the window may touch ±2^61
		// busy [0, 1.5 µs) and [2.5 µs, 150 µs): bins 0 and 3.. full, bins 1 and 2 half
		s := spanStage(trace.Span{Start: base, End: base + 1500}, trace.Span{Start: base + 2500, End: base + 150000})
		c := timelineChart(s)
		if c.Data == nil {
			t.Fatalf("base %d: no timeline", base)
		}
		if !strings.Contains(c.Title, "over the capture window (bins of 1 µs)") {
			t.Errorf("base %d: title %q", base, c.Title)
		}
		rows := busyRows(c.Data.Rows)
		if len(rows) != 150 {
			t.Fatalf("base %d: %d bins, want 150", base, len(rows))
		}
		for b, r := range rows {
			want := 100.0
			if b == 1 || b == 2 {
				want = 50
			}
			if w := fmt.Sprintf("%g:%g", float64(b)/1000, want); r != w {
				t.Errorf("base %d: bin %d is %s, want %s", base, b, r, w)
			}
		}
	}
}

// TestTimelineLimits: a window reaching past ±2^61 has no timeline; one of no length none.
func TestTimelineLimits(t *testing.T) {
	for _, sp := range []trace.Span{{Start: -(1 << 61) - 1, End: 0}, {Start: 0, End: 1<<61 + 1}} {
		if c := timelineChart(spanStage(sp)); c.Data != nil {
			t.Errorf("%v: a timeline of %d bins", sp, len(c.Data.Rows))
		}
	}
	for _, c := range Charts(spanStage(trace.Span{Start: 5, End: 5}), &trace.Trace{}, 10) {
		if c.Name == "gpu_timeline" {
			t.Errorf("a window of no length: a timeline of %d bins", len(c.Data.Rows))
		}
	}
}

// TestTimelineFilterTitle: under a filter the title names the filter's window.
func TestTimelineFilterTitle(t *testing.T) {
	s := spanStage(trace.Span{Start: 0, End: 3000})
	s.Filter = &summary.Window{Flag: "--filter-time", Value: "1ms/2ms"}
	c := timelineChart(s)
	if want := "GPU busy per stage and GPU over the filter window --filter-time 1ms/2ms (bins of 20 ns)"; c.Title != want {
		t.Errorf("title %q, want %q", c.Title, want)
	}
}

// TestDurationText: a round duration in the largest unit it is a whole or one-decimal number of.
func TestDurationText(t *testing.T) {
	for ns, want := range map[int64]string{1: "1 ns", 999: "999 ns", 1000: "1 µs", 200_000: "200 µs", 999_999: "999.999 µs",
		1_000_000: "1 ms", 50_000_000: "50 ms", 999_000_000: "999 ms", 1_000_000_000: "1 s", 2_000_000_000: "2 s",
		1_500_000_000: "1.5 s", 1_050_000_000: "1050 ms"} {
		if got := durationText(ns); got != want {
			t.Errorf("durationText(%d) = %q, want %q", ns, got, want)
		}
	}
}

// TestSpread: at most n of xs, evenly spaced, the first and the last kept.
func TestSpread(t *testing.T) {
	xs := []int64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	for n, want := range map[int]string{-1: "[]", 0: "[]", 1: "[0]", 2: "[0 9]", 4: "[0 3 6 9]", 5: "[0 2 4 6 9]", 10: fmt.Sprint(xs), 11: fmt.Sprint(xs)} {
		if got := fmt.Sprint(spread(xs, n)); got != want {
			t.Errorf("spread(0..9, %d) = %s, want %s", n, got, want)
		}
	}
}

// TestDiffCharts: one grouped chart per stage in both runs: wall, GPU busy, kernel and CUDA API
// time in ms, base and new; the title says when the values are per step.
func TestDiffCharts(t *testing.T) {
	ov := &table.Table{Columns: []table.Column{{Name: "Figure"}, {Name: "Base"}, {Name: "New"}}}
	for _, r := range []struct {
		name      string
		base, new float64
	}{{"wall (ns)", 2e6, 3e6}, {"GPU busy (ns)", 1e6, 1.5e6}, {"kernel time (ns)", 5e5, 6e5}, {"memory op time (ns)", 9, 9}, {"CUDA API time (ns)", 4e5, 2e5}} {
		ov.Rows = append(ov.Rows, []table.Value{table.Str(r.name), table.F64(r.base), table.F64(r.new)})
	}
	d := &diff.Result{Stages: []diff.Stage{{Stage: "gone", InBase: true, Overview: ov}, {Stage: "new", InNew: true, Overview: ov},
		{Stage: "train", InBase: true, InNew: true, Per: "step", Overview: ov}, {Stage: "eval", InBase: true, InNew: true, Overview: ov}}}
	cs := DiffCharts(d)
	var got []string
	for _, c := range cs {
		got = append(got, c.Name+"|"+c.Kind+"|"+c.Title+"|"+c.Data.Name)
		for _, r := range c.Data.Rows {
			got = append(got, fmt.Sprintf("%s %g %g", r[0].S, r[1].F, r[2].F))
		}
	}
	rows := []string{"wall 2 3", "GPU busy 1 1.5", "kernel time 0.5 0.6", "CUDA API time 0.4 0.2"}
	want := append(append([]string{"stage_diff_train|" + ChartGrouped + "|Stage train: base and new per step|stage_diff_train"}, rows...),
		append([]string{"stage_diff_eval|" + ChartGrouped + "|Stage eval: base and new|stage_diff_eval"}, rows...)...)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diff charts:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
