package reports

import (
	"fmt"
	"sort"

	"github.com/omnistat/omnistat/reports/stage"
	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/trace"
)

// Dimensions accepted by GroupBy.
var Dimensions = []string{"none", "stage", "process", "thread", "device"}

// Grouping splits a trace's rows into groups: every event row belongs to exactly one group, so a
// report summed over the groups equals the report of the whole trace.
type Grouping struct {
	Column string   // key column name: "Stage", "Process" or "Thread"
	Labels []string // group labels, in output order
	Keep   []trace.Keep
	// rows is the group (index into Labels) of each row of the hot tables; nvtx the group of
	// each NVTX row (-1: in every group)
	rows trace.Groups
	nvtx []int
}

// Contiguous reorders tr's rows by group (see trace.Reorder) and rebuilds the masks, so each
// group's Subset shares tr's columns instead of copying them. tr must be the grouped trace; call
// it once.
func (g *Grouping) Contiguous(tr *trace.Trace) {
	tr.Reorder(&g.rows)
	if len(g.Keep) != len(g.Labels) {
		g.Keep = make([]trace.Keep, len(g.Labels))
	}
	for gi := range g.Labels {
		g.Keep[gi] = keepOf(&g.rows, g.nvtx, gi)
	}
	g.rows, g.nvtx = trace.Groups{}, nil // the masks say it all now; on big traces this is tens of MB
}

// Other labels rows of processes that are no stage (OS runtime calls of helper processes, …).
const Other = "(other)"

// GroupBy groups tr's rows by dimension: "stage" (with a, the stage assignment), "process" or
// "thread". GPU operations go with the thread that launched them.
func GroupBy(tr *trace.Trace, dim string, a *stage.Assignment) (*Grouping, error) {
	return groupBy(tr, dim, a, true)
}

