package reports

import (
	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/trace"
)

func init() {
	register(Report{
		Name: "cuda_gpu_kern_gb_sum", Title: "CUDA GPU Kernel/Grid/Block Summary", Args: []string{"base", "mangled"},
		Needs: trace.KernelTable, TraceColumns: true,
		Skip: func(tr *trace.Trace) string {
			if tr.Kernels.Len() == 0 {
				return "does not contain CUDA kernel data."
			}
			return ""
		},
		Run: func(tr *trace.Trace, opt Options) *table.Table { return CUDAGPUKernGBSum(tr, opt) },
	})
}

// CUDAGPUKernGBSum is cuda_gpu_kern_gb_sum: kernel executions grouped by name, grid and block
// ("%4d %4d %4d"), as cuda_gpu_kern_sum otherwise.
func CUDAGPUKernGBSum(tr *trace.Trace, opt Options) *table.Table {
	k := &tr.Kernels
	type key struct {
		name                   string
		gx, gy, gz, bx, by, bz int64
	}
	g := newGrouper()
	idx := map[key]string{}
	get := func(c []int64, i int) int64 {
		if c == nil {
			return trace.Null
		}
		return c[i]
	}
	for i := range k.Start {
		kk := key{KernelName(tr, i, opt.KernelName), get(k.GridX, i), get(k.GridY, i), get(k.GridZ, i),
			get(k.BlockX, i), get(k.BlockY, i), get(k.BlockZ, i)}
		s, ok := idx[kk]
		if !ok {
			s = launchDims(k.GridX, k.GridY, k.GridZ, i) + "\x00" + launchDims(k.BlockX, k.BlockY, k.BlockZ, i) + "\x00" + kk.name
			idx[kk] = s
		}
		g.add(s, func() []string {
			// name first: ties on total and count go by name, then grid and block
			return []string{kk.name, launchDims(k.GridX, k.GridY, k.GridZ, i), launchDims(k.BlockX, k.BlockY, k.BlockZ, i)}
		}, k.End[i]-k.Start[i])
	}
	rows := timeRows(g.list)
	for _, r := range rows { // name, grid, block → grid, block, name
		r[8], r[9], r[10] = r[9], r[10], r[8]
	}
	return &table.Table{
		Name: "cuda_gpu_kern_gb_sum", Title: "CUDA GPU Kernel/Grid/Block Summary",
		Columns: timeColumns("Instances", "GridXYZ", "BlockXYZ", "Name"),
		Rows:    rows,
	}
}
