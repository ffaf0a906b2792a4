package reports

import (
	"strconv"

	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/trace"
)

func init() {
	register(Report{
		Name: "cuda_gpu_trace", Title: "CUDA GPU Trace", Args: []string{"nvtx-name", "base", "mangled"},
		Needs: trace.KernelTable | trace.MemcpyTable | trace.MemsetTable,
		// nvtx-name projects each kernel's launching call onto the NVTX ranges of its thread
		NeedsWith: func(opt Options) trace.Tables {
			if opt.NVTXName {
				return trace.RuntimeTable | trace.NVTXTable
			}
			return 0
		},
		TraceColumns: true,
		Skip:         func(tr *trace.Trace) string { return skipGPUTrace(tr, Options{}) },
		SkipWith:     skipGPUTrace,
		Run:          func(tr *trace.Trace, opt Options) *table.Table { return CUDAGPUTrace(tr, opt) },
	})
}

// skipGPUTrace gives nsys 2025.3.1's reasons for skipping cuda_gpu_trace, in its order.
func skipGPUTrace(tr *trace.Trace, opt Options) string {
	switch {
	case tr.Kernels.Len() == 0 && tr.Memcpy.Len() == 0 && tr.Memset.Len() == 0:
		return "does not contain GPU trace data."
	case opt.NVTXName && tr.NVTX.Len() == 0:
		return "does not contain NV Tools Extension (NVTX) data."
	case !tr.Has("TARGET_INFO_GPU"):
		return "file does not contain TARGET_INFO_GPU table."
	case tr.Has("CUPTI_ACTIVITY_KIND_MEMCPY") && !tr.EnumTables:
		return "does not contain ENUM_CUDA_MEMCPY_OPER table."
	}
	for _, t := range []string{"CUPTI_ACTIVITY_KIND_KERNEL", "CUPTI_ACTIVITY_KIND_MEMCPY", "CUPTI_ACTIVITY_KIND_MEMSET"} {
		if tr.Has(t) && !tr.HasColumn(t, "greenContextId") {
			return "does not contain 'greenContextId' column. Please re-export the report file with a recent version of Nsight Systems."
		}
	}
	return ""
}

// gpuTraceColumns are cuda_gpu_trace's columns.
var gpuTraceColumns = []table.Column{
	{Name: "Start", Unit: table.Ns}, {Name: "Duration", Unit: table.Ns}, {Name: "CorrId", Unit: table.ID},
	{Name: "GrdX", Unit: table.Count}, {Name: "GrdY", Unit: table.Count}, {Name: "GrdZ", Unit: table.Count},
	{Name: "BlkX", Unit: table.Count}, {Name: "BlkY", Unit: table.Count}, {Name: "BlkZ", Unit: table.Count},
	{Name: "Reg/Trd", Unit: table.Count}, {Name: "StcSMem", Unit: table.Bytes}, {Name: "DymSMem", Unit: table.Bytes},
	{Name: "Bytes", Unit: table.Bytes}, {Name: "Throughput", Unit: table.Rate}, {Name: "SrcMemKd"}, {Name: "DstMemKd"},
	{Name: "Device"}, {Name: "Ctx", Unit: table.ID}, {Name: "GreenCtx", Unit: table.ID}, {Name: "Strm", Unit: table.ID},
	{Name: "Name"},
}

