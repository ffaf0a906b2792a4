package reports

import (
	"slices"
	"strconv"
	"strings"

	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/trace"
)

func init() {
	skip := func(tr *trace.Trace) string {
		if tr.NVTX.Len() == 0 {
			return "does not contain NV Tools Extension (NVTX) data."
		}
		return ""
	}
	register(Report{
		Name: "nvtx_gpu_proj_trace", Title: "NVTX GPU Projection Trace", Skip: skip,
		Needs: trace.NVTXTable | trace.RuntimeTable | trace.KernelTable | trace.MemcpyTable | trace.MemsetTable,
		Run:   func(tr *trace.Trace, _ Options) *table.Table { return NVTXGPUProjTrace(tr) },
	})
	register(Report{
		Name: "nvtx_pushpop_trace", Title: "NVTX Push/Pop Range Trace", Skip: skip, Needs: trace.NVTXTable,
		Run: func(tr *trace.Trace, _ Options) *table.Table { return NVTXPushPopTrace(tr) },
	})
}

// NVTXGPUProjTrace is nvtx_gpu_proj_trace: one row per projected range (ProjectRanges) in the
// order of the ranges' starts, with its nesting among projected ranges (level, children, parent,
// the stack of range ids from the outermost).
func NVTXGPUProjTrace(tr *trace.Trace) *table.Table {
	cols := []table.Column{
		{Name: "Name"}, {Name: "Projected Start", Unit: table.Ns}, {Name: "Projected Duration", Unit: table.Ns},
		{Name: "Orig Start", Unit: table.Ns}, {Name: "Orig Duration", Unit: table.Ns}, {Name: "Style"},
		{Name: "PID", Unit: table.ID}, {Name: "TID", Unit: table.ID}, {Name: "NumGPUOps", Unit: table.Count},
		{Name: "Lvl", Unit: table.Count}, {Name: "NumChild", Unit: table.Count}, {Name: "RangeId", Unit: table.ID},
		{Name: "ParentId", Unit: table.ID}, {Name: "RangeStack"},
	}
	pr := ProjectRanges(tr)
	order := make([]int32, len(pr))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int {
		if c := cmpInt64(pr[a].RangeStart, pr[b].RangeStart); c != 0 {
			return c
		}
		return pr[a].Row - pr[b].Row
	})
	names := NewNVTXNames(tr)
	n := &tr.NVTX
	return streamTable("nvtx_gpu_proj_trace", "NVTX GPU Projection Trace", cols, func(row []table.Value, yield func([]table.Value) bool) {
		var stack []byte
		for _, o := range order {
			r := &pr[o]
			g := n.GlobalTID[r.Row]
			row[0], row[1], row[2] = table.Str(names.Name(r.Row)), table.I64(r.ProjStart), table.I64(r.ProjEnd-r.ProjStart)
			row[3], row[4], row[5] = table.I64(r.RangeStart), table.I64(r.RangeEnd-r.RangeStart), table.Str(Style(n.EventType[r.Row]))
			row[6], row[7], row[8] = table.I64(trace.PID(g)), table.I64(trace.TID(g)), table.I64(int64(r.Ops))
			row[9], row[10], row[11] = table.I64(int64(r.Level)), table.I64(int64(r.Children)), table.I64(n.RowID(r.Row))
			row[12] = table.Value{}
			if r.parent >= 0 {
				row[12] = table.I64(n.RowID(pr[r.parent].Row))
			}
			stack = stack[:0]
			for a := int(o); a >= 0; a = pr[a].parent {
				stack = append(strconv.AppendInt([]byte{':'}, n.RowID(pr[a].Row), 10), stack...)
			}
			row[13] = table.Str(string(stack))
			if !yield(row) {
				return
			}
		}
	})
}

