package render

import (
	"fmt"
	"github.com/omnistat/omnistat/diff"
	"github.com/omnistat/omnistat/plots"
	"github.com/omnistat/omnistat/reports"
	"github.com/omnistat/omnistat/summary"
	"sort"
	"strings"

	"github.com/omnistat/omnistat/reports/stat"
	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/trace"
)

// Charts builds the report's charts from a summary and its trace.
func Charts(s *summary.Summary, tr *trace.Trace, top int) []plots.Chart {
	var stages []string
	for _, st := range s.Stages {
		stages = append(stages, st.Stage)
	}
	charts := []plots.Chart{stageTimeChart(s), topKernelsChart(s, top), apiShareChart(s), rangeBoxChart(s, tr), timelineChart(s)}
	out := charts[:0]
	for _, c := range charts {
		if c.Data != nil && len(c.Data.Rows) > 0 {
			c.Stages = stages
			out = append(out, c)
		}
	}
	return out
}

func ms(ns int64) float64 { return float64(ns) / 1e6 }

// stageTimeChart: per stage, its GPU time over its wall time times its GPUs: the busy time
// (each GPU's union of operations) split by category in proportion to the categories' summed
// times, and the idle rest. Operations that overlap (replicas sharing a GPU, streams) are counted
// once, so the bar is never taller than wall × GPUs and idle is never negative.
func stageTimeChart(s *summary.Summary) plots.Chart {
	t := &table.Table{Name: "stage_time", Columns: []table.Column{{Name: "Stage"}, {Name: "Kernels (ms)", Unit: table.Ratio},
		{Name: "Memcpy (ms)", Unit: table.Ratio}, {Name: "Memset (ms)", Unit: table.Ratio}, {Name: "GPU idle (ms)", Unit: table.Ratio}}}
	for _, st := range s.Stages {
		capacity := st.WallNs * int64(max(st.Devices, 1))
		busy := min(max(st.GPUBusy, 0), max(capacity, 0))
		sum := st.KernelNs + st.MemcpyNs + st.MemsetNs
		share := func(ns int64) float64 {
			if sum <= 0 {
				return 0
			}
			return stat.Round(float64(ns)/float64(sum)*float64(busy)/1e6, 6)
		}
		t.Rows = append(t.Rows, []table.Value{table.Str(st.Stage), table.F64(share(st.KernelNs)), table.F64(share(st.MemcpyNs)),
			table.F64(share(st.MemsetNs)), table.F64(ms(max(capacity-busy, 0)))})
	}
	return plots.Chart{Name: "stage_time", Kind: plots.Stacked, Title: "GPU time per stage: busy by category (overlaps once), idle = wall × GPUs − busy",
		YLabel: "time (ms)", Data: t}
}

// maxChartBars is the most bars the top-kernels chart draws, whatever --top says: its figure
// has room for about that many labels (--top 100000 drew 80 over one another).
const maxChartBars = 20

// topKernelsChart: the kernels with the most total time, over all stages (at most maxChartBars).
func topKernelsChart(s *summary.Summary, top int) plots.Chart {
	top = min(top, maxChartBars)
	t := &table.Table{Name: "top_kernels", Columns: []table.Column{{Name: "Kernel"}, {Name: "Stage"}, {Name: "Total (ms)", Unit: table.Ratio}}}
	type k struct {
		name, stage string
		total       int64
	}
	var ks []k
	for _, st := range s.Stages {
		for _, tb := range st.Tables {
			if tb.Name != "cuda_gpu_kern_sum" {
				continue
			}
			ni, ti := tb.Col("Name"), tb.Col("Total Time")
			for _, r := range tb.Rows {
				ks = append(ks, k{r[ni].S, st.Stage, r[ti].I})
			}
		}
	}
	sort.SliceStable(ks, func(i, j int) bool { return ks[i].total > ks[j].total })
	if len(ks) > top {
		ks = ks[:top]
	}
	names := newKernelNames(s.KernelSignatures()) // as the summary's tables name them, cut as report.md cuts them
	for i := range ks {
		ks[i].name = names.cut(Printable(names.of(ks[i].name)), reportMaxText)
	}
	for _, x := range ks {
		t.Rows = append(t.Rows, []table.Value{table.Str(x.name), table.Str(x.stage), table.F64(ms(x.total))})
	}
	return plots.Chart{Name: "top_kernels", Kind: plots.HBars, Title: fmt.Sprintf("Top %d kernels by total GPU time", len(ks)), XLabel: "total time (ms)", Data: t}
}

