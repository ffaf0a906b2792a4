// Package render writes every output of omnistat: tables (render.go and one file per format:
// csv byte for byte like `nsys stats --format csv`, column for the terminal, markdown, json) and
// whole documents — the stats listing (stats.go), the summary (summary.go, summary_json.go), the
// diff (diff.go, diff_json.go), the report's markdown (report.go) and its charts' data
// (charts.go, drawn by package plots).
//
// Writers only format: they never compute figures, sort or filter rows, and never read traces
// or write files (the verbs in cmd/omnistat do). Only this package imports tablewriter.
package render

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/omnistat/omnistat/reports/stat"
	"github.com/omnistat/omnistat/reports/table"
)

// Format is an output format.
type Format string

// Formats.
const (
	CSV      Format = "csv"
	Column   Format = "column"
	JSON     Format = "json"
	Markdown Format = "markdown"
)

// Formats lists the accepted format names.
var Formats = []Format{Column, CSV, JSON, Markdown}

// ParseFormat accepts a format name ("md" for markdown).
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(s) {
	case "csv":
		return CSV, nil
	case "column", "text", "table":
		return Column, nil
	case "json":
		return JSON, nil
	case "markdown", "md":
		return Markdown, nil
	}
	return "", fmt.Errorf("unknown format %q (use column, csv, json or markdown)", s)
}

// Options tune a writer.
type Options struct {
	// MemUnit is the unit Bytes columns are shown in: "MB" (nsys's default, 1000² bytes, three
	// decimals), "KB", "GB" or "B".
	MemUnit string
	// MaxText clips text cells of the column and markdown formats to this many characters (-1:
	// never)
	// (column: 100, as nsys, when 0; markdown: no clipping when 0).
	MaxText int
}

func (o Options) memUnit() string {
	if o.MemUnit == "" {
		return "MB"
	}
	return o.MemUnit
}

// Write writes one table in format f.
func Write(w io.Writer, f Format, t *table.Table, o Options) error {
	switch f {
	case CSV:
		return WriteCSV(w, t, o)
	case JSON:
		return WriteJSON(w, []*table.Table{t}, o)
	case Markdown:
		return WriteMarkdown(w, t, o)
	default:
		return WriteColumn(w, t, o)
	}
}

// memScale is the divisor and decimals of a memory unit.
func memScale(unit string) (float64, int) {
	switch unit {
	case "B":
		return 1, -1
	case "KB":
		return 1e3, 3
	case "GB":
		return 1e9, 3
	}
	return 1e6, 3
}

// cell is the plain text of v in column c (CSV form: no separators).
func cell(v table.Value, c table.Column, o Options) string {
	switch v.Kind {
	case table.Null:
		return ""
	case table.Text:
		return v.S
	}
	if c.Unit == table.Bytes {
		div, dec := memScale(o.memUnit())
		if dec < 0 {
			if v.Kind == table.Int {
				return strconv.FormatInt(v.I, 10)
			}
			return stat.PyFloat(v.F)
		}
		return strconv.FormatFloat(v.Float()/div, 'f', dec, 64)
	}
	if v.Kind == table.Int {
		return strconv.FormatInt(v.I, 10)
	}
	return stat.PyFloat(v.F)
}

// isNumeric reports whether column c holds numbers (right-aligned, with separators).
func isNumeric(t *table.Table, ci int) bool {
	for _, r := range t.Rows {
		if k := r[ci].Kind; k == table.Int || k == table.Float {
			return true
		} else if k == table.Text {
			return false
		}
	}
	return t.Columns[ci].Unit != table.None
}

// withSeparators puts thousands separators into the integer part of a plain number.
func withSeparators(s string) string {
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	if strings.ContainsAny(intPart, "e") || len(intPart) <= 3 {
		if neg {
			s = "-" + s
		}
		return s
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	lead := len(intPart) % 3
	if lead > 0 {
		b.WriteString(intPart[:lead])
	}
	for i := lead; i < len(intPart); i += 3 {
		if b.Len() > 0 && !(neg && b.Len() == 1) {
			b.WriteByte(',')
		}
		b.WriteString(intPart[i : i+3])
	}
	if hasFrac {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// pretty is the human form of v: thousands separators on numbers except IDs.
func pretty(v table.Value, c table.Column, o Options) string {
	s := cell(v, c, o)
	if v.Kind == table.Text || v.Kind == table.Null || c.Unit == table.ID {
		return s
	}
	return withSeparators(s)
}

// visible lists the indexes of the columns that are printed.
func visible(t *table.Table) []int {
	var out []int
	for i, c := range t.Columns {
		if !c.Hidden {
			out = append(out, i)
		}
	}
	return out
}

// WritesNotes says whether the format writes a table's notes with the table (markdown does, as
// footnotes); for the others the caller puts them on stderr.
func (f Format) WritesNotes() bool { return f == Markdown }
