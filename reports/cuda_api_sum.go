package reports

import (
	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/trace"
)

func init() {
	register(Report{
		Name:  "cuda_api_sum",
		Needs: trace.RuntimeTable,
		Title: "CUDA API Summary",
		Skip: func(tr *trace.Trace) string {
			if tr.Runtime.Len() == 0 {
				return "does not contain CUDA trace data."
			}
			return ""
		},
		Run: func(tr *trace.Trace, _ Options) *table.Table { return CUDAAPISum(tr) },
	})
}

// CUDAAPISum is cuda_api_sum: every CUDA runtime and driver call, grouped by function, with
// the time share among all calls.
func CUDAAPISum(tr *trace.Trace) *table.Table {
	a := &tr.Runtime
	g := groupDurations(a.NameID, a.Start, a.End, tr.Strings.Bound())
	if g == nil {
		g = groupByID(a.Len(), tr.Strings.Bound(), func(i int) (int64, bool) { return int64(a.NameID[i]), true },
			func(i int) int64 { return a.End[i] - a.Start[i] })
	}
	groups := make([]*group, len(g.ids))
	for i, id := range g.ids {
		groups[i] = g.group(i, []string{APIName(tr.Strings.Get(id))})
	}
	return &table.Table{
		Name: "cuda_api_sum", Title: "CUDA API Summary",
		Columns: timeColumns("Num Calls", "Name"),
		Rows:    timeRows(groups),
	}
}

// APIName drops a CUPTI version suffix the way nsys does: when the 6th and 5th characters
// from the end are "_v", the last 6 characters go (cudaLaunchKernel_v7000 → cudaLaunchKernel,
// while cudaLaunchKernelExC_v11060 keeps its suffix).
func APIName(s string) string {
	if n := len(s); n >= 6 && s[n-6:n-4] == "_v" {
		return s[:n-6]
	}
	return s
}