// apiShareChart: per stage, the share of its CUDA API time by function (top 5 functions of all
// stages, the rest as "other").
func apiShareChart(s *summary.Summary) plots.Chart {
	totals := map[string]int64{}
	per := make([]map[string]int64, len(s.Stages))
	for i, st := range s.Stages {
		per[i] = map[string]int64{}
		for _, tb := range st.Tables {
			if tb.Name != "cuda_api_sum" {
				continue
			}
			ni, ti := tb.Col("Name"), tb.Col("Total Time")
			for _, r := range tb.Rows {
				per[i][r[ni].S] += r[ti].I
				totals[r[ni].S] += r[ti].I
			}
		}
	}
	var names []string
	for n := range totals {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if totals[names[i]] != totals[names[j]] {
			return totals[names[i]] > totals[names[j]]
		}
		return names[i] < names[j]
	})
	if len(names) > 5 {
		names = names[:5]
	}
	t := &table.Table{Name: "api_share", Columns: []table.Column{{Name: "Stage"}}}
	for _, n := range names {
		t.Columns = append(t.Columns, table.Column{Name: n + " (%)", Unit: table.Ratio})
	}
	t.Columns = append(t.Columns, table.Column{Name: "other (%)", Unit: table.Ratio})
	for i, st := range s.Stages {
		if st.APINs == 0 {
			continue
		}
		row := []table.Value{table.Str(st.Stage)}
		var shown int64
		for _, n := range names {
			row = append(row, table.F64(stat.Round(float64(per[i][n])*100/float64(st.APINs), 1)))
			shown += per[i][n]
		}
		row = append(row, table.F64(stat.Round(float64(st.APINs-shown)*100/float64(st.APINs), 1)))
		t.Rows = append(t.Rows, row)
	}
	return plots.Chart{Name: "api_share", Kind: plots.Stacked, Title: "CUDA API time share per stage", YLabel: "share of the stage's CUDA API time (%)", Data: t}
}

// Caps on what the step chart draws.
const (
	boxRanges = 2   // range families per stage
	boxPoints = 120 // points per box: the warm-up instances first, then the steady outliers
)

