package stage

import (
	"fmt"
	"slices"
	"sort"

	"github.com/omnistat/omnistat/internal/par"
	"github.com/omnistat/omnistat/internal/timing"
	"github.com/omnistat/omnistat/trace"
)

// By is a dimension a trace is cut along: one value for every verb's --by.
type By string

// The dimensions. Not every verb takes every one: summarize has no device sections.
const (
	ByStage   By = "stage"
	ByProcess By = "process"
	ByThread  By = "thread"
	ByDevice  By = "device"
	ByNone    By = "none"
)

// Bys lists every dimension, in the order help texts name them.
var Bys = []By{ByStage, ByProcess, ByThread, ByDevice, ByNone}

// ParseBy returns the dimension named s when it is one of allowed (every dimension when
// allowed is empty).
func ParseBy(s string, allowed ...By) (By, bool) {
	if len(allowed) == 0 {
		allowed = Bys
	}
	for _, b := range allowed {
		if string(b) == s {
			return b, true
		}
	}
	return "", false
}

// Other labels rows of processes that are no stage (OS runtime calls of helper processes, …).
const Other = "(other)"

// Group groups tr's rows by dimension: ByStage (with a, the stage assignment), ByProcess,
// ByThread or ByDevice. GPU operations go with the thread that launched them.
func Group(tr *trace.Trace, by By, a *Assignment) (*trace.Grouping, error) {
	g, err := groupRows(tr, by, a)
	if err != nil {
		return nil, err
	}
	g.Masks()
	return g, nil
}

// GroupContiguous groups tr's rows by a's stages and reorders them stage by stage (see
// trace.Grouping.Contiguous), so each stage's subset shares tr's columns.
func GroupContiguous(tr *trace.Trace, a *Assignment) (*trace.Grouping, error) {
	done := timing.Start("group rows")
	g, err := groupRows(tr, ByStage, a)
	done()
	if err != nil {
		return nil, err
	}
	g.Contiguous(tr)
	return g, nil
}

// groupRows is Group without the masks, for Contiguous or Masks to make.
func groupRows(tr *trace.Trace, by By, a *Assignment) (*trace.Grouping, error) {
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
	machineOf := machines(tr, procName)
	switch by {
	case ByStage:
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
	case ByProcess:
		col = "Process"
		key = func(g int64) (int, string) {
			p := trace.ProcessOf(g)
			return -1, fmt.Sprintf("%s (%d%s)", procName[p], trace.PID(p), machineOf(p))
		}
	case ByThread:
		col = "Thread"
		key = func(g int64) (int, string) {
			return -1, fmt.Sprintf("%s (%d/%d%s)", threadName[g], trace.PID(g), trace.TID(g), machineOf(trace.ProcessOf(g)))
		}
	case ByDevice:
		return groupByDevice(tr)
	default:
		return nil, fmt.Errorf("unknown grouping %q (use stage, process, thread, device or none)", by)
	}
	groupOf := func(g int64) int {
		i, l := key(g)
		if i >= 0 {
			return i
		}
		return intern(l)
	}
	rt := &tr.Runtime
	rtGroup := make([]int32, rt.Len())
	// group of each thread, computed once per thread in the order threads first appear (new
	// labels are interned as they come): each part of the rows lists its threads in that order,
	// the lists are read in row order, then the parts fill their rows (calls come in runs of
	// one thread). Calls of a NULL thread before any other thread's are in group 0, no thread
	// looked up (as the walk from "no thread" that looked a thread up when it changed put them)
	lead := rt.GlobalTID.LeadingNulls()
	parts := par.Parts(rt.Len())
	firsts := make([][]int64, parts)
	par.ForParts(rt.Len(), parts, func(p, lo, hi int) {
		seen := map[int64]bool{}
		rt.GlobalTID.RunsIn(lo, hi, func(a, _ int, g int64) {
			if a >= lead && !seen[g] {
				seen[g] = true
				firsts[p] = append(firsts[p], g)
			}
		})
	})
	threadGroup := map[int64]int32{}
	for _, gs := range firsts {
		for _, g := range gs {
			if _, ok := threadGroup[g]; !ok {
				threadGroup[g] = int32(groupOf(g))
			}
		}
	}
	par.ForParts(rt.Len(), parts, func(_, lo, hi int) {
		rt.GlobalTID.RunsIn(lo, hi, func(a, b int, g int64) {
			gi := threadGroup[g]
			if a < lead {
				gi = 0
			}
			for i := a; i < b; i++ {
				rtGroup[i] = gi
			}
		})
	})
	launch := tr.Launches()
	// a GPU op goes with its launching call's thread; without one, with its process's main thread
	ops := func(calls trace.OpCalls, gpid trace.Codes) []int32 {
		n := calls.Len()
		out := make([]int32, n)
		parts := par.Parts(n)
		orphans := make([]bool, parts) // whether a part has operations without a call
		par.ForParts(n, parts, func(p, lo, hi int) {
			o := false
			for i := lo; i < hi; i++ {
				if c := calls.Row(i); c >= 0 {
					out[i] = rtGroup[c]
				} else {
					out[i], o = -1, true
				}
			}
			orphans[p] = o
		})
		// the few operations without a call take their process's group, in row order
		if slices.Contains(orphans, true) {
			for i, gi := range out {
				if gi < 0 {
					out[i] = int32(groupOf(gpid.At(i) | trace.PID(gpid.At(i))))
				}
			}
		}
		return out
	}
	osrt := make([]int32, tr.OSRT.Len())
	for i := range tr.OSRT.GlobalTID.Len() {
		g := tr.OSRT.GlobalTID.At(i)
		osrt[i] = int32(groupOf(g))
	}
	kern := ops(launch.KernelCalls(), tr.Kernels.GlobalPID)
	mcpy := ops(launch.MemcpyCalls(), tr.Memcpy.GlobalPID)
	mset := ops(launch.MemsetCalls(), tr.Memset.GlobalPID)
	nvtx := make([]int32, tr.NVTX.Len())
	for i, g := range tr.NVTX.GlobalTID {
		if trace.IsRange(tr.NVTX.EventType[i]) {
			nvtx[i] = int32(groupOf(g))
		} else {
			nvtx[i] = -1 // domains, categories, marks: kept in every group, counted in none
		}
	}
	if by != ByStage { // stable, readable order: by label
		idx := make([]int, len(order))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, b int) bool { return order[idx[a]] < order[idx[b]] })
		labels2 := make([]string, len(idx))
		newIdx := make([]int32, len(idx))
		for j, i := range idx {
			labels2[j] = order[i]
			newIdx[i] = int32(j)
		}
		order = labels2
		for _, rows := range [][]int32{rtGroup, osrt, kern, mcpy, mset, nvtx} {
			for r, v := range rows {
				if v >= 0 {
					rows[r] = newIdx[v]
				}
			}
		}
	}
	return trace.NewGrouping(col, order, trace.Groups{Runtime: rtGroup, OSRT: osrt, Kernels: kern, Memcpy: mcpy, Memset: mset}, nvtx), nil
}

