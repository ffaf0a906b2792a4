package reports

import (
	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/trace"
)

func init() {
	register(Report{
		Name:  "cuda_gpu_kern_sum",
		Needs: trace.KernelTable,
		Title: "CUDA GPU Kernel Summary",
		Args:  []string{"base", "mangled"},
		Skip: func(tr *trace.Trace) string {
			if tr.Kernels.Len() == 0 {
				return "does not contain CUDA kernel data."
			}
			return ""
		},
		Run: func(tr *trace.Trace, opt Options) *table.Table { return CUDAGPUKernSum(tr, opt) },
	})
}

// KernelName is kernel i's name as nsys's kernel view gives it: demangled by default, the base
// (short) name with "base", the mangled name (falling back to demangled) with "mangled".
func KernelName(tr *trace.Trace, i int, variant string) string {
	k := &tr.Kernels
	id := k.Demangled[i]
	switch variant {
	case "base":
		if k.Short[i] != trace.Null32 {
			id = k.Short[i]
		}
	case "mangled":
		if k.Mangled[i] != trace.Null32 {
			id = k.Mangled[i]
		}
	}
	return tr.Strings.Get(int64(id))
}

// kernelNameID is the StringIds id behind KernelName.
func kernelNameID(k *trace.Kernels, i int, variant string) int64 {
	switch variant {
	case "base":
		if k.Short[i] != trace.Null32 {
			return int64(k.Short[i])
		}
	case "mangled":
		if k.Mangled[i] != trace.Null32 {
			return int64(k.Mangled[i])
		}
	}
	return int64(k.Demangled[i])
}

// CUDAGPUKernSum is cuda_gpu_kern_sum: kernel executions grouped by name.
func CUDAGPUKernSum(tr *trace.Trace, opt Options) *table.Table {
	k := &tr.Kernels
	var ig *intGrouper
	if opt.KernelName != "base" && opt.KernelName != "mangled" { // the demangled name: one column
		ig = groupDurations(k.Demangled, k.Start, k.End, tr.Strings.Bound())
	}
	if ig == nil {
		ig = groupByID(k.Len(), tr.Strings.Bound(), func(i int) (int64, bool) { return kernelNameID(k, i, opt.KernelName), true },
			func(i int) int64 { return k.End[i] - k.Start[i] })
	}
	// different ids may hold the same string: nsys groups by the string
	g := newGrouper()
	for j, id := range ig.ids {
		name := tr.Strings.Get(id)
		if gr, ok := g.idx[name]; ok { // another id with the same string: merge
			ig.addTo(gr, j)
			continue
		}
		gr := ig.group(j, []string{name})
		g.idx[name] = gr
		g.list = append(g.list, gr)
	}
	return &table.Table{
		Name: "cuda_gpu_kern_sum", Title: "CUDA GPU Kernel Summary",
		Columns: timeColumns("Instances", "Name"),
		Rows:    timeRows(g.list),
	}
}
