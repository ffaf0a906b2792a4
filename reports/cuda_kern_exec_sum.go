package reports

import (
	"slices"

	"github.com/omnistat/omnistat/reports/stat"
	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/trace"
)

// CUDAKernExecSum is cuda_kern_exec_sum: the launches of cuda_kern_exec_trace grouped by
// process, thread, device, API and kernel name, with statistics of the total time (T: from the
// call's start to the later of its end and the kernel's end), the call (A), the queue (Q, over
// the launches whose kernel started after the call ended: QCount of them) and the kernel (K);
// sorted by the mean total time, largest first.
func CUDAKernExecSum(tr *trace.Trace, opt Options) *table.Table {
	cols := []table.Column{{Name: "PID", Unit: table.ID}, {Name: "TID", Unit: table.ID}, {Name: "DevId", Unit: table.ID},
		{Name: "Count", Unit: table.Count}, {Name: "QCount", Unit: table.Count}}
	for _, p := range []string{"T", "A", "Q", "K"} {
		for _, s := range []string{"Avg", "Med", "Min", "Max", "StdDev"} {
			cols = append(cols, table.Column{Name: p + s, Unit: table.Ns})
		}
	}
	cols = append(cols, table.Column{Name: "API Name"}, table.Column{Name: "Kernel Name"})
	type key struct {
		tid, dev  int64
		api, kern string
	}
	type agg struct {
		key
		t, a, q, k []int64
	}
	groups := map[key]*agg{}
	var order []*agg
	k, rt := &tr.Kernels, &tr.Runtime
	launches(tr, func(l kernelLaunch) bool {
		kk := key{rt.GlobalTID.At(l.call), k.Device.At(l.kernel), APIName(tr.Strings.Get(int64(rt.NameID[l.call]))), KernelName(tr, l.kernel, opt.KernelName)}
		g := groups[kk]
		if g == nil {
			g = &agg{key: kk}
			groups[kk] = g
			order = append(order, g)
		}
		g.t, g.a, g.k = append(g.t, l.total()), append(g.a, l.apiDur()), append(g.k, l.kernDur())
		if l.queued() {
			g.q = append(g.q, l.kStart-l.apiEnd)
		}
		return true
	})
	type row struct {
		g          *agg
		t, a, q, k stat.Summary
	}
	rows := make([]row, len(order))
	for i, g := range order {
		rows[i] = row{g, stat.Summarize(g.t), stat.Summarize(g.a), stat.Summarize(g.q), stat.Summarize(g.k)}
	}
	slices.SortStableFunc(rows, func(a, b row) int {
		switch {
		case a.t.Avg > b.t.Avg:
			return -1
		case a.t.Avg < b.t.Avg:
			return 1
		}
		return 0
	})
	t := &table.Table{Name: "cuda_kern_exec_sum", Title: "CUDA Kernel Launch & Exec Time Summary", Columns: cols}
	for _, r := range rows {
		g := r.g
		out := []table.Value{table.I64(trace.PID(g.tid)), table.I64(trace.TID(g.tid)), intOrNull(g.dev),
			table.I64(r.t.Count), table.I64(r.q.Count)}
		for _, s := range []stat.Summary{r.t, r.a, r.q, r.k} {
			if s.Count == 0 { // no queued launch: NULL statistics, a 0.0 deviation
				out = append(out, table.Value{}, table.Value{}, table.Value{}, table.Value{}, table.F64(0))
				continue
			}
			out = append(out, table.F64(stat.Round(s.Avg, 1)), table.F64(stat.Round(s.Med, 1)), table.I64(s.Min),
				table.I64(s.Max), table.F64(stat.Round(s.StdDev, 1)))
		}
		t.Rows = append(t.Rows, append(out, table.Str(g.api), table.Str(g.kern)))
	}
	return t
}