// groupBy is GroupBy; without masks it leaves Keep empty, for Contiguous to fill.
func groupBy(tr *trace.Trace, dim string, a *stage.Assignment, masks bool) (*Grouping, error) {
	var key func(globalTID int64) (int, string)
	var col string
	labels := map[string]int{}
	var order []string
	intern := func(l string) int {
		if i, ok := labels[l]; ok {
			return i
		}
		labels[l] = len(order)
		order = append(order, l)
		return labels[l]
	}
	procName := map[int64]string{}
	for _, p := range tr.Processes {
		procName[p.GlobalPID] = p.Name
	}
	threadName := map[int64]string{}
	for _, t := range tr.Threads {
		threadName[t.GlobalTID] = t.Name
	}
	switch dim {
	case "stage":
		col = "Stage"
		for _, s := range a.Stages {
			intern(s.Key)
		}
		key = func(g int64) (int, string) {
			if s := a.Of(g); s >= 0 {
				return s, ""
			}
			return -1, Other
		}
	case "process":
		col = "Process"
		key = func(g int64) (int, string) {
			p := trace.ProcessOf(g)
			return -1, fmt.Sprintf("%s (%d)", procName[p], trace.PID(p))
		}
	case "thread":
		col = "Thread"
		key = func(g int64) (int, string) {
			return -1, fmt.Sprintf("%s (%d/%d)", threadName[g], trace.PID(g), trace.TID(g))
		}
	case "device":
		return groupByDevice(tr)
	default:
		return nil, fmt.Errorf("unknown grouping %q (use stage, process, thread, device or none)", dim)
	}
	groupOf := func(g int64) int {
		i, l := key(g)
		if i >= 0 {
			return i
		}
		return intern(l)
	}
	rt := &tr.Runtime
	rtGroup := make([]int, rt.Len())
	// group of each thread, computed once per thread
	threadGroup := map[int64]int{}
	lastG, lastGi := int64(trace.Null), 0 // calls come in runs of one thread
	for i, g := range rt.GlobalTID {
		if g != lastG {
			gi, ok := threadGroup[g]
			if !ok {
				gi = groupOf(g)
				threadGroup[g] = gi
			}
			lastG, lastGi = g, gi
		}
		rtGroup[i] = lastGi
	}
	calls := tr.Calls()
	// a GPU op goes with its launching call's thread; without one, with its process's main thread
	opGroup := func(gpid, corr int64) int {
		if c := calls.Call(gpid, corr); c >= 0 {
			return rtGroup[c]
		}
		return groupOf(gpid | trace.PID(gpid))
	}
	osrt := make([]int, tr.OSRT.Len())
	for i, g := range tr.OSRT.GlobalTID {
		osrt[i] = groupOf(g)
	}
	kern := make([]int, tr.Kernels.Len())
	for i := range kern {
		kern[i] = opGroup(tr.Kernels.GlobalPID[i], tr.Kernels.CorrID[i])
	}
	mcpy := make([]int, tr.Memcpy.Len())
	for i := range mcpy {
		mcpy[i] = opGroup(tr.Memcpy.GlobalPID[i], tr.Memcpy.CorrID[i])
	}
	mset := make([]int, tr.Memset.Len())
	for i := range mset {
		mset[i] = opGroup(tr.Memset.GlobalPID[i], tr.Memset.CorrID[i])
	}
	nvtx := make([]int, tr.NVTX.Len())
	for i, g := range tr.NVTX.GlobalTID {
		if trace.IsRange(tr.NVTX.EventType[i]) {
			nvtx[i] = groupOf(g)
		} else {
			nvtx[i] = -1 // domains, categories, marks: kept in every group, counted in none
		}
	}
	gr := &Grouping{Column: col, Labels: order, rows: trace.Groups{Runtime: rtGroup, OSRT: osrt, Kernels: kern, Memcpy: mcpy, Memset: mset}, nvtx: nvtx}
	for gi := range order {
		if !masks {
			break
		}
		gr.Keep = append(gr.Keep, keepOf(&gr.rows, nvtx, gi))
	}
	if dim != "stage" { // stable, readable order: by label
		idx := make([]int, len(order))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, b int) bool { return order[idx[a]] < order[idx[b]] })
		labels2, keep2 := make([]string, len(idx)), make([]trace.Keep, len(idx))
		newIdx := make([]int, len(idx))
		for j, i := range idx {
			labels2[j] = order[i]
			if masks {
				keep2[j] = gr.Keep[i]
			}
			newIdx[i] = j
		}
		gr.Labels, gr.Keep = labels2, keep2
		for _, rows := range [][]int{rtGroup, osrt, kern, mcpy, mset, nvtx} {
			for r, v := range rows {
				if v >= 0 {
					rows[r] = newIdx[v]
				}
			}
		}
	}
	return gr, nil
}

// RunGrouped runs report r on every group of g and stacks the results under a leading key
// column; shares (Time %) are within each group. Groups where the report has no rows are left out.
func RunGrouped(r Report, opt Options, tr *trace.Trace, g *Grouping) *table.Table {
	var out *table.Table
	for i, label := range g.Labels {
		sub := tr.Subset(g.Keep[i])
		if r.Skip(sub) != "" {
			continue
		}
		t := r.Run(sub, opt)
		if out == nil {
			out = &table.Table{Name: t.Name, Title: t.Title + " by " + g.Column,
				Columns: append([]table.Column{{Name: g.Column}}, t.Columns...)}
		}
		for _, row := range t.Rows {
			out.Rows = append(out.Rows, append([]table.Value{table.Str(label)}, row...))
		}
		for _, n := range t.Notes {
			if !containsStr(out.Notes, n) {
				out.Notes = append(out.Notes, n)
			}
		}
	}
	if out == nil {
		t := r.Run(tr.Subset(trace.Keep{}), opt)
		out = &table.Table{Name: t.Name, Title: t.Title + " by " + g.Column, Columns: append([]table.Column{{Name: g.Column}}, t.Columns...)}
	}
	return out
}

