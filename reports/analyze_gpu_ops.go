package reports

import (
	"github.com/omnistat/omnistat/trace"
)

// gpuOp is one row of the GPU operation set nsys's gpu_gaps and gpu_time_util rules work on.
type gpuOp struct {
	start, end, pid, device, context int64
}

// gpuKey is a (process, device) pair: each rule works per pair.
type gpuKey struct{ pid, device int64 }

// overheadNames are the PROFILER_OVERHEAD names nsys counts as GPU-blocking time.
var overheadNames = map[string]bool{
	"CUDA profiling data flush overhead": true, "CUDA profiling stop overhead": true, "CUDA profiling overhead": true,
}

// hasGPUOps says whether the export has a table of CUDA GPU operations (nsys's gpu rules skip
// a file with none).
func hasGPUOps(tr *trace.Trace) bool {
	for _, t := range []string{"CUPTI_ACTIVITY_KIND_KERNEL", "CUPTI_ACTIVITY_KIND_MEMCPY", "CUPTI_ACTIVITY_KIND_MEMSET",
		"VULKAN_WORKLOAD", "OPENGL_WORKLOAD", "DX12_WORKLOAD"} {
		if tr.Has(t) {
			return true
		}
	}
	return false
}

// otherGPUNote says when nsys would add graphics workloads omnistat does not read.
func otherGPUNote(tr *trace.Trace) []string {
	for _, t := range []string{"VULKAN_WORKLOAD", "OPENGL_WORKLOAD", "DX12_WORKLOAD"} {
		if tr.Has(t) {
			return []string{"this export has " + t + ": nsys adds those GPU operations to the rule, omnistat counts CUDA operations only"}
		}
	}
	return nil
}

// gpuOps is the CUDA part of nsys's GPU operation set, per (process, device): kernels, copies
// and memsets with a start after 0, then the profiler's CUDA overheads of the process that lie
// strictly inside the span of that pair's operations (copied onto each of the process's
// devices, with the pair's context, pairContext).
func gpuOps(tr *trace.Trace) (map[gpuKey][]gpuOp, []gpuKey) {
	ops := map[gpuKey][]gpuOp{}
	var keys []gpuKey
	add := func(start, end, gpid, dev, ctx int64) {
		if start == trace.Null || start <= 0 || gpid == trace.Null || dev == trace.Null {
			return
		}
		k := gpuKey{pidOf(gpid), dev}
		if _, ok := ops[k]; !ok {
			keys = append(keys, k)
		}
		ops[k] = append(ops[k], gpuOp{start, end, k.pid, dev, ctx})
	}
	k := &tr.Kernels
	for i := range k.Start {
		add(k.Start[i], k.End[i], k.GlobalPID.At(i), codeAt(k.Device, i), colAt(k.Context, i))
	}
	m := &tr.Memcpy
	for i := range m.Start {
		add(m.Start[i], m.End[i], m.GlobalPID.At(i), codeAt(m.Device, i), colAt(m.Context, i))
	}
	s := &tr.Memset
	for i := range s.Start {
		add(s.Start[i], s.End[i], s.GlobalPID.At(i), codeAt(s.Device, i), colAt(s.Context, i))
	}
	o := &tr.Overhead
	if o.Len() == 0 {
		return ops, keys
	}
	type span struct{ lo, hi int64 }
	spans := map[gpuKey]span{}
	for _, key := range keys {
		sp := span{ops[key][0].start, ops[key][0].end}
		for _, op := range ops[key] {
			sp.lo, sp.hi = min(sp.lo, op.start), max(sp.hi, op.end)
		}
		spans[key] = sp
	}
	names := map[int32]bool{}
	for i := range o.Start {
		id := o.NameID[i]
		ok, seen := names[id]
		if !seen {
			v, found := tr.Strings.Lookup(int64(id))
			ok = found && overheadNames[v]
			names[id] = ok
		}
		if !ok || o.GlobalTID[i] == trace.Null {
			continue
		}
		pid := pidOf(o.GlobalTID[i])
		for _, key := range keys {
			if sp := spans[key]; key.pid == pid && o.Start[i] > sp.lo && o.End[i] < sp.hi {
				ops[key] = append(ops[key], gpuOp{o.Start[i], o.End[i], pid, key.device, pairContext(ops[key])})
			}
		}
	}
	return ops, keys
}

// pairContext is the context nsys gives a (process, device) pair where it groups the pair's
// operations with min(start) and max(end) and reads contextId beside them: SQLite then takes
// the bare column from the row that last raised the last min/max aggregate, max(end), so the
// first operation (kernels, then copies, then memsets) with the latest end.
func pairContext(o []gpuOp) int64 {
	best := 0
	for i, op := range o {
		if op.end > o[best].end {
			best = i
		}
	}
	return o[best].context
}
