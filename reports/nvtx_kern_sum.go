package reports

import (
	"math"
	"slices"
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
	// a group counts its distinct ranges and kernels without a set of each (sets of millions of
	// kernels made the report minutes long and the collector's work on a 3 M-kernel trace): a
	// kernel is added to its groups in one go (the kernels are walked in order), so a group's
	// kernels are distinct where they change; its ranges come in runs (a range's kernels
	// one after another), kept once a run and counted once sorted
	type agg struct {
		key
		durs      []int64
		rangeRows []int // the ranges, once per run
		lastKern  int32
		kernels   int
	}
	// a group is found by two small numbers, its range's (name, style, thread) and its kernel
	// name's, each made once per range or name id: not by hashing its strings for every kernel
	type rangeKey struct {
		rng, style string
		tid        int64
	}
	rangeIDs, kernelIDs, idOfName := map[rangeKey]uint64{}, map[string]uint64{}, map[int64]uint64{}
	rangeID := func(k rangeKey) uint64 {
		id, ok := rangeIDs[k]
		if !ok {
			id = uint64(len(rangeIDs))
			rangeIDs[k] = id
		}
		return id
	}
	ofRange := make([]uint64, len(p.ranges)) // per projection range, its rangeID + 1 (0: not yet)
	keyOf := make([]rangeKey, len(p.ranges))
	groups := map[uint64]*agg{}
	var order []*agg
	add := func(rk rangeKey, rid uint64, kname string, kid uint64, rangeRow int, kern int32) {
		g := groups[rid<<32|kid]
		if g == nil {
			g = &agg{key: key{rk.rng, rk.style, rk.tid, kname}}
			groups[rid<<32|kid] = g
			order = append(order, g)
		}
		g.durs = append(g.durs, tr.Kernels.End[kern]-tr.Kernels.Start[kern])
		if rangeRow >= 0 && (len(g.rangeRows) == 0 || g.rangeRows[len(g.rangeRows)-1] != rangeRow) {
			g.rangeRows = append(g.rangeRows, rangeRow)
		}
		if g.kernels == 0 || g.lastKern != kern {
			g.kernels, g.lastKern = g.kernels+1, kern
		}
	}
	// nsys joins each kernel to every API row with its correlation id: an export that stores one
	// call under two names (cudaLaunchKernel and cudaLaunchKernel_v7000, seen in a 2022.2 export)
	// counts the kernel's duration twice in Total and StdDev (Kern Inst counts it once)
	mult := func(int) int { return 1 }
	if tr.Launches().Dups() {
		mult = callsPerKernel(tr)
	}
	for i := range tr.Kernels.Start {
		nameID := kernelNameID(&tr.Kernels, i, opt.KernelName)
		kid, ok := idOfName[nameID]
		kname := tr.Strings.Get(nameID) // KernelName's
		if !ok {
			if kid, ok = kernelIDs[kname]; !ok { // ids that hold one string are one kernel name
				kid = uint64(len(kernelIDs))
				kernelIDs[kname] = kid
			}
			idOfName[nameID] = kid
		}
		rs := p.enclosing(int32(p.launch.Kernel(i)))
		if len(rs) == 0 { // with the launching call's thread (nsys 2025.3.1), none without a call
			tid := trace.Null
			if c := p.launch.Kernel(i); c >= 0 {
				tid = tr.Runtime.GlobalTID.At(c)
			}
			rk := rangeKey{tid: tid} // a range's style is never empty: no range's key
			rid := rangeID(rk)
			for range mult(i) {
				add(rk, rid, kname, kid, -1, int32(i))
			}
			continue
		}
		for _, r := range rs {
			row := p.ranges[r]
			if ofRange[r] == 0 {
				keyOf[r] = rangeKey{names.Name(row), Style(tr.NVTX.EventType[row]), tr.NVTX.GlobalTID[row]}
				ofRange[r] = rangeID(keyOf[r]) + 1
			}
			for range mult(i) {
				add(keyOf[r], ofRange[r]-1, kname, kid, row, int32(i))
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
			table.Str(g.rng), table.Str(g.style), pid, tid, table.I64(int64(len(slices.Compact(slices.Sorted(slices.Values(g.rangeRows)))))), table.I64(int64(g.kernels)),
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

// callsPerKernel is, for kernel k, how many CUDA API rows have its process and correlation id
// (nsys's join), at least 1. The rows are counted per process in a slice over its ids' range
// when they are dense enough (as trace.CallIndex keeps them), else in a map: no hashing per row
// of a 3 M-call trace whose ids repeat somewhere.
func callsPerKernel(tr *trace.Trace) func(k int) int {
	type proc struct {
		lo, hi int64
		n      int
		counts []int32         // ids lo..hi, when dense
		sparse map[int64]int32 // else
	}
	procs := map[int64]*proc{}
	rt := &tr.Runtime
	each := func(f func(p *proc, corr int64)) {
		rt.GlobalTID.Runs(func(lo, hi int, g int64) {
			pid := trace.ProcessOf(g)
			p := procs[pid]
			if p == nil {
				p = &proc{lo: math.MaxInt64, hi: math.MinInt64}
				procs[pid] = p
			}
			for i := lo; i < hi; i++ {
				f(p, int64(rt.CorrID[i]))
			}
		})
	}
	each(func(p *proc, c int64) { p.lo, p.hi, p.n = min(p.lo, c), max(p.hi, c), p.n+1 })
	for _, p := range procs {
		if uint64(p.hi-p.lo) < uint64(4*p.n+1<<16) {
			p.counts = make([]int32, p.hi-p.lo+1)
		} else {
			p.sparse = map[int64]int32{}
		}
	}
	each(func(p *proc, c int64) {
		if p.counts != nil {
			p.counts[c-p.lo]++
		} else {
			p.sparse[c]++
		}
	})
	k := &tr.Kernels
	return func(i int) int {
		p, c := procs[k.GlobalPID.At(i)], int64(k.CorrID[i])
		switch {
		case p == nil:
			return 1
		case p.counts != nil:
			if c < p.lo || c > p.hi {
				return 1
			}
			return max(1, int(p.counts[c-p.lo]))
		}
		return max(1, int(p.sparse[c]))
	}
}