func containsStr(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// Host labels the rows of a device grouping that run on no GPU.
const Host = "(host)"

// groupByDevice groups GPU operations by the device they ran on and API calls by the device of
// the work they launched; calls that launched nothing, NVTX ranges and OS runtime calls are host rows.
func groupByDevice(tr *trace.Trace) (*Grouping, error) {
	names := map[int64]string{}
	for _, g := range tr.GPUs {
		names[g.ID] = g.Name
	}
	labels := map[int64]int{}
	var order []string
	var devs []int64
	label := func(dev int64) int {
		if i, ok := labels[dev]; ok {
			return i
		}
		labels[dev] = len(order)
		devs = append(devs, dev)
		l := fmt.Sprintf("GPU %d", dev)
		if n := names[dev]; n != "" {
			l += " (" + n + ")"
		}
		order = append(order, l)
		return labels[dev]
	}
	ops := func(dev []int64) []int {
		out := make([]int, len(dev))
		for i, d := range dev {
			out[i] = label(d)
		}
		return out
	}
	kern, mcpy, mset := ops(tr.Kernels.Device), ops(tr.Memcpy.Device), ops(tr.Memset.Device)
	host := -2 // assigned after the devices
	rt := make([]int, tr.Runtime.Len())
	for i := range rt {
		rt[i] = host
	}
	calls := tr.Calls()
	mark := func(gpid, corr []int64, g []int) {
		for i := range gpid {
			if c := calls.Call(gpid[i], corr[i]); c >= 0 && rt[c] == host {
				rt[c] = g[i]
			}
		}
	}
	mark(tr.Kernels.GlobalPID, tr.Kernels.CorrID, kern)
	mark(tr.Memcpy.GlobalPID, tr.Memcpy.CorrID, mcpy)
	mark(tr.Memset.GlobalPID, tr.Memset.CorrID, mset)
	// devices in id order, then the host
	idx := make([]int, len(devs))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return devs[idx[a]] < devs[idx[b]] })
	remap := make([]int, len(devs))
	for newI, oldI := range idx {
		remap[oldI] = newI
	}
	hostIdx := len(devs)
	fix := func(g []int) {
		for i, v := range g {
			if v == host {
				g[i] = hostIdx
			} else {
				g[i] = remap[v]
			}
		}
	}
	fix(kern)
	fix(mcpy)
	fix(mset)
	fix(rt)
	gr := &Grouping{Column: "Device"}
	for _, i := range idx {
		gr.Labels = append(gr.Labels, order[i])
	}
	gr.Labels = append(gr.Labels, Host)
	osrt := make([]int, tr.OSRT.Len())
	for i := range osrt {
		osrt[i] = hostIdx
	}
	nvtx := make([]int, tr.NVTX.Len())
	for i := range nvtx {
		if trace.IsRange(tr.NVTX.EventType[i]) {
			nvtx[i] = hostIdx
		} else {
			nvtx[i] = -1
		}
	}
	rows := trace.Groups{Runtime: rt, OSRT: osrt, Kernels: kern, Memcpy: mcpy, Memset: mset}
	for gi := range gr.Labels {
		gr.Keep = append(gr.Keep, keepOf(&rows, nvtx, gi))
	}
	return gr, nil
}

// keepOf is group gi's row masks: the rows of each event table in group gi, and the NVTX rows of
// gi or of no group (domains, categories, marks: kept in every group).
func keepOf(rows *trace.Groups, nvtx []int, gi int) trace.Keep {
	mask := func(groups []int, all bool) []bool {
		m := make([]bool, len(groups))
		for i, g := range groups {
			m[i] = g == gi || (all && g < 0)
		}
		return m
	}
	return trace.Keep{Runtime: mask(rows.Runtime, false), OSRT: mask(rows.OSRT, false), Kernels: mask(rows.Kernels, false),
		Memcpy: mask(rows.Memcpy, false), Memset: mask(rows.Memset, false), NVTX: mask(nvtx, true)}
}
