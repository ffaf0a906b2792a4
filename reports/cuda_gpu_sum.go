package reports

import (
	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/trace"
)

func init() {
	register(Report{
		Name: "cuda_gpu_sum", Title: "CUDA GPU Summary (Kernels/MemOps)",
		Needs: trace.KernelTable | trace.MemcpyTable | trace.MemsetTable,
		Skip: func(tr *trace.Trace) string {
			if tr.Kernels.Len() == 0 && tr.Memcpy.Len() == 0 && tr.Memset.Len() == 0 {
				return "does not contain GPU kernel/memory operations data."
			}
			return ""
		},
		Run: func(tr *trace.Trace, _ Options) *table.Table { return CUDAGPUSum(tr, false) },
	})
	register(Report{
		Name: "cuda_api_gpu_sum", Title: "CUDA Summary (API/Kernels/MemOps)",
		Needs: trace.AllTables &^ (trace.OSRTTable | trace.NVTXTable),
		Skip: func(tr *trace.Trace) string {
			if tr.Runtime.Len() == 0 && tr.Kernels.Len() == 0 && tr.Memcpy.Len() == 0 && tr.Memset.Len() == 0 {
				return "does not contain CUDA API, GPU kernel, nor memory operations data."
			}
			return ""
		},
		Run: func(tr *trace.Trace, _ Options) *table.Table { return CUDAGPUSum(tr, true) },
	})
}

// CUDAGPUSum is cuda_gpu_sum (kernels and memory operations in one table, with a Category
// column); withAPI adds the CUDA API calls, which is cuda_api_gpu_sum.
func CUDAGPUSum(tr *trace.Trace, withAPI bool) *table.Table {
	g := newGrouper()
	add := func(cat, name string, v int64) {
		g.add(cat+"\x00"+name, func() []string { return []string{cat, name} }, v)
	}
	if withAPI {
		a := &tr.Runtime
		for i := range a.Start {
			add("CUDA_API", APIName(tr.Strings.Get(int64(a.NameID[i]))), a.End[i]-a.Start[i])
		}
	}
	k := &tr.Kernels
	for i := range k.Start {
		add("CUDA_KERNEL", tr.Strings.Get(int64(k.Demangled[i])), k.End[i]-k.Start[i])
	}
	for _, gr := range memGroups(tr,
		func(i int) int64 { return tr.Memcpy.End[i] - tr.Memcpy.Start[i] },
		func(i int) int64 { return tr.Memset.End[i] - tr.Memset.Start[i] }) {
		for _, v := range gr.vals {
			add("MEMORY_OPER", gr.labels[0], v)
		}
	}
	name, title := "cuda_gpu_sum", "CUDA GPU Summary (Kernels/MemOps)"
	if withAPI {
		name, title = "cuda_api_gpu_sum", "CUDA Summary (API/Kernels/MemOps)"
	}
	return &table.Table{
		Name: name, Title: title,
		Columns: timeColumns("Instances", "Category", "Operation"),
		Rows:    timeRowsBy(g.list, lessFromLast),
		Notes:   enumNote(tr),
	}
}
