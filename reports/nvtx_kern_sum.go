package reports

import (
	"sort"
	"strconv"

	"github.com/omnistat/omnistat/reports/stat"
	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/trace"
)

func init() {
	register(Report{
		Name: "nvtx_kern_sum", Title: "NVTX Range Kernel Summary", Args: []string{"base", "mangled"},
		Needs: trace.NVTXTable | trace.RuntimeTable | trace.KernelTable,
		Skip: func(tr *trace.Trace) string {
			if tr.NVTX.Len() == 0 {
				return "does not contain NV Tools Extension (NVTX) data."
			}
			return ""
		},
		Run: func(tr *trace.Trace, opt Options) *table.Table { return NVTXKernSum(tr, opt) },
	})
}

// NVTXKernSum is nvtx_kern_sum: kernels grouped by each NVTX range (name, style, thread) that
// encloses their launch, and by kernel name. A kernel counts once for every enclosing range;
// kernels outside every range form rows with an empty range, by the thread of their launching
// call (PID and TID empty when the call is not in the trace), as nsys 2025.3.1 prints them.
func NVTXKernSum(tr *trace.Trace, opt Options) *table.Table {
	p := newProjection(tr, true)
	names := NewNVTXNames(tr)
	type key struct {
		rng, style string
		tid        int64 // range's globalTid, or Null for no range
		kernel     string
	}
	type agg struct {
		key
		durs    []int64
		ranges  map[int]bool
		kernels map[int32]bool
	}
	groups := map[key]*agg{}
	var order []*agg
	add := func(k key, rangeRow int, kern int32) {
		g := groups[k]
		if g == nil {
			g = &agg{key: k, ranges: map[int]bool{}, kernels: map[int32]bool{}}
			groups[k] = g
			order = append(order, g)
		}
		g.durs = append(g.durs, tr.Kernels.End[kern]-tr.Kernels.Start[kern])
		if rangeRow >= 0 {
			g.ranges[rangeRow] = true
		}
		g.kernels[kern] = true
	}
	// nsys joins each kernel to every API row with its correlation id: an export that stores one
	// call under two names (cudaLaunchKernel and cudaLaunchKernel_v7000, seen in a 2022.2 export)
	// counts the kernel's duration twice in Total and StdDev (Kern Inst counts it once)
	mult := func(int) int { return 1 }
	if tr.Launches().Dups() {
		type key struct{ pid, corr int64 }
		n := map[key]int{}
		for i := range tr.Runtime.GlobalTID.Len() {
			g := tr.Runtime.GlobalTID.At(i)
			n[key{trace.ProcessOf(g), int64(tr.Runtime.CorrID[i])}]++
		}
		mult = func(k int) int { return max(1, n[key{tr.Kernels.GlobalPID.At(k), int64(tr.Kernels.CorrID[k])}]) }
	}
	for i := range tr.Kernels.Start {
		kname := KernelName(tr, i, opt.KernelName)
		rs := p.enclosing(int32(p.launch.Kernel(i)))
		if len(rs) == 0 { // with the launching call's thread (nsys 2025.3.1), none without a call
			tid := trace.Null
			if c := p.launch.Kernel(i); c >= 0 {
				tid = tr.Runtime.GlobalTID.At(c)
			}
			for range mult(i) {
				add(key{kernel: kname, tid: tid}, -1, int32(i))
			}
			continue
		}
		for _, r := range rs {
			row := p.ranges[r]
			for range mult(i) {
				add(key{names.Name(row), Style(tr.NVTX.EventType[row]), tr.NVTX.GlobalTID[row], kname}, row, int32(i))
			}
		}
	}
	sums := make([]stat.Summary, len(order))
	for i, g := range order {
		sums[i] = stat.Summarize(g.durs)
	}
	idx := make([]int, len(order))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		ga, gb := order[idx[a]], order[idx[b]]
		if ga.rng != gb.rng {
			return ga.rng < gb.rng
		}
		pa, pb := trace.PID(ga.tid), trace.PID(gb.tid)
		if ga.tid == trace.Null || gb.tid == trace.Null {
			pa, pb = boolInt(ga.tid != trace.Null), boolInt(gb.tid != trace.Null)
		}
		if pa != pb {
			return pa < pb
		}
		if ta, tb := trace.TID(ga.tid), trace.TID(gb.tid); ta != tb {
			return ta < tb
		}
		if sums[idx[a]].Total != sums[idx[b]].Total {
			return sums[idx[a]].Total > sums[idx[b]].Total
		}
		return ga.kernel < gb.kernel
	})
	t := &table.Table{Name: "nvtx_kern_sum", Title: "NVTX Range Kernel Summary",
		Columns: []table.Column{
			{Name: "NVTX Range"}, {Name: "Style"}, {Name: "PID", Unit: table.ID}, {Name: "TID", Unit: table.ID},
			{Name: "NVTX Inst", Unit: table.Count}, {Name: "Kern Inst", Unit: table.Count},
			{Name: "Total Time", Unit: table.Ns}, {Name: "Avg", Unit: table.Ns}, {Name: "Med", Unit: table.Ns},
			{Name: "Min", Unit: table.Ns}, {Name: "Max", Unit: table.Ns}, {Name: "StdDev", Unit: table.Ns},
			{Name: "Kernel Name"},
		}}
	for _, i := range idx {
		g, s := order[i], sums[i]
		pid, tid := table.Str(""), table.Str("")
		if g.tid != trace.Null {
			pid, tid = table.Str(strconv.FormatInt(trace.PID(g.tid), 10)), table.Str(strconv.FormatInt(trace.TID(g.tid), 10))
		}
		t.Rows = append(t.Rows, []table.Value{
			table.Str(g.rng), table.Str(g.style), pid, tid, table.I64(int64(len(g.ranges))), table.I64(int64(len(g.kernels))),
			table.I64(s.Total), table.F64(stat.Round(s.Avg, 1)), table.F64(stat.Round(s.Med, 1)), table.I64(s.Min),
			table.I64(s.Max), table.F64(stat.Round(s.StdDev, 1)), table.Str(g.kernel),
		})
	}
	return t
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