// CUDAGPUTrace is cuda_gpu_trace: every kernel, copy and memset in start order, with launch
// geometry, sizes, throughput, memory kinds, device, context, stream and name. opt picks the
// kernel name (base, mangled) and, with NVTXName, prefixes it with the innermost NVTX range
// around its launch ("range/kernel").
func CUDAGPUTrace(tr *trace.Trace, opt Options) *table.Table {
	k, mc, ms := &tr.Kernels, &tr.Memcpy, &tr.Memset
	ko, co, so := byStart(k.Start), byStart(mc.Start), byStart(ms.Start)
	devices := map[int64]string{}
	device := func(id int64) string {
		d, ok := devices[id]
		if !ok {
			name := ""
			for _, g := range tr.GPUs {
				if g.ID == id {
					name = g.Name
					break
				}
			}
			d = name + " (" + strconv.FormatInt(id, 10) + ")"
			devices[id] = d
		}
		return d
	}
	memKind := func(v int64) table.Value {
		if l, ok := tr.MemKinds[v]; ok && v != trace.Null {
			return table.Str(l)
		}
		return table.Value{}
	}
	var rangeOf func(i int) (string, bool)
	if opt.NVTXName {
		rangeOf = innermostRange(tr)
	}
	return streamTable("cuda_gpu_trace", "CUDA GPU Trace", gpuTraceColumns, func(row []table.Value, yield func([]table.Value) bool) {
		ki, ci, si := 0, 0, 0
		for {
			// the next operation by start: kernels, then copies, then memsets on equal starts
			src, best := -1, int64(0)
			if ki < k.Len() {
				src, best = 0, k.Start[at(ko, ki)]
			}
			if ci < mc.Len() && (src < 0 || mc.Start[at(co, ci)] < best) {
				src, best = 1, mc.Start[at(co, ci)]
			}
			if si < ms.Len() && (src < 0 || ms.Start[at(so, si)] < best) {
				src = 2
			}
			clear(row)
			switch src {
			case -1:
				return
			case 0:
				i := at(ko, ki)
				ki++
				row[0], row[1], row[2] = table.I64(k.Start[i]), table.I64(k.End[i]-k.Start[i]), int32OrNull(k.CorrID[i])
				row[3], row[4], row[5] = optCol(k.GridX, i), optCol(k.GridY, i), optCol(k.GridZ, i)
				row[6], row[7], row[8] = optCol(k.BlockX, i), optCol(k.BlockY, i), optCol(k.BlockZ, i)
				row[9], row[10], row[11] = optCol(k.Registers, i), optCol(k.StaticSMem, i), optCol(k.DynamicSMem, i)
				row[16], row[17], row[18], row[19] = table.Str(device(k.Device.At(i))), optCol(k.Context, i), greenCtx(k.GreenContext, i), optCol(k.Stream, i)
				name := KernelName(tr, i, opt.KernelName)
				if rangeOf != nil {
					if r, ok := rangeOf(i); ok {
						name = r + "/" + name
					}
				}
				row[20] = table.Str(name)
			case 1:
				i := at(co, ci)
				ci++
				row[0], row[1], row[2] = table.I64(mc.Start[i]), table.I64(mc.End[i]-mc.Start[i]), int32OrNull(mc.CorrID[i])
				row[12], row[13] = intOrNull(mc.Bytes[i]), throughput(mc.Bytes[i], mc.End[i]-mc.Start[i])
				row[14], row[15] = memKind(mc.SrcKind[i]), memKind(mc.DstKind[i])
				row[16], row[17], row[18], row[19] = table.Str(device(mc.Device.At(i))), optCol(mc.Context, i), greenCtx(mc.GreenContext, i), optCol(mc.Stream, i)
				if name, ok := MemcpyName(tr, i); ok {
					row[20] = table.Str(name)
				}
			case 2:
				i := at(so, si)
				si++
				row[0], row[1], row[2] = table.I64(ms.Start[i]), table.I64(ms.End[i]-ms.Start[i]), int32OrNull(ms.CorrID[i])
				row[12], row[13] = intOrNull(ms.Bytes[i]), throughput(ms.Bytes[i], ms.End[i]-ms.Start[i])
				row[14] = memKind(ms.MemKind[i])
				row[16], row[17], row[18], row[19] = table.Str(device(ms.Device.At(i))), optCol(ms.Context, i), greenCtx(ms.GreenContext, i), optCol(ms.Stream, i)
				row[20] = table.Str(MemsetName)
			}
			if !yield(row) {
				return
			}
		}
	})
}

// throughput is nsys's bytes per second, bytes * (10⁹ / duration) in integer arithmetic (480 ns
// for 64 B: 133,333,312 B/s); NULL for a zero duration.
func throughput(bytes, dur int64) table.Value {
	if dur <= 0 || bytes == trace.Null {
		return table.Value{}
	}
	return table.I64(bytes * (1_000_000_000 / dur))
}

// greenCtx is a green context id, NULL for 0 (nsys's NULLIF(greenContextId, 0)).
func greenCtx(c []int64, i int) table.Value {
	if c == nil || c[i] == 0 {
		return table.Value{}
	}
	return intOrNull(c[i])
}

// innermostRange returns, for kernel i, the message of the innermost NVTX range (the latest
// start) that encloses its launching call on the call's thread, as nsys's nvtx-name option
// names it (the message alone, no domain).
func innermostRange(tr *trace.Trace) func(i int) (string, bool) {
	p := newProjection(tr, true)
	n := &tr.NVTX
	return func(i int) (string, bool) {
		best := int32(-1)
		for _, r := range p.enclosing(int32(p.launch.Kernel(i))) {
			if best < 0 || p.start(r) > p.start(best) {
				best = r
			}
		}
		if best < 0 {
			return "", false
		}
		msg, _ := n.Message(&tr.Strings, p.ranges[best])
		return msg, true
	}
}
