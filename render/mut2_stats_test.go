package render

import (
	"bytes"
	"testing"

	"github.com/omnistat/omnistat/reports/table"
)

// TestTitled: several tables of `omnistat stats` go under nsys's "\n ** Title (spec):\n\n" line
// (testdata/traces/*/nsys-stats-default.txt), with " [trace]" before the colon when there are
// several traces; markdown has its own "### Title (name)" heading, the trace in italics above it
// and a blank line after the table; one table alone is written as it is.
func TestTitled(t *testing.T) {
	tb := &table.Table{Name: "k", Title: "Kernels", Columns: []table.Column{{Name: "Name"}, {Name: "Calls", Unit: table.Count}},
		Rows: [][]table.Value{{table.Str("gemm"), table.I64(7)}}}
	const csv, md = "Name,Calls\ngemm,7\n", "### Kernels (k)\n\n| Name | Calls |\n| --- | ---: |\n| gemm | 7 |\n"
	for _, c := range []struct {
		f            Format
		titled, many bool
		want         string
	}{
		{CSV, false, false, csv},
		{CSV, true, false, "\n ** Kernels (kern_sum):\n\n" + csv},
		{CSV, true, true, "\n ** Kernels (kern_sum) [a.sqlite]:\n\n" + csv},
		{CSV, false, true, csv},
		{Markdown, false, false, md},
		{Markdown, true, false, md + "\n"},
		{Markdown, true, true, "\n_a.sqlite_\n\n" + md + "\n"},
		{Markdown, false, true, "\n_a.sqlite_\n\n" + md},
	} {
		var b bytes.Buffer
		if err := Titled(&b, tb, "kern_sum", c.f, Options{}, c.titled, "a.sqlite", c.many); err != nil {
			t.Fatal(err)
		}
		if b.String() != c.want {
			t.Errorf("%s titled %v many %v:\n%q\nwant\n%q", c.f, c.titled, c.many, b.String(), c.want)
		}
	}
	// a failed write of the table is returned
	for _, f := range []Format{CSV, Markdown} {
		if err := Titled(&failAt{at: "gemm"}, tb, "kern_sum", f, Options{}, true, "a.sqlite", true); err != errFull {
			t.Errorf("%s: %v, want %v", f, err, errFull)
		}
	}
}
