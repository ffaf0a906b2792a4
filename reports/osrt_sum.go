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
	g := newIntGrouper(a.Len())
	for i := range a.Start {
		if a.EventClass[i] == osrtEventClass {
			g.add(a.NameID[i], a.End[i]-a.Start[i])
		}
	}
	g.done()
	groups := make([]*group, len(g.ids))
	for i, id := range g.ids {
		groups[i] = &group{labels: []string{tr.Strings.Get(id)}, vals: g.vals[i]}
	}
	return &table.Table{
		Name: "osrt_sum", Title: "OS Runtime Summary",
		Columns: timeColumns("Num Calls", "Name"),
		Rows:    timeRows(groups),
	}
}
