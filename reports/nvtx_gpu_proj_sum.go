package reports

import (
	"cmp"
	"maps"
	"slices"

	"github.com/omnistat/omnistat/internal/par"
	"github.com/omnistat/omnistat/reports/stat"
	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/trace"
)

func init() {
	register(Report{
		Name: "nvtx_gpu_proj_sum", Title: "NVTX GPU Projection Summary",
		Needs: trace.NVTXTable | trace.RuntimeTable | trace.KernelTable | trace.MemcpyTable | trace.MemsetTable,
		Skip: func(tr *trace.Trace) string {
			if tr.NVTX.Len() == 0 {
				return "does not contain NV Tools Extension (NVTX) data."
			}
			return ""
		},
		Run: func(tr *trace.Trace, _ Options) *table.Table { return NVTXGPUProjSum(tr) },
	})
}

// ProjectedRange is one NVTX range instance projected onto the GPU: the span from the first GPU
// operation it launched to the end of the last one.
type ProjectedRange struct {
	Row              int   // NVTX_EVENTS row
	ProjStart        int64 // first operation's start
	ProjEnd          int64 // last operation's end
	Ops              int   // distinct launching calls (nsys's count of distinct correlation ids)
	Level, Children  int   // depth below the outermost projected range; projected children
	RangeStart       int64
	RangeEnd         int64
	parent, position int
}

// ProjectRanges projects every NVTX range that launched GPU work (directly or through ranges
// nested in it) onto the GPU, as nsys's nvtx_gpu_proj_trace does; ranges without GPU work are
// left out. They come by thread (globalTid), then range start, the longer of equal starts
// first, then row.
func ProjectRanges(tr *trace.Trace) []ProjectedRange {
	return projectRanges(newProjection(tr, false))
}

// ProjectRangesByProcess is ProjectRanges where a range also takes the GPU work launched by the
// other threads of its process while it was open: for pipelines whose NVTX ranges and launches
// live on different threads. Not what nsys computes; summarize labels it.
func ProjectRangesByProcess(tr *trace.Trace) []ProjectedRange {
	return projectRanges(newProjectionScope(tr, false, true))
}