// NVTXPushPopTrace is nvtx_pushpop_trace: every push/pop range in start order with its time in
// child ranges, its nesting on its thread (level, children, parent, the stack of range ids) and
// its name indented by level ("--" per level) as NameTree.
func NVTXPushPopTrace(tr *trace.Trace) *table.Table {
	cols := []table.Column{
		{Name: "Start", Unit: table.Ns}, {Name: "End", Unit: table.Ns}, {Name: "Duration", Unit: table.Ns},
		{Name: "DurChild", Unit: table.Ns}, {Name: "DurNonChild", Unit: table.Ns}, {Name: "Name"},
		{Name: "PID", Unit: table.ID}, {Name: "TID", Unit: table.ID}, {Name: "Lvl", Unit: table.Count},
		{Name: "NumChild", Unit: table.Count}, {Name: "RangeId", Unit: table.ID}, {Name: "ParentId", Unit: table.ID},
		{Name: "RangeStack"}, {Name: "NameTree"},
	}
	n := &tr.NVTX
	maxTS, _ := n.MaxTimestamp()
	nest := nestPushPop(n, maxTS)
	names := NewNVTXNames(tr)
	return streamTable("nvtx_pushpop_trace", "NVTX Push/Pop Range Trace", cols, func(row []table.Value, yield func([]table.Value) bool) {
		var stack []byte
		for _, k := range nest.order {
			i := int(k)
			s, e := n.Start[i], RangeEnd(n, i, maxTS)
			g := n.GlobalTID[i]
			name := names.Name(i)
			row[0], row[1], row[2] = table.I64(s), table.I64(e), table.I64(e-s)
			row[3], row[4], row[5] = table.I64(nest.child[i]), table.I64(e-s-nest.child[i]), table.Str(name)
			row[6], row[7], row[8] = table.I64(trace.PID(g)), table.I64(trace.TID(g)), table.I64(int64(nest.level[i]))
			row[9], row[10], row[11] = table.I64(int64(nest.children[i])), table.I64(n.RowID(i)), table.Value{}
			if p := nest.parent[i]; p >= 0 {
				row[11] = table.I64(n.RowID(int(p)))
			}
			stack = stack[:0]
			for a := int32(i); a >= 0; a = nest.parent[a] {
				stack = append(strconv.AppendInt([]byte{':'}, n.RowID(int(a)), 10), stack...)
			}
			row[12], row[13] = table.Str(string(stack)), table.Str(strings.Repeat("--", int(nest.level[i]))+name)
			if !yield(row) {
				return
			}
		}
	})
}

// pushPopNest is the nesting of push/pop ranges per thread, indexed by NVTX row (other rows
// unused): parent row (-1 for none), level, number of children, summed child durations, and the
// push/pop rows in start order.
type pushPopNest struct {
	order    []int32
	parent   []int32
	level    []int32
	children []int32
	child    []int64
}

func nestPushPop(n *trace.NVTX, maxTS int64) *pushPopNest {
	var rows []int32
	for i := range n.Start {
		if trace.IsPushPop(n.EventType[i]) {
			rows = append(rows, int32(i))
		}
	}
	// by thread, then start, then the longer range first (the parent of one starting with it)
	slices.SortStableFunc(rows, func(a, b int32) int {
		if c := cmpInt64(n.GlobalTID[a], n.GlobalTID[b]); c != 0 {
			return c
		}
		if c := cmpInt64(n.Start[a], n.Start[b]); c != 0 {
			return c
		}
		return cmpInt64(RangeEnd(n, int(b), maxTS), RangeEnd(n, int(a), maxTS))
	})
	p := &pushPopNest{parent: make([]int32, n.Len()), level: make([]int32, n.Len()),
		children: make([]int32, n.Len()), child: make([]int64, n.Len())}
	var open []int32
	for k, r := range rows {
		if k > 0 && n.GlobalTID[rows[k-1]] != n.GlobalTID[r] {
			open = open[:0]
		}
		s, e := n.Start[r], RangeEnd(n, int(r), maxTS)
		for len(open) > 0 && RangeEnd(n, int(open[len(open)-1]), maxTS) < e {
			open = open[:len(open)-1]
		}
		p.parent[r] = -1
		if len(open) > 0 {
			par := open[len(open)-1]
			p.parent[r], p.level[r] = par, p.level[par]+1
			p.children[par]++
			p.child[par] += e - s
		}
		open = append(open, r)
	}
	p.order = rows
	// by start, then end (the three ties in the goldens, across threads and levels, follow the end)
	slices.SortStableFunc(p.order, func(a, b int32) int {
		if c := cmpInt64(n.Start[a], n.Start[b]); c != 0 {
			return c
		}
		if c := cmpInt64(RangeEnd(n, int(a), maxTS), RangeEnd(n, int(b), maxTS)); c != 0 {
			return c
		}
		return int(a - b)
	})
	return p
}
