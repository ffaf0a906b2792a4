package reports

import (
	"fmt"
	"testing"

	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/trace"
)

// RunGrouped (--by) against reports built here: one row per NVTX start in the subset, a note
// every group repeats; groups where Skip gives a reason (no NVTX rows) are left out.

func groupTestReport(stream bool) Report {
	cols := []table.Column{{Name: "Start", Unit: table.Ns}}
	return Report{Name: "rows", Title: "Rows",
		Skip: func(tr *trace.Trace) string {
			if tr.NVTX.Len() == 0 {
				return "does not contain NV Tools Extension (NVTX) data."
			}
			return ""
		},
		Run: func(tr *trace.Trace, _ Options) *table.Table {
			if stream {
				return streamTable("rows", "Rows", cols, func(row []table.Value, yield func([]table.Value) bool) {
					for _, s := range tr.NVTX.Start {
						row[0] = table.I64(s)
						if !yield(row) {
							return
						}
					}
				})
			}
			t := &table.Table{Name: "rows", Title: "Rows", Columns: cols, Notes: []string{"a note", "another"}}
			for _, s := range tr.NVTX.Start {
				t.Rows = append(t.Rows, []table.Value{table.I64(s)})
			}
			return t
		}}
}

// three NVTX ranges; group "x" keeps rows 0 and 2, "empty" none (skipped), "y" row 1
func groupTestTrace() (*trace.Trace, *trace.Grouping) {
	b := newProjTB()
	for _, s := range []int64{10, 20, 30} {
		b.rng(0x1_000064_000001, s, s+5, trace.NVTXPushPopRange, 0)
	}
	return b.tr, &trace.Grouping{Column: "Stage", Labels: []string{"x", "empty", "y"},
		Keep: []trace.Keep{{NVTX: []bool{true, false, true}}, {NVTX: []bool{false, false, false}}, {NVTX: []bool{false, true, false}}}}
}

func groupedRows(t *table.Table) []string {
	var out []string
	add := func(r []table.Value) bool {
		out = append(out, fmt.Sprintf("%s %d", r[0].S, r[1].I))
		return true
	}
	if t.Stream != nil {
		t.Stream(add)
	}
	for _, r := range t.Rows {
		add(r)
	}
	return out
}

func TestRunGrouped(t *testing.T) {
	for _, stream := range []bool{false, true} {
		tr, g := groupTestTrace()
		got := RunGrouped(groupTestReport(stream), Options{}, tr, g)
		if (got.Stream != nil) != stream {
			t.Errorf("stream=%v: streamed %v", stream, got.Stream != nil)
		}
		checkRows(t, fmt.Sprintf("stream=%v rows", stream), groupedRows(got), []string{"x 10", "x 30", "y 20"})
		if got.Title != "Rows by Stage" || len(got.Columns) != 2 || got.Columns[0].Name != "Stage" || got.Columns[1].Name != "Start" {
			t.Errorf("stream=%v: title %q columns %+v", stream, got.Title, got.Columns)
		}
		if !stream && fmt.Sprint(got.Notes) != "[a note another]" {
			t.Errorf("notes %q, want each once", got.Notes)
		}
		// every group skipped: no rows, the report's columns and title all the same
		g.Labels, g.Keep = g.Labels[1:2], g.Keep[1:2]
		got = RunGrouped(groupTestReport(stream), Options{}, tr, g)
		if rows := groupedRows(got); len(rows) != 0 || got.Title != "Rows by Stage" || len(got.Columns) != 2 || got.Columns[0].Name != "Stage" {
			t.Errorf("stream=%v, all skipped: rows %q title %q columns %+v", stream, rows, got.Title, got.Columns)
		}
	}
}

func TestContainsStr(t *testing.T) {
	if !containsStr([]string{"a", "b"}, "b") || containsStr([]string{"a", "b"}, "c") || containsStr(nil, "") {
		t.Error("containsStr")
	}
}
