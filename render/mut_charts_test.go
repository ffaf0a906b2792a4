package render

import (
	"fmt"
	"testing"

	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/summary"
	"github.com/omnistat/omnistat/trace"
)

// boxRange is one NVTX push/pop range of a synthetic trace (default domain, process pid).
type boxRange struct {
	msg        string
	start, dur int64
}

// boxTrace builds a trace holding only the given NVTX ranges of process pid (inline texts, no
// domain), for rangeBoxChart.
func boxTrace(pid int64, rs []boxRange) *trace.Trace {
	tr := &trace.Trace{}
	n, null := &tr.NVTX, trace.Null
	text := map[string]int32{}
	for _, r := range rs {
		ti, ok := text[r.msg]
		if !ok {
			ti = int32(len(n.Texts))
			text[r.msg] = ti
			n.Texts = append(n.Texts, r.msg)
		}
		n.Start, n.End, n.EventType = append(n.Start, r.start), append(n.End, r.start+r.dur), append(n.EventType, trace.NVTXPushPopRange)
		n.GlobalTID, n.EndGlobalTID = append(n.GlobalTID, pid<<24|pid), append(n.EndGlobalTID, null)
		n.RangeID, n.Category, n.Color = append(n.RangeID, null), append(n.Category, null), append(n.Color, null)
		n.TextID, n.Text, n.DomainID, n.Payload = append(n.TextID, null), append(n.Text, ti), append(n.DomainID, 0), append(n.Payload, null)
	}
	return tr
}

// families lays out count instances of each family one after the other, 1 µs apart, each
// lasting dur ns.
func families(counts map[string]int, order []string, dur int64) []boxRange {
	var rs []boxRange
	t := int64(0)
	for _, f := range order {
		for range counts[f] {
			rs = append(rs, boxRange{f, t, dur})
			t += 1000
		}
	}
	return rs
}

func boxStage(pid int64, steps *summary.Steps) *summary.Summary {
	return &summary.Summary{Stages: []summary.StageSummary{{StageOverview: summary.StageOverview{Stage: "train", PIDs: []int64{pid}, Steps: steps}}}}
}

// boxNames is the Range column (families, chart order) and the Instances column of a box chart.
func boxNames(rows [][]table.Value) (names []string, counts []int64) {
	for _, r := range rows {
		names, counts = append(names, r[0].S), append(counts, r[7].I)
	}
	return names, counts
}

// TestBoxFamiliesStepFirst: the doc comment's rule: families with at least 4 instances, the
// stage's step range first even when it has the fewest, then the one with the most instances;
// at most boxRanges of them.
func TestBoxFamiliesStepFirst(t *testing.T) {
	counts := map[string]int{"step": 4, "fwd": 6, "bwd": 5, "opt": 3}
	tr := boxTrace(7, families(counts, []string{"opt", "bwd", "fwd", "step"}, 500))
	s := boxStage(7, &summary.Steps{Range: ":step", Count: 4})
	c := rangeBoxChart(s, tr)
	names, n := boxNames(c.Data.Rows)
	if fmt.Sprint(names) != "[step fwd]" || fmt.Sprint(n) != "[4 6]" {
		t.Errorf("boxes %v with %v instances; want [step fwd] with [4 6]", names, n)
	}
}

// TestBoxFamiliesNoSteps: without a step range the families go by instance count, ties by
// name; a family of 3 instances is left out, and a stage without Steps draws anyway.
func TestBoxFamiliesNoSteps(t *testing.T) {
	for _, c := range []struct {
		counts map[string]int
		want   string
	}{
		{map[string]int{"b": 5, "a": 5, "c": 7}, "[c a]"},
		{map[string]int{"b": 5, "a": 5}, "[a b]"},
		{map[string]int{"x": 3, "y": 4}, "[y]"},
		{map[string]int{"x": 3}, "[]"},
	} {
		var order []string
		for _, f := range []string{"x", "y", "c", "b", "a"} {
			if c.counts[f] > 0 {
				order = append(order, f)
			}
		}
		tr := boxTrace(3, families(c.counts, order, 500))
		ch := rangeBoxChart(boxStage(3, nil), tr)
		names, _ := boxNames(ch.Data.Rows)
		if fmt.Sprint(names) != c.want {
			t.Errorf("%v: boxes %v, want %s", c.counts, names, c.want)
		}
	}
}

