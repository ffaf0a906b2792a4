package main

import (
	"runtime"

	"github.com/omnistat/omnistat/internal/par"
	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/trace"
)

// runConcurrently computes the tables of the reports that run (skips[i] == "") side by side
// when there are several, no grouping and more than two cores, and returns them by spec (nil for
// the others, which the caller runs in turn as before). A report only reads the trace; the
// launching calls, the one thing found on first use, are found first when a report may ask for
// them. The tables are printed in order afterwards, so the output is the same.
func runConcurrently(specs []reportSpec, skips []string, tr *trace.Trace, groups *trace.Grouping) []*table.Table {
	tables := make([]*table.Table, len(specs))
	if groups != nil || runtime.GOMAXPROCS(0) <= 2 {
		return tables
	}
	var run []int
	launches := false
	for i, sp := range specs {
		if skips[i] != "" {
			continue
		}
		run = append(run, i)
		need := sp.report.Needs
		launches = launches || need&trace.RuntimeTable != 0 && need&(trace.KernelTable|trace.MemcpyTable|trace.MemsetTable) != 0
	}
	if len(run) < 2 {
		return tables
	}
	if launches {
		tr.Launches()
	}
	var g par.Group
	for _, i := range run {
		g.Go(func() { tables[i] = specs[i].report.Run(tr, specs[i].opt) })
	}
	g.Wait()
	return tables
}
