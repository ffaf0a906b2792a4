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

	"github.com/omnistat/omnistat/internal/text"
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
	// Elide clips text cells above MaxText (when it is above 0) in the middle, keeping a " #N"
	// suffix whole (elide), instead of at the end: the kernel names of the summary and diff
	// documents, whose distinguishing part is at the end (ShortKernelNames).
	Elide bool
	// names, when not nil, cut Elide cells as one output's kernel names (kernelNames.cut): the
	// same kernel alike in every table, two kernels never alike.
	names *kernelNames
	// TimeUnit is the unit durations are shown in, as ParseTimeUnit returns it: "nsec" (nsys's
	// default; also when empty), "usec", "msec" or "sec". JSON always carries nanoseconds.
	TimeUnit string
}

// timeUnit is how `nsys stats --timeunit` shows durations in one unit: the header label, the
// factor from nanoseconds and the decimals (nanoseconds print as they are). nsys 2025.3.1
// multiplies the nanoseconds (after its one-decimal rounding) by the float64 nearest 10⁻³, 10⁻⁶
// or 10⁻⁹ and prints a fixed number of decimals: 1716.5 ns is 1.717 us, because 1716.5 × 0.001
// is 1.7165000000000001… while 1716.5 / 1000 would be 1.7164999999999999… (17,442 values of
// the goldens in testdata/traces/*/*@*.csv agree with the product, 43 differ from the quotient).
type timeUnit struct {
	label  string
	factor float64
	dec    int
}

var timeUnits = map[string]timeUnit{
	"nsec": {"ns", 1, -1},
	"usec": {"us", 1e-3, 3},
	"msec": {"ms", 1e-6, 4},
	"sec":  {"sec", 1e-9, 4},
}

// timeUnitNames are the names nsys 2025.3.1 matches a --timeunit value against (its help text),
// each with the unit it means.
var timeUnitNames = []struct{ name, unit string }{
	{"nsec", "nsec"}, {"nanoseconds", "nsec"}, {"usec", "usec"}, {"microseconds", "usec"},
	{"msec", "msec"}, {"milliseconds", "msec"}, {"seconds", "sec"},
}

// TimeUnitUsage names the accepted --timeunit values, for help and usage errors.
const TimeUnitUsage = "nsec, usec, msec or sec, or a prefix of nsec, nanoseconds, usec, microseconds, msec, milliseconds or seconds such as us, ms or s"

// ParseTimeUnit matches s as nsys stats --timeunit does: s must be a prefix of exactly one of
// nsec, nanoseconds, usec, microseconds, msec, milliseconds and seconds (case-sensitive), so "us",
// "micro", "ms", "milli", "s" and "sec" work, while "n" and "m" are ambiguous and "usecs" matches
// nothing. It returns "nsec", "usec", "msec" or "sec".
func ParseTimeUnit(s string) (string, error) {
	var match []string
	unit := ""
	for _, n := range timeUnitNames {
		if strings.HasPrefix(n.name, s) {
			match = append(match, n.name)
			unit = n.unit
		}
	}
	switch len(match) {
	case 0:
		return "", fmt.Errorf("unknown --timeunit %q (use %s)", s, TimeUnitUsage)
	case 1:
		return unit, nil
	}
	return "", fmt.Errorf("ambiguous --timeunit %q: a prefix of %s (use %s)", s, strings.Join(match, " and "), TimeUnitUsage)
}

func (o Options) timeUnit() timeUnit {
	if u, ok := timeUnits[o.TimeUnit]; ok {
		return u
	}
	return timeUnits["nsec"]
}

// headerOf is the label of column c in the units of o.
func headerOf(c table.Column, o Options) string {
	return table.HeaderIn(c, o.memUnit(), o.timeUnit().label)
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
	if c.Unit == table.Bytes || c.Unit == table.Rate {
		div, dec := memScale(o.memUnit())
		if dec < 0 {
			if v.Kind == table.Int {
				return strconv.FormatInt(v.I, 10)
			}
			return stat.PyFloat(v.F)
		}
		return strconv.FormatFloat(v.Float()/div, 'f', dec, 64)
	}
	if tu := o.timeUnit(); c.Unit == table.Ns && tu.dec >= 0 {
		return strconv.FormatFloat(v.Float()*tu.factor, 'f', tu.dec, 64)
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
	out := text.GroupDigits(intPart)
	if neg {
		out = "-" + out
	}
	if hasFrac {
		out += "." + frac
	}
	return out
}

// pretty is the human form of v: thousands separators on numbers except IDs.
func pretty(v table.Value, c table.Column, o Options) string {
	s := cell(v, c, o)
	if v.Kind == table.Text {
		return Printable(s) // a name with a newline or an escape from the trace stays on its line
	}
	if v.Kind == table.Null || c.Unit == table.ID {
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