// TestBoxPointsCap: a box has at most boxPoints points, the warm-up instances first, then the
// steady instances outside p5–p95 in what is left.
func TestBoxPointsCap(t *testing.T) {
	for _, c := range []struct {
		warm      int
		wantWarm  int
		wantOuter int
	}{
		{120, 120, 0}, // the warm-up fills the box: the outlier is not drawn
		{119, 119, 1},
		{130, 120, 0},
		{3, 3, 1},
	} {
		// warm-up steps of 50 ms + i µs, then 19 steady steps of 10 ms and one of 100 ms: p95 is
		// at most 10 ms by any quantile rule on 20 values, so the 100 ms one is the only outlier
		var rs []boxRange
		var inst []summary.Step
		t0 := int64(0)
		add := func(d int64) {
			rs = append(rs, boxRange{"step", t0, d})
			inst = append(inst, summary.Step{Start: t0, End: t0 + d})
			t0 += d + 1000
		}
		for i := range c.warm {
			add(50e6 + int64(i)*1000)
		}
		for range 19 {
			add(10e6)
		}
		add(100e6)
		steps := &summary.Steps{Range: ":step", Count: len(inst), Warmup: c.warm, Instances: inst}
		ch := rangeBoxChart(boxStage(9, steps), boxTrace(9, rs))
		if len(ch.Data.Rows) != 1 || ch.Data.Rows[0][8].I != int64(c.warm) || ch.Data.Rows[0][7].I != int64(c.warm+20) {
			t.Fatalf("warm %d: rows %v", c.warm, ch.Data.Rows)
		}
		var warm, outer int
		for i, p := range ch.Points.Rows {
			switch {
			case p[2].I == 1 && outer == 0:
				warm++
			case p[2].I == 0 && p[1].F == 100:
				outer++
			default:
				t.Errorf("warm %d: point %d %v out of place", c.warm, i, p)
			}
		}
		if warm != c.wantWarm || outer != c.wantOuter {
			t.Errorf("warm %d: %d warm-up and %d outlier points, want %d and %d", c.warm, warm, outer, c.wantWarm, c.wantOuter)
		}
	}
}

// kernSum is a cuda_gpu_kern_sum table of (name, total) rows.
func kernSum(name string, rows ...any) *table.Table {
	t := &table.Table{Name: name, Columns: []table.Column{{Name: "Total Time"}, {Name: "Name"}}}
	for i := 0; i < len(rows); i += 2 {
		t.Rows = append(t.Rows, []table.Value{table.I64(int64(rows[i+1].(int))), table.Str(rows[i].(string))})
	}
	return t
}

// TestTopKernelsTies: kernels of equal total time keep the summary's order (stage order, then
// the table's), the longest first.
func TestTopKernelsTies(t *testing.T) {
	s := &summary.Summary{Stages: []summary.StageSummary{
		{StageOverview: summary.StageOverview{Stage: "a"}, Tables: []*table.Table{kernSum("cuda_gpu_kern_sum", "k_one", 100_000_000, "k_two", 200_000_000)}},
		{StageOverview: summary.StageOverview{Stage: "b"}, Tables: []*table.Table{kernSum("cuda_api_sum", "k_api", 900_000_000), kernSum("cuda_gpu_kern_sum", "k_three", 200_000_000, "k_four", 200_000_000)}},
	}}
	for _, c := range []struct {
		top  int
		want string
	}{{10, "[k_two/a/200 k_three/b/200 k_four/b/200 k_one/a/100]"}, {4, "[k_two/a/200 k_three/b/200 k_four/b/200 k_one/a/100]"}, {2, "[k_two/a/200 k_three/b/200]"}} {
		ch := topKernelsChart(s, c.top)
		var got []string
		for _, r := range ch.Data.Rows {
			got = append(got, fmt.Sprintf("%s/%s/%g", r[0].S, r[1].S, r[2].F))
		}
		if fmt.Sprint(got) != c.want {
			t.Errorf("top %d: %v, want %s", c.top, got, c.want)
		}
	}
}

// TestAPIShareTopFive: the five functions with the most CUDA API time over all stages, ties by
// name, the rest as other; shares of the stage's API time in percent.
func TestAPIShareTopFive(t *testing.T) {
	// totals: e 60, d 50, c 40, b 30 (stage 1) + 0, a 30 (stage 2), f 30: a and b tie with f at 30
	st1 := kernSum("cuda_api_sum", "e", 60, "d", 50, "c", 40, "b", 30)
	st2 := kernSum("cuda_api_sum", "f", 30, "a", 30)
	s := &summary.Summary{Stages: []summary.StageSummary{
		{StageOverview: summary.StageOverview{Stage: "one", APINs: 180}, Tables: []*table.Table{st1}},
		{StageOverview: summary.StageOverview{Stage: "none"}},
		{StageOverview: summary.StageOverview{Stage: "two", APINs: 60}, Tables: []*table.Table{st2}},
	}}
	ch := apiShareChart(s)
	var cols []string
	for _, c := range ch.Data.Columns {
		cols = append(cols, c.Name)
	}
	if want := "[Stage e (%) d (%) c (%) a (%) b (%) other (%)]"; fmt.Sprint(cols) != want {
		t.Errorf("columns %v, want %s", cols, want)
	}
	// stage one: e 60/180 = 33.3, d 27.8, c 22.2, a 0, b 16.7, other 0; stage two: a 50, f in other 50
	want := []string{"one 33.3 27.8 22.2 0 16.7 0", "two 0 0 0 50 0 50"}
	if len(ch.Data.Rows) != len(want) {
		t.Fatalf("rows %v, want %d (a stage without API time has none)", ch.Data.Rows, len(want))
	}
	for i, r := range ch.Data.Rows {
		got := r[0].S
		for _, v := range r[1:] {
			got += fmt.Sprintf(" %g", v.F)
		}
		if got != want[i] {
			t.Errorf("row %d: %s, want %s", i, got, want[i])
		}
	}
}
