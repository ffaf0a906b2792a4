package reports

import (
	"slices"
	"sort"

	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/trace"
)

func init() {
	registerRule(Rule{
		Name: "gpu_gaps", Title: "GPU Gaps", Opts: map[string]int{"gap": 500},
		Needs: trace.KernelTable | trace.MemcpyTable | trace.MemsetTable | trace.OverheadTable,
		Skip: func(tr *trace.Trace) string {
			if !hasGPUOps(tr) {
				return skipNoGPUOps
			}
			return ""
		},
		Run: GPUGaps,
	})
}

// GPUGaps is nsys analyze's gpu_gaps: per (process, device), the holes in the union of its GPU
// operations (gpuOps) longer than gap milliseconds (strictly, though nsys's help says "equal to
// or greater"). nsys pairs the i-th smallest end with the (i+1)-th smallest start, starts and ends
// sorted separately, and keeps the pairs where the end comes first; the gap's context is that of
// the operation with that end. Rows are ordered by duration (longest first), then start, and
// cut to the row limit. (nsys's SQL also cuts the unordered gaps to the limit first; nsys
// 2025.3.1 with gap=100:rows=3 on foreign_warmup_tts keeps the three longest of six gaps
// across two processes, which a cut in (process, time) order would not, so no first cut is
// made here: with more gaps than rows, which ones nsys keeps is not pinned down.)
func GPUGaps(tr *trace.Trace, opt RuleOptions) *table.Table {
	thr := int64(opt.Values["gap"]) * 1000000
	ops, keys := gpuOps(tr)
	sort.Slice(keys, func(a, b int) bool {
		if keys[a].pid != keys[b].pid {
			return keys[a].pid < keys[b].pid
		}
		return keys[a].device < keys[b].device
	})
	type gap struct {
		dur, start int64
		key        gpuKey
		context    int64
	}
	var gaps []gap
	for _, key := range keys {
		o := ops[key]
		starts := make([]int64, len(o))
		for i, op := range o {
			starts[i] = op.start
		}
		slices.Sort(starts)
		ends := slices.Clone(o)
		sort.SliceStable(ends, func(a, b int) bool { return ends[a].end < ends[b].end })
		for j := 0; j+1 < len(o); j++ {
			e, s := ends[j].end, starts[j+1]
			if s-e > thr && e < s {
				gaps = append(gaps, gap{s - e, e, key, ends[j].context})
			}
		}
	}
	sort.SliceStable(gaps, func(a, b int) bool {
		if gaps[a].dur != gaps[b].dur {
			return gaps[a].dur > gaps[b].dur
		}
		return gaps[a].start < gaps[b].start
	})
	t := &table.Table{
		Name: "gpu_gaps", Title: "GPU Gaps", Notes: otherGPUNote(tr),
		Columns: []table.Column{{Name: "Row#", Unit: table.ID}, {Name: "Duration", Unit: table.Ns}, {Name: "Start", Unit: table.Ns},
			{Name: "PID", Unit: table.ID}, {Name: "Device ID", Unit: table.ID}, {Name: "Context ID", Unit: table.ID}},
	}
	for i, g := range limit(gaps, opt.Rows) {
		t.Rows = append(t.Rows, []table.Value{table.I64(int64(i + 1)), table.I64(g.dur), table.I64(g.start),
			idVal(g.key.pid), idVal(g.key.device), idVal(g.context)})
	}
	return t
}
