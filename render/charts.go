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

// stageTimeChart: per stage, GPU time by category and GPU idle time over the stage's wall time
// (times its GPUs: a stage on two GPUs has twice the wall time to fill).
func stageTimeChart(s *summary.Summary) plots.Chart {
	t := &table.Table{Name: "stage_time", Columns: []table.Column{{Name: "Stage"}, {Name: "Kernels (ms)", Unit: table.Ratio},
		{Name: "Memcpy (ms)", Unit: table.Ratio}, {Name: "Memset (ms)", Unit: table.Ratio}, {Name: "GPU idle (ms)", Unit: table.Ratio}}}
	for _, st := range s.Stages {
		idle := st.WallNs*int64(max(st.Devices, 1)) - st.GPUBusy // per GPU: busy time is summed over them
		if idle < 0 {
			idle = 0
		}
		t.Rows = append(t.Rows, []table.Value{table.Str(st.Stage), table.F64(ms(st.KernelNs)), table.F64(ms(st.MemcpyNs)),
			table.F64(ms(st.MemsetNs)), table.F64(ms(idle))})
	}
	return plots.Chart{Name: "stage_time", Kind: plots.Stacked, Title: "GPU time per stage, by category (idle: stage wall time without GPU work)",
		YLabel: "time (ms)", Data: t}
}

// topKernelsChart: the kernels with the most total time, over all stages.
func topKernelsChart(s *summary.Summary, top int) plots.Chart {
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
				ks = append(ks, k{summary.ShortKernelName(r[ni].S), st.Stage, r[ti].I})
			}
		}
	}
	sort.SliceStable(ks, func(i, j int) bool { return ks[i].total > ks[j].total })
	if len(ks) > top {
		ks = ks[:top]
	}
	seen := map[string]int{} // short names can collide (template instances): number them
	for i := range ks {
		seen[ks[i].name]++
		if n := seen[ks[i].name]; n > 1 {
			ks[i].name = fmt.Sprintf("%s #%d", ks[i].name, n)
		}
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

// rangeBoxChart: the duration distribution of the per-step NVTX ranges (push/pop ranges with the
// most instances in each stage, up to two per stage).
func rangeBoxChart(s *summary.Summary, tr *trace.Trace) plots.Chart {
	t := &table.Table{Name: "step_ranges", Columns: []table.Column{{Name: "Range"}, {Name: "Stage"}, {Name: "Min (ms)", Unit: table.Ratio},
		{Name: "Q1 (ms)", Unit: table.Ratio}, {Name: "Median (ms)", Unit: table.Ratio}, {Name: "Q3 (ms)", Unit: table.Ratio},
		{Name: "Max (ms)", Unit: table.Ratio}, {Name: "Instances", Unit: table.Count}}}
	names := reports.NewNVTXNames(tr)
	maxTS, _ := tr.NVTX.MaxTimestamp()
	for _, st := range s.Stages {
		durs := map[string][]int64{}
		for i := range tr.NVTX.Start {
			if !trace.IsPushPop(tr.NVTX.EventType[i]) || !containsPID(st.PIDs, trace.PID(tr.NVTX.GlobalTID[i])) {
				continue
			}
			n := names.Name(i)
			durs[n] = append(durs[n], reports.RangeEnd(&tr.NVTX, i, maxTS)-tr.NVTX.Start[i])
		}
		var ns []string
		for n, d := range durs {
			if len(d) >= 4 {
				ns = append(ns, n)
			}
		}
		sort.Slice(ns, func(i, j int) bool {
			if len(durs[ns[i]]) != len(durs[ns[j]]) {
				return len(durs[ns[i]]) > len(durs[ns[j]])
			}
			return ns[i] < ns[j]
		})
		if len(ns) > 2 {
			ns = ns[:2]
		}
		for _, n := range ns {
			x := stat.Summarize(durs[n])
			t.Rows = append(t.Rows, []table.Value{table.Str(n), table.Str(st.Stage), table.F64(ms(x.Min)), table.F64(x.Q1 / 1e6),
				table.F64(x.Med / 1e6), table.F64(x.Q3 / 1e6), table.F64(ms(x.Max)), table.I64(x.Count)})
		}
	}
	return plots.Chart{Name: "step_ranges", Kind: plots.Boxes, Title: "Duration of the per-step NVTX ranges (box: quartiles; whiskers: min, max)",
		YLabel: "duration (ms)", Data: t}
}

func containsPID(pids []int64, p int64) bool {
	for _, x := range pids {
		if x == p {
			return true
		}
	}
	return false
}

// timelineBins is the number of bins of the utilisation timeline.
const timelineBins = 100

// timelineChart: GPU busy percent per stage over the capture window, in timelineBins bins (per
// GPU: the mean over the stage's GPUs).
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
	width := (last - first + timelineBins - 1) / timelineBins
	t := &table.Table{Name: "gpu_timeline", Columns: []table.Column{{Name: "Time (ms)", Unit: table.Ratio}}}
	busy := make([][]int64, len(s.Stages))
	gpus := make([]int64, len(s.Stages))
	for i, st := range s.Stages {
		t.Columns = append(t.Columns, table.Column{Name: st.Stage + " (%)", Unit: table.Ratio})
		busy[i] = make([]int64, timelineBins)
		sets := st.Sets // per GPU: a stage on two GPUs is 100 % busy when both are
		if len(sets) == 0 {
			sets = []trace.SpanSet{{Spans: st.Spans}}
		}
		for _, set := range sets {
			for _, sp := range set.Spans {
				for b := (sp.Start - first) / width; b < timelineBins && first+b*width < sp.End; b++ {
					lo, hi := max(sp.Start, first+b*width), min(sp.End, first+(b+1)*width)
					if hi > lo {
						busy[i][b] += hi - lo
					}
				}
			}
		}
		gpus[i] = int64(len(sets))
	}
	for b := int64(0); b < timelineBins; b++ {
		row := []table.Value{table.F64(ms(b * width))}
		for i := range s.Stages {
			row = append(row, table.F64(stat.Round(float64(busy[i][b])*100/float64(width*gpus[i]), 1)))
		}
		t.Rows = append(t.Rows, row)
	}
	return plots.Chart{Name: "gpu_timeline", Kind: plots.Timeline, Title: fmt.Sprintf("GPU busy per stage over the capture window (%d bins of %.2f ms)", timelineBins, ms(width)),
		XLabel: "time since the first GPU operation (ms)", YLabel: "GPU busy (%)", Data: t}
}

// ChartGrouped draws side-by-side bars: rows are categories, columns after the first are the
// bars of each category (base, new).
const ChartGrouped = "grouped_bars"

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
