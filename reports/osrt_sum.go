package reports

import (
	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/trace"
)

// osrtEventClass is TRACE_PROCESS_EVENT_OS_RUNTIME, the only class osrt_sum counts.
const osrtEventClass = 27

func init() {
	register(Report{
		Name:  "osrt_sum",
		Needs: trace.OSRTTable,
		Title: "OS Runtime Summary",
		Skip: func(tr *trace.Trace) string {
			if tr.OSRT.Len() == 0 {
				return "does not contain OS Runtime trace data."
			}
			return ""
		},
		Run: func(tr *trace.Trace, _ Options) *table.Table { return OSRTSum(tr) },
	})
}

// OSRTSum is osrt_sum: OS runtime calls (event class 27) grouped by function name.
func OSRTSum(tr *trace.Trace) *table.Table {
	a := &tr.OSRT
	g := groupByID(a.Len(), tr.Strings.Bound(), func(i int) (int64, bool) { return int64(a.NameID[i]), a.EventClass[i] == osrtEventClass },
		func(i int) int64 { return a.End[i] - a.Start[i] })
	groups := make([]*group, len(g.ids))
	for i, id := range g.ids {
		groups[i] = g.group(i, []string{tr.Strings.Get(id)})
	}
	return &table.Table{
		Name: "osrt_sum", Title: "OS Runtime Summary",
		Columns: timeColumns("Num Calls", "Name"),
		Rows:    timeRows(groups),
	}
}