func projectRanges(p *projection) []ProjectedRange {
	tr := p.tr
	R := len(p.ranges)
	// per set of enclosing ranges (a few per range, see projection): its launching calls, then
	// the first start and last end of their operations; then each set's figures go to its ranges
	S := len(p.setOff)
	sets, pool := newProjAcc(S), &projPool{}
	pool.reduce(sets, len(p.hasOps), S, func(a *projAcc, lo, hi int) {
		for c := lo; c < hi; c++ {
			if p.hasOps[c] {
				a.ops[p.setOf[c]]++
			}
		}
	})
	span := func(calls trace.OpCalls, start, end []int64) {
		pool.reduce(sets, calls.Len(), S, func(a *projAcc, lo, hi int) {
			for i := lo; i < hi; i++ {
				if c := calls.Row(i); c >= 0 {
					k := p.setOf[c]
					a.start[k] = min(a.start[k], start[i])
					a.end[k] = max(a.end[k], end[i])
				}
			}
		})
	}
	span(p.launch.KernelCalls(), tr.Kernels.Start, tr.Kernels.End)
	if !p.kernelsOnly {
		span(p.launch.MemcpyCalls(), tr.Memcpy.Start, tr.Memcpy.End)
		span(p.launch.MemsetCalls(), tr.Memset.Start, tr.Memset.End)
	}
	acc := newProjAcc(R)
	for k := 1; k < S; k++ { // set 0 is the calls in no range
		for _, r := range p.setRanges[p.setOff[k-1]:p.setOff[k]] {
			acc.ops[r] += sets.ops[k]
			acc.start[r] = min(acc.start[r], sets.start[k])
			acc.end[r] = max(acc.end[r], sets.end[k])
		}
	}
	projected := 0
	for r := range R {
		if acc.ops[r] > 0 || acc.start[r] != 1<<63-1 {
			projected++
		}
	}
	out := make([]ProjectedRange, 0, projected) // sized once: 80 bytes a range, 64,000 steps and more
	for r := range R {
		if acc.ops[r] > 0 || acc.start[r] != 1<<63-1 {
			out = append(out, ProjectedRange{Row: p.ranges[r], ProjStart: acc.start[r], ProjEnd: acc.end[r], Ops: acc.ops[r],
				RangeStart: p.start(int32(r)), RangeEnd: p.end(int32(r))})
		}
	}
	n := &tr.NVTX
	// nesting per thread: the parent is the tightest enclosing projected range. Ranges go by
	// thread, start, the longer first, row (a total order: rows differ); they mostly come in
	// that order already, and then nothing is sorted
	byThreadStart := func(a, b ProjectedRange) int {
		ta, tb := n.GlobalTID[a.Row], n.GlobalTID[b.Row]
		switch {
		case ta != tb:
			return cmp.Compare(ta, tb)
		case a.RangeStart != b.RangeStart:
			return cmp.Compare(a.RangeStart, b.RangeStart)
		case a.RangeEnd != b.RangeEnd:
			return cmp.Compare(b.RangeEnd, a.RangeEnd)
		}
		return cmp.Compare(a.Row, b.Row)
	}
	if !slices.IsSortedFunc(out, byThreadStart) {
		// ranges of several threads come interleaved in start order: grouped by thread first
		// (a stable counting pass), each thread's mostly are in order already
		out = byThread(out, n.GlobalTID)
		if !slices.IsSortedFunc(out, byThreadStart) {
			slices.SortFunc(out, byThreadStart)
		}
	}
	var active []int
	for i := range out {
		out[i].parent = -1
		if i > 0 && n.GlobalTID[out[i].Row] != n.GlobalTID[out[i-1].Row] {
			active = active[:0]
		}
		kept := active[:0]
		best, bestCost := -1, int64(0)
		for _, a := range active {
			if out[a].RangeEnd < out[i].RangeStart {
				continue
			}
			kept = append(kept, a)
			if out[a].RangeEnd >= out[i].RangeEnd {
				cost := (out[i].RangeStart - out[a].RangeStart) + (out[a].RangeEnd - out[i].RangeEnd)
				if best < 0 || cost < bestCost {
					best, bestCost = a, cost
				}
			}
		}
		active = append(kept, i)
		if best >= 0 {
			out[i].parent = best
			out[i].Level = out[best].Level + 1
			out[best].Children++
		}
	}
	return out
}

// byThread orders the ranges by thread (tid of their row), keeping their order within a thread.
func byThread(out []ProjectedRange, tid []int64) []ProjectedRange {
	rank := map[int64]int{}
	for _, pr := range out {
		rank[tid[pr.Row]] = 0
	}
	tids := slices.Sorted(maps.Keys(rank))
	at := make([]int, len(tids)+1) // where each thread's ranges begin
	for i, t := range tids {
		rank[t] = i
	}
	for _, pr := range out {
		at[rank[tid[pr.Row]]+1]++
	}
	for i := range tids {
		at[i+1] += at[i]
	}
	sorted := make([]ProjectedRange, len(out))
	for _, pr := range out {
		k := rank[tid[pr.Row]]
		sorted[at[k]] = pr
		at[k]++
	}
	return sorted
}

// NVTXGPUProjSum is nvtx_gpu_proj_sum: projected ranges grouped by name and style.
func NVTXGPUProjSum(tr *trace.Trace) *table.Table {
	return projSumTable(tr, ProjectRanges(tr))
}

// NVTXGPUProjSumByProcess is NVTXGPUProjSum over ProjectRangesByProcess (titled as such).
func NVTXGPUProjSumByProcess(tr *trace.Trace) *table.Table {
	t := projSumTable(tr, ProjectRangesByProcess(tr))
	t.Title = "NVTX GPU Projection Summary (launches from any thread of the process; not nsys)"
	return t
}