// rangeBoxChart: the duration distribution of each stage's NVTX range families with the most
// instances (at least 4; the stage's step range first, then one more): box and whiskers over the
// steady instances (those starting at or after the stage's first steady step), the warm-up
// instances and the steady ones outside p5–p95 as points.
func rangeBoxChart(s *summary.Summary, tr *trace.Trace) plots.Chart {
	t := &table.Table{Name: "step_ranges", Columns: []table.Column{{Name: "Range"}, {Name: "Stage"}, {Name: "P5 (ms)", Unit: table.Ratio},
		{Name: "Q1 (ms)", Unit: table.Ratio}, {Name: "Median (ms)", Unit: table.Ratio}, {Name: "Q3 (ms)", Unit: table.Ratio},
		{Name: "P95 (ms)", Unit: table.Ratio}, {Name: "Instances", Unit: table.Count}, {Name: "Warm-up", Unit: table.Count}}}
	pts := &table.Table{Name: "step_points", Columns: []table.Column{{Name: "Row", Unit: table.ID}, {Name: "Duration (ms)", Unit: table.Ratio},
		{Name: "Warm-up", Unit: table.Count}}}
	n := &tr.NVTX
	names := reports.NewNVTXNames(tr)
	maxTS, _ := n.MaxTimestamp()
	families := map[string]string{} // message → family
	type inst struct{ start, dur int64 }
	for _, st := range s.Stages {
		by := map[string][]inst{}
		for i := range n.Start {
			if !trace.IsRange(n.EventType[i]) || !containsPID(st.PIDs, trace.PID(n.GlobalTID[i])) {
				continue
			}
			msg, _ := n.Message(&tr.Strings, i)
			f, ok := families[msg]
			if !ok {
				f = stage.Family(msg)
				families[msg] = f
			}
			key := names.Domain(i) + ":" + f
			by[key] = append(by[key], inst{n.Start[i], reports.RangeEnd(n, i, maxTS) - n.Start[i]})
		}
		stepRange := ""
		if st.Steps != nil {
			stepRange = st.Steps.Range
		}
		var keys []string
		for k, v := range by {
			if len(v) >= 4 {
				keys = append(keys, k)
			}
		}
		sort.Slice(keys, func(i, j int) bool {
			if (keys[i] == stepRange) != (keys[j] == stepRange) {
				return keys[i] == stepRange
			}
			if len(by[keys[i]]) != len(by[keys[j]]) {
				return len(by[keys[i]]) > len(by[keys[j]])
			}
			return keys[i] < keys[j]
		})
		if len(keys) > boxRanges {
			keys = keys[:boxRanges]
		}
		steadyStart := st.Steps.SteadyStart()
		for _, k := range keys {
			var warm, steady []int64
			for _, x := range by[k] {
				if x.start < steadyStart {
					warm = append(warm, x.dur)
				} else {
					steady = append(steady, x.dur)
				}
			}
			if len(steady) == 0 {
				steady, warm = warm, nil
			}
			x := stat.Summarize(steady) // sorts steady
			p5, p95 := stat.Quantile(steady, 0.05), stat.Quantile(steady, 0.95)
			row := int64(len(t.Rows))
			t.Rows = append(t.Rows, []table.Value{table.Str(strings.TrimPrefix(k, ":")), table.Str(st.Stage), table.F64(p5 / 1e6), table.F64(x.Q1 / 1e6),
				table.F64(x.Med / 1e6), table.F64(x.Q3 / 1e6), table.F64(p95 / 1e6), table.I64(int64(len(by[k]))), table.I64(int64(len(warm)))})
			var out []int64
			for _, d := range steady {
				if float64(d) < p5 || float64(d) > p95 {
					out = append(out, d)
				}
			}
			for _, d := range spread(warm, boxPoints) {
				pts.Rows = append(pts.Rows, []table.Value{table.I64(row), table.F64(ms(d)), table.I64(1)})
			}
			for _, d := range spread(out, boxPoints-min(len(warm), boxPoints)) {
				pts.Rows = append(pts.Rows, []table.Value{table.I64(row), table.F64(ms(d)), table.I64(0)})
			}
		}
	}
	return plots.Chart{Name: "step_ranges", Kind: plots.Boxes, Title: "Per-step NVTX ranges: box Q1–Q3 and whiskers p5–p95 of the steady steps",
		YLabel: "duration (ms)", Data: t, Points: pts}
}

// spread keeps at most n of xs, evenly spaced (the first and the last kept).
func spread(xs []int64, n int) []int64 {
	if len(xs) <= n {
		return xs
	}
	if n <= 1 {
		return xs[:max(n, 0)]
	}
	out := make([]int64, n)
	for i := range out {
		out[i] = xs[i*(len(xs)-1)/(n-1)]
	}
	return out
}

func containsPID(pids []int64, p int64) bool {
	for _, x := range pids {
		if x == p {
			return true
		}
	}
	return false
}

// timelineBins is about the number of bins of the utilisation timeline: the bin width is the
// round duration (1, 2 or 5 × 10^k ns) that cuts the window into at most this many.
const timelineBins = 150

