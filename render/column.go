package render

import (
	"bytes"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
	"github.com/omnistat/omnistat/reports/table"
)

// maxCell is where the column format clips text, as nsys does (100 characters, then "…").
const maxCell = 100

// WriteColumn writes t as an aligned terminal table: a header, a dashed rule, numbers
// right-aligned with thousands separators, long text clipped.
func WriteColumn(w io.Writer, t *table.Table, o Options) error {
	if t.Stream != nil {
		return writeColumnStream(w, t, o)
	}
	cols := visible(t)
	header := make([]string, len(cols))
	align := make([]tw.Align, len(cols))
	for j, ci := range cols {
		header[j] = headerOf(t.Columns[ci], o)
		align[j] = tw.AlignLeft
		if isNumeric(t, ci) {
			align[j] = tw.AlignRight
		}
	}
	var buf bytes.Buffer
	tbl := tablewriter.NewTable(&buf,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders: tw.BorderNone,
			Symbols: tw.NewSymbols(tw.StyleASCII),
			Settings: tw.Settings{
				Separators: tw.Separators{BetweenColumns: tw.Off, BetweenRows: tw.Off},
				Lines:      tw.Lines{ShowHeaderLine: tw.On},
			},
		})),
		tablewriter.WithConfig(tablewriter.Config{
			Header: tw.CellConfig{
				Formatting: tw.CellFormatting{AutoFormat: tw.Off, AutoWrap: tw.WrapNone},
				Alignment:  tw.CellAlignment{PerColumn: align},
			},
			Row: tw.CellConfig{
				Formatting: tw.CellFormatting{AutoWrap: tw.WrapNone},
				Alignment:  tw.CellAlignment{PerColumn: align},
			},
		}),
		tablewriter.WithTrimSpace(tw.Off),
	)
	tbl.Header(header)
	cut := make([]bool, len(cols))
	for j := range cols {
		cut[j] = align[j] != tw.AlignRight // a number is never cut: a cut number is a wrong number
	}
	for _, rec := range cellTexts(t, cols, cut, o) {
		if err := tbl.Append(rec); err != nil {
			return err
		}
	}
	if err := tbl.Render(); err != nil {
		return err
	}
	return trimLines(w, buf.String())
}

// trimLines drops the padding after the last column and shortens the header rule to the
// widest line, so a table is as wide as its content.
func trimLines(w io.Writer, s string) error {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	width := 0
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
		if !strings.HasPrefix(lines[i], "---") {
			width = max(width, utf8.RuneCountInString(lines[i]))
		}
	}
	var b strings.Builder
	for _, l := range lines {
		if strings.HasPrefix(l, "---") && strings.Trim(l, "-") == "" {
			l = strings.Repeat("-", width)
		}
		b.WriteString(l + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// clip shortens s to max characters (maxCell when max is 0, never when it is negative), ending
// in "…".
func clip(s string, max int) string {
	if max < 0 {
		return s
	}
	if max == 0 {
		max = maxCell
	}
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max-1]) + "…"
}