// Host labels the rows of a device grouping that run on no GPU.
const Host = "(host)"

// groupByDevice groups GPU operations by the device they ran on and API calls by the device of
// the work they launched; calls that launched nothing, NVTX ranges and OS runtime calls are host rows.
func groupByDevice(tr *trace.Trace) (*trace.Grouping, error) {
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
	ops := func(dev trace.Codes) []int32 {
		out := make([]int32, dev.Len())
		for i := range out {
			out[i] = int32(label(dev.At(i)))
		}
		return out
	}
	kern, mcpy, mset := ops(tr.Kernels.Device), ops(tr.Memcpy.Device), ops(tr.Memset.Device)
	host := int32(-2) // assigned after the devices
	rt := make([]int32, tr.Runtime.Len())
	for i := range rt {
		rt[i] = host
	}
	launch := tr.Launches()
	mark := func(calls trace.OpCalls, g []int32) {
		for i := range g {
			if c := calls.Row(i); c >= 0 && rt[c] == host {
				rt[c] = g[i]
			}
		}
	}
	mark(launch.KernelCalls(), kern)
	mark(launch.MemcpyCalls(), mcpy)
	mark(launch.MemsetCalls(), mset)
	// devices in id order, then the host
	idx := make([]int, len(devs))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return devs[idx[a]] < devs[idx[b]] })
	remap := make([]int32, len(devs))
	for newI, oldI := range idx {
		remap[oldI] = int32(newI)
	}
	hostIdx := int32(len(devs))
	fix := func(g []int32) {
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
	var out []string
	for _, i := range idx {
		out = append(out, order[i])
	}
	out = append(out, Host)
	osrt := make([]int32, tr.OSRT.Len())
	for i := range osrt {
		osrt[i] = hostIdx
	}
	nvtx := make([]int32, tr.NVTX.Len())
	for i := range nvtx {
		if trace.IsRange(tr.NVTX.EventType[i]) {
			nvtx[i] = hostIdx
		} else {
			nvtx[i] = -1
		}
	}
	return trace.NewGrouping("Device", out, trace.Groups{Runtime: rt, OSRT: osrt, Kernels: kern, Memcpy: mcpy, Memset: mset}, nvtx), nil
}

// machines gives what a group label adds for a process: nothing, or when another process of
// another machine (a merged trace of several hosts) has the same name and PID, the machine's
// number (", machine 2": 1, 2, … in the order of the machine part of their global ids), so the
// two are not one group.
func machines(tr *trace.Trace, procName map[int64]string) func(p int64) string {
	type key struct {
		name string
		pid  int64
	}
	ids := map[key][]int64{}
	var parts []int64
	for _, p := range tr.Processes {
		k := key{p.Name, trace.PID(p.GlobalPID)}
		if !slices.Contains(ids[k], p.GlobalPID) {
			ids[k] = append(ids[k], p.GlobalPID)
		}
		if m := p.GlobalPID >> 48; !slices.Contains(parts, m) {
			parts = append(parts, m)
		}
	}
	slices.Sort(parts)
	return func(p int64) string {
		if len(ids[key{procName[p], trace.PID(p)}]) > 1 {
			return fmt.Sprintf(", machine %d", slices.Index(parts, p>>48)+1)
		}
		return ""
	}
}