func projSumTable(tr *trace.Trace, projected []ProjectedRange) *table.Table {
	names := NewNVTXNames(tr)
	type agg struct {
		name, style           string
		proj                  []int64
		rangeTotal, ops       int64
		levels, children, cnt int64
	}
	groups := map[[2]string]*agg{}
	var order []*agg
	for _, pr := range projected {
		name, style := names.Name(pr.Row), Style(tr.NVTX.EventType[pr.Row])
		g := groups[[2]string{name, style}]
		if g == nil {
			g = &agg{name: name, style: style}
			groups[[2]string{name, style}] = g
			order = append(order, g)
		}
		g.proj = append(g.proj, pr.ProjEnd-pr.ProjStart)
		g.rangeTotal += pr.RangeEnd - pr.RangeStart
		g.ops += int64(pr.Ops)
		g.levels += int64(pr.Level)
		g.children += int64(pr.Children)
		g.cnt++
	}
	t := &table.Table{Name: "nvtx_gpu_proj_sum", Title: "NVTX GPU Projection Summary",
		Columns: []table.Column{
			{Name: "Range"}, {Name: "Style"}, {Name: "Total Proj Time", Unit: table.Ns}, {Name: "Total Range Time", Unit: table.Ns},
			{Name: "Range Instances", Unit: table.Count}, {Name: "Proj Avg", Unit: table.Ns}, {Name: "Proj Med", Unit: table.Ns},
			{Name: "Proj Min", Unit: table.Ns}, {Name: "Proj Max", Unit: table.Ns}, {Name: "Proj StdDev", Unit: table.Ns},
			{Name: "Total GPU Ops", Unit: table.Count}, {Name: "Avg GPU Ops", Unit: table.Ratio},
			{Name: "Avg Range Lvl", Unit: table.Ratio}, {Name: "Avg Num Child", Unit: table.Ratio},
		}}
	sums := make([]stat.Summary, len(order))
	for i, g := range order {
		sums[i] = stat.Summarize(g.proj)
	}
	idx := byTotal(sums, func(a, b int) bool { return order[a].name < order[b].name })
	for _, i := range idx {
		g, s := order[i], sums[i]
		c := float64(g.cnt)
		t.Rows = append(t.Rows, []table.Value{
			table.Str(g.name), table.Str(g.style), table.I64(s.Total), table.I64(g.rangeTotal), table.I64(s.Count),
			table.F64(stat.Round(s.Avg, 1)), table.F64(stat.Round(s.Med, 1)), table.I64(s.Min), table.I64(s.Max),
			table.F64(stat.Round(s.StdDev, 1)), table.I64(g.ops), table.F64(stat.Round(float64(g.ops)/c, 1)),
			table.F64(stat.Round(float64(g.levels)/c, 1)), table.F64(stat.Round(float64(g.children)/c, 1)),
		})
	}
	return t
}

// projAcc accumulates, per projected range, its launching calls and its operations' first
// start and last end.
type projAcc struct {
	ops        []int
	start, end []int64
}

func newProjAcc(n int) *projAcc {
	a := &projAcc{ops: make([]int, n), start: make([]int64, n), end: make([]int64, n)}
	a.reset()
	return a
}

// reset empties a: no call, no operation.
func (a *projAcc) reset() {
	clear(a.ops)
	for i := range a.start {
		a.start[i], a.end[i] = 1<<63-1, -1<<63
	}
}

// projPool keeps the parts' accumulators of one projection's reductions, made once and emptied
// before each (a part's accumulator holds every range: made afresh for each reduction, they
// were most of the projection's new memory).
type projPool struct{ accs []*projAcc }

// reduce runs f over [0, n) in parts (par.Parts), each into its own accumulator of R ranges,
// and adds them into total, in parallel parts of the ranges; with few rows per range, total
// takes everything at once.
func (pool *projPool) reduce(total *projAcc, n, R int, f func(a *projAcc, lo, hi int)) {
	parts := par.Parts(n)
	if R*8 > n || parts < 2 {
		f(total, 0, n)
		return
	}
	for len(pool.accs) < parts {
		pool.accs = append(pool.accs, &projAcc{ops: make([]int, R), start: make([]int64, R), end: make([]int64, R)})
	}
	accs := pool.accs[:parts]
	par.ForParts(n, parts, func(p, lo, hi int) {
		accs[p].reset()
		f(accs[p], lo, hi)
	})
	par.For(R, func(lo, hi int) {
		for _, a := range accs {
			for r := lo; r < hi; r++ {
				total.ops[r] += a.ops[r]
				total.start[r] = min(total.start[r], a.start[r])
				total.end[r] = max(total.end[r], a.end[r])
			}
		}
	})
}
