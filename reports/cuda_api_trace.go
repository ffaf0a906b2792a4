package reports

import (
	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/trace"
)

func init() {
	register(Report{
		Name: "cuda_api_trace", Title: "CUDA API Trace", Needs: trace.RuntimeTable, TraceColumns: true,
		Skip: func(tr *trace.Trace) string {
			if tr.Runtime.Len() == 0 {
				return "does not contain CUDA trace data."
			}
			if !tr.Has("ThreadNames") {
				return "does not contain OS thread names."
			}
			return ""
		},
		Run: func(tr *trace.Trace, _ Options) *table.Table { return CUDAAPITrace(tr) },
	})
}

// CUDAAPITrace is cuda_api_trace: every CUDA runtime and driver call in start order, with its
// return value, correlation id, process, thread and the thread's priority and name.
func CUDAAPITrace(tr *trace.Trace) *table.Table {
	cols := []table.Column{
		{Name: "Start", Unit: table.Ns}, {Name: "Duration", Unit: table.Ns}, {Name: "Name"},
		{Name: "Result", Unit: table.ID}, {Name: "CorrID", Unit: table.ID}, {Name: "Pid", Unit: table.ID},
		{Name: "Tid", Unit: table.ID}, {Name: "T-Pri", Unit: table.ID}, {Name: "Thread Name"},
	}
	a := &tr.Runtime
	order := byStart(a.Start)
	threads := threadInfo(tr)
	return streamTable("cuda_api_trace", "CUDA API Trace", cols, func(row []table.Value, yield func([]table.Value) bool) {
		var lastTID int64 = trace.Null
		var th *trace.Thread
		for k := range a.Start {
			i := at(order, k)
			g := a.GlobalTID.At(i)
			if g != lastTID {
				th, lastTID = threads[g], g
			}
			row[0], row[1] = table.I64(a.Start[i]), table.I64(a.End[i]-a.Start[i])
			row[2] = table.Str(APIName(tr.Strings.Get(int64(a.NameID[i]))))
			row[3], row[4] = optCol(a.ReturnValue, i), int32OrNull(a.CorrID[i])
			row[5], row[6] = table.I64(trace.PID(g)), table.I64(trace.TID(g))
			row[7], row[8] = table.Value{}, table.Value{}
			if th != nil {
				row[7], row[8] = table.I64(th.Priority), table.Str(th.Name)
			}
			if !yield(row) {
				return
			}
		}
	})
}
