package reports

import (
	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/trace"
)

// RunGrouped runs report r on every group of g and stacks the results under a leading key
// column; shares (Time %) are within each group. Groups where the report has no rows are left out.
func RunGrouped(r Report, opt Options, tr *trace.Trace, g *trace.Grouping) *table.Table {
	if first := r.Run(tr.Subset(trace.Keep{}), opt); first.Stream != nil {
		return runGroupedStream(r, opt, tr, g, first)
	}
	var out *table.Table
	for i, label := range g.Labels {
		sub := tr.Subset(g.Keep[i])
		if r.Skip(sub) != "" {
			continue
		}
		t := r.Run(sub, opt)
		if out == nil {
			out = &table.Table{Name: t.Name, Title: t.Title + " by " + g.Column,
				Columns: append([]table.Column{{Name: g.Column}}, t.Columns...)}
		}
		for _, row := range t.Rows {
			out.Rows = append(out.Rows, append([]table.Value{table.Str(label)}, row...))
		}
		for _, n := range t.Notes {
			if !containsStr(out.Notes, n) {
				out.Notes = append(out.Notes, n)
			}
		}
	}
	if out == nil {
		t := r.Run(tr.Subset(trace.Keep{}), opt)
		out = &table.Table{Name: t.Name, Title: t.Title + " by " + g.Column, Columns: append([]table.Column{{Name: g.Column}}, t.Columns...)}
	}
	return out
}

func containsStr(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// runGroupedStream is RunGrouped for a streamed report: the groups are cut and run one at a
// time while the rows stream out, so no group's rows are held either. empty is the report on no
// rows (its columns and title).
func runGroupedStream(r Report, opt Options, tr *trace.Trace, g *trace.Grouping, empty *table.Table) *table.Table {
	out := &table.Table{Name: empty.Name, Title: empty.Title + " by " + g.Column,
		Columns: append([]table.Column{{Name: g.Column}}, empty.Columns...)}
	out.Stream = func(yield func([]table.Value) bool) {
		row := make([]table.Value, len(out.Columns))
		for i, label := range g.Labels {
			sub := tr.Subset(g.Keep[i])
			if r.Skip(sub) != "" {
				continue
			}
			more := true
			r.Run(sub, opt).Stream(func(rr []table.Value) bool {
				row[0] = table.Str(label)
				copy(row[1:], rr)
				more = yield(row)
				return more
			})
			if !more {
				return
			}
		}
	}
	return out
}
