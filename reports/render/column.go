package render

import (
	"io"
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
	cols := visible(t)
	header := make([]string, len(cols))
	align := make([]tw.Align, len(cols))
	for j, ci := range cols {
		header[j] = table.Header(t.Columns[ci], o.memUnit())
		align[j] = tw.AlignLeft
		if isNumeric(t, ci) {
			align[j] = tw.AlignRight
		}
	}
	tbl := tablewriter.NewTable(w,
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
	for _, r := range t.Rows {
		rec := make([]string, len(cols))
		for j, ci := range cols {
			rec[j] = clip(pretty(r[ci], t.Columns[ci], o))
		}
		if err := tbl.Append(rec); err != nil {
			return err
		}
	}
	return tbl.Render()
}

func clip(s string) string {
	if utf8.RuneCountInString(s) <= maxCell {
		return s
	}
	r := []rune(s)
	return string(r[:maxCell-1]) + "…"
}