// timelineChart: GPU busy percent over the capture (or filter) window per stage, and per GPU when a stage
// runs on several, in bins of a round width.
func timelineChart(s *summary.Summary) plots.Chart {
	first, last := int64(1<<63-1), int64(-1<<63)
	for _, st := range s.Stages {
		for _, sp := range st.Spans {
			first, last = min(first, sp.Start), max(last, sp.End)
		}
	}
	// a window the clock cannot hold (damaged timestamps near the int64 limits) has no timeline:
	// its bin arithmetic would overflow
	const limit = 1 << 61
	if last <= first || first < -limit || last > limit {
		return plots.Chart{}
	}
	over := "capture window"
	if s.Filter != nil {
		over = "filter window " + s.Filter.Flag + " " + s.Filter.Value
	}
	width := max(int64(plots.NiceCeil(float64(last-first)/timelineBins)), 1)
	bins := (last - first + width - 1) / width
	t := &table.Table{Name: "gpu_timeline", Columns: []table.Column{{Name: "Time (ms)", Unit: table.Ratio}}}
	var series [][]int64
	for _, st := range s.Stages {
		sets := st.Sets
		if len(sets) == 0 {
			sets = []trace.SpanSet{{Spans: st.Spans}}
		}
		for _, set := range sets {
			name := st.Stage
			if len(sets) > 1 {
				name += " " + set.GPU
			}
			t.Columns = append(t.Columns, table.Column{Name: name + " (%)", Unit: table.Ratio})
			busy := make([]int64, bins)
			for _, sp := range set.Spans {
				for b := (sp.Start - first) / width; b < bins && first+b*width < sp.End; b++ {
					lo, hi := max(sp.Start, first+b*width), min(sp.End, first+(b+1)*width)
					if hi > lo {
						busy[b] += hi - lo
					}
				}
			}
			series = append(series, busy)
		}
	}
	for b := int64(0); b < bins; b++ {
		row := []table.Value{table.F64(ms(b * width))}
		for _, busy := range series {
			row = append(row, table.F64(stat.Round(min(float64(busy[b])*100/float64(width), 100), 1)))
		}
		t.Rows = append(t.Rows, row)
	}
	return plots.Chart{Name: "gpu_timeline", Kind: plots.Timeline, Title: fmt.Sprintf("GPU busy per stage and GPU over the %s (bins of %s)", over, durationText(width)),
		XLabel: "time since the first GPU operation (ms)", YLabel: "GPU busy (%)", Data: t}
}

// durationText is a round duration in its unit: "50 ms", "200 µs", "2 s".
func durationText(ns int64) string {
	switch {
	case ns >= 1e9 && ns%1e8 == 0:
		return fmt.Sprintf("%g s", float64(ns)/1e9)
	case ns >= 1e6:
		return fmt.Sprintf("%g ms", float64(ns)/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%g µs", float64(ns)/1e3)
	}
	return fmt.Sprintf("%d ns", ns)
}

// ChartGrouped draws side-by-side bars: rows are categories, columns after the first are the
// bars of each category (base, new).
const ChartGrouped = plots.Grouped

// DiffCharts compare, per stage, base and new wall, GPU busy, kernel and CUDA API time (per
// step when the diff is normalised): one chart per stage, so stages of different scales stay legible.
func DiffCharts(d *diff.Result) []plots.Chart {
	var out []plots.Chart
	for _, s := range d.Stages {
		if !s.InBase || !s.InNew {
			continue
		}
		t := &table.Table{Name: "stage_diff_" + s.Stage, Columns: []table.Column{{Name: "Figure"}, {Name: "Base (ms)", Unit: table.Ratio}, {Name: "New (ms)", Unit: table.Ratio}}}
		for _, i := range []int{0, 1, 2, 4} { // wall, GPU busy, kernel time, CUDA API time
			r := s.Overview.Rows[i]
			t.Rows = append(t.Rows, []table.Value{table.Str(strings.TrimSuffix(r[0].S, " (ns)")), table.F64(r[1].F / 1e6), table.F64(r[2].F / 1e6)})
		}
		title := "Stage " + s.Stage + ": base and new"
		if s.Per != "" {
			title += " per " + s.Per
		}
		out = append(out, plots.Chart{Name: "stage_diff_" + s.Stage, Kind: ChartGrouped, Title: title, YLabel: "time (ms)", Data: t})
	}
	return out
}
