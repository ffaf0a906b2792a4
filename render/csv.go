package render

import (
	"bufio"
	"io"
	"strings"

	"github.com/omnistat/omnistat/reports/table"
)

// WriteCSV writes t as `nsys stats --format csv` does: one header line with units in
// parentheses, values as Python prints them, Python's minimal quoting, LF line ends. Like
// nsys ("PROCESSED (EMPTY RESULTS)"), a table without rows writes nothing, not even a header.
func WriteCSV(w io.Writer, t *table.Table, o Options) error {
	if t.Stream != nil {
		return writeCSVStream(w, t, o)
	}
	if len(t.Rows) == 0 {
		return nil
	}
	bw := bufio.NewWriter(w)
	cols := visible(t)
	for j, ci := range cols {
		if j > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString(csvField(headerOf(t.Columns[ci], o)))
	}
	bw.WriteByte('\n')
	for _, r := range t.Rows {
		for j, ci := range cols {
			if j > 0 {
				bw.WriteByte(',')
			}
			bw.WriteString(csvField(cell(r[ci], t.Columns[ci], o)))
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// csvField quotes s as Python's csv module (QUOTE_MINIMAL) does.
func csvField(s string) string {
	if !strings.ContainsAny(s, ",\"\r\n") {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
