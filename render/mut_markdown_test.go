package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/reports/table"
)

// TestMarkdownMaxText: markdown clips text to MaxText characters when it is above 0, never when
// it is 0 (Options' doc) or negative; numbers are never clipped. A table without notes ends at
// its last row.
func TestMarkdownMaxText(t *testing.T) {
	long := strings.Repeat("k", 150)
	tb := &table.Table{Name: "k", Title: "Kernels", Columns: []table.Column{{Name: "Name"}, {Name: "Calls", Unit: table.Count}},
		Rows: [][]table.Value{{table.Str(long), table.I64(123456789)}}}
	for max, cellWant := range map[int]string{0: long, -1: long, 10: "kkkkkkkkk…", 150: long, 149: strings.Repeat("k", 148) + "…"} {
		for _, in := range []*table.Table{tb, streamed(tb)} {
			var b bytes.Buffer
			if err := WriteMarkdown(&b, in, Options{MaxText: max}); err != nil {
				t.Fatal(err)
			}
			want := "### Kernels (k)\n\n| Name | Calls |\n| --- | ---: |\n| " + cellWant + " | 123,456,789 |\n"
			if b.String() != want {
				t.Errorf("MaxText %d (streamed %v):\n%q\nwant\n%q", max, in.Stream != nil, b.String(), want)
			}
		}
	}
}
