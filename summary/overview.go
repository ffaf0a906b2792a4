package summary

import (
	"slices"
	"strconv"
	"strings"

	"github.com/omnistat/omnistat/internal/par"
	"github.com/omnistat/omnistat/reports"
	"github.com/omnistat/omnistat/reports/stat"
	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/trace"
)

// overview is the stage's line of the overview; its wall time and GPU spans are clipped to the
// window clip (the filter window, everything without a filter). With kernels, its kernels'
// spans by GPU (kernelSpans) are made too, beside the rest, instead of on first use.
func overview(sub *trace.Trace, st stage.Stage, clip trace.Span, kernels bool) StageOverview {
	o := StageOverview{Stage: st.Key, Source: st.Source}
	for _, p := range st.Procs {
		o.PIDs = append(o.PIDs, trace.PID(p))
	}
	o.Replicas = len(st.Procs)
	if st.Mixed {
		o.Replicas = 0 // processes of different roles
	}
	first, last := int64(1<<63-1), int64(-1<<63)
	see := func(s, e int64) {
		first, last = min(first, s), max(last, e)
	}
	total := func(start, end []int64) int64 { // the summed durations; first and last seen
		t, lo, hi := spanTotals(start, end)
		if len(start) > 0 {
			see(lo, hi)
		}
		return t
	}
	o.APINs = total(sub.Runtime.Start, sub.Runtime.End)
	o.KernelNs = total(sub.Kernels.Start, sub.Kernels.End)
	o.MemcpyNs = total(sub.Memcpy.Start, sub.Memcpy.End)
	o.MemsetNs = total(sub.Memset.Start, sub.Memset.End)
	o.events = sub.Runtime.Len() + sub.Kernels.Len() + sub.Memcpy.Len() + sub.Memset.Len()
	maxTS, _ := sub.NVTX.MaxTimestamp()
	for i := range sub.NVTX.Start {
		if trace.IsRange(sub.NVTX.EventType[i]) {
			see(sub.NVTX.Start[i], reports.RangeEnd(&sub.NVTX, i, maxTS))
			o.events++
		}
	}
	// the filter keeps whole events that overlap its window: the wall time is that of the window
	first, last = max(first, clip.Start), min(last, clip.End)
	if last > first {
		o.WallNs = last - first - sub.UncapturedIn(first, last) // time between merged windows was not recorded
		o.first, o.last = first, last
	}
	// the GPU spans (sorted and disjoint: overlap checks need no more sorting), the kernels'
	// spans per device and the operations' per device are independent: computed concurrently
	o.devices = trace.DevicesOf(sub)
	o.devOps = map[int64][]trace.Span{}
	o.sub, o.clip = sub, clip // for kernelSpans
	var g par.Group
	if kernels {
		g.Go(func() { o.kernelSpans() })
	}
	g.Go(func() {
		o.Spans = clipSpans(trace.GPUSpans(sub), clip)
		o.Sets = clipSets(trace.SpanSets(sub, o.Spans), clip)
		o.GPUBusy, o.Devices = trace.BusyOf(o.Sets) // per GPU: each device's own union, summed
	})
	if len(o.devices) > 1 {
		g.Go(func() {
			cat := func(cols ...[]int64) []int64 { return slices.Concat(cols...) }
			nk, nc := sub.Kernels.Len(), sub.Memcpy.Len()
			runs := func(f func(lo, hi int, d int64)) { // the rows of the three tables one after another
				sub.Kernels.Device.Runs(f)
				sub.Memcpy.Device.Runs(func(lo, hi int, d int64) { f(nk+lo, nk+hi, d) })
				sub.Memset.Device.Runs(func(lo, hi int, d int64) { f(nk+nc+lo, nk+nc+hi, d) })
			}
			o.devOps = clipDevs(devSpans(cat(sub.Kernels.Start, sub.Memcpy.Start, sub.Memset.Start), cat(sub.Kernels.End, sub.Memcpy.End, sub.Memset.End),
				runs), clip)
		})
	}
	g.Wait()
	if len(o.devices) == 1 {
		o.devOps[o.devices[0]] = o.Spans
	}
	if o.WallNs > 0 {
		o.GPUPct = stat.Percent(o.GPUBusy, o.WallNs*int64(o.Devices))
	}
	return o
}

// kernelSpans are the stage's kernels' spans by GPU, sorted and disjoint, cut to its window:
// made on first use (only a pair of stages on one GPU needs them, after every stage's jobs, so
// they are not held while the jobs run) and kept, or by overview when asked to.
func (o *StageOverview) kernelSpans() map[int64][]trace.Span {
	if o.devKernels == nil {
		o.devKernels = map[int64][]trace.Span{}
		if o.sub != nil {
			o.devKernels = clipDevs(devSpans(o.sub.Kernels.Start, o.sub.Kernels.End, o.sub.Kernels.Device.Runs), o.clip)
		}
	}
	return o.devKernels
}

func overviewTable(stages []StageSummary) *table.Table {
	t := &table.Table{Name: "stage_overview", Title: "Stage Overview",
		Columns: []table.Column{{Name: "Stage"}, {Name: "PIDs"}, {Name: "Wall", Unit: table.Ns}, {Name: "GPU Busy", Unit: table.Percent},
			{Name: "Kernels", Unit: table.Ns}, {Name: "MemOps", Unit: table.Ns}, {Name: "CUDA API", Unit: table.Ns}, {Name: "Top NVTX Range"}}}
	for _, s := range stages {
		var pids []string
		for _, p := range s.PIDs {
			pids = append(pids, strconv.FormatInt(p, 10))
		}
		t.Rows = append(t.Rows, []table.Value{table.Str(s.Stage), table.Str(strings.Join(pids, ",")), table.I64(s.WallNs),
			table.F64(s.GPUPct), table.I64(s.KernelNs), table.I64(s.MemcpyNs + s.MemsetNs), table.I64(s.APINs), table.Str(s.TopRange)})
	}
	return t
}

// spanTotals is the summed durations of rows (their starts and ends), their first start and
// their last end, in parallel parts.
func spanTotals(start, end []int64) (total, first, last int64) {
	parts := par.Parts(len(start))
	type part struct{ t, lo, hi int64 }
	ps := make([]part, parts)
	par.ForParts(len(start), parts, func(p, lo, hi int) {
		x := part{lo: 1<<63 - 1, hi: -1 << 63} // kept here, stored once
		for i := lo; i < hi; i++ {
			x.lo, x.hi = min(x.lo, start[i]), max(x.hi, end[i])
			x.t += end[i] - start[i]
		}
		ps[p] = x
	})
	first, last = 1<<63-1, -1<<63
	for _, x := range ps {
		total, first, last = total+x.t, min(first, x.lo), max(last, x.hi)
	}
	return total, first, last
}
