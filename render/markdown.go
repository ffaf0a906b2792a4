package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/omnistat/omnistat/reports/table"
)

// WriteMarkdown writes t as a GitHub table under a "### Title" heading, numbers right-aligned
// with thousands separators, notes as a list below.
func WriteMarkdown(w io.Writer, t *table.Table, o Options) error {
	if t.Stream != nil {
		return writeMarkdownStream(w, t, o)
	}
	cols := visible(t)
	var b strings.Builder
	fmt.Fprintf(&b, "### %s (%s)\n\n", Printable(t.Title), t.Name)
	b.WriteString("|")
	for _, ci := range cols {
		b.WriteString(" " + mdEscape(headerOf(t.Columns[ci], o)) + " |")
	}
	b.WriteString("\n|")
	num := make([]bool, len(cols))
	for j, ci := range cols {
		num[j] = isNumeric(t, ci)
		if num[j] {
			b.WriteString(" ---: |")
		} else {
			b.WriteString(" --- |")
		}
	}
	b.WriteString("\n")
	cut := make([]bool, len(cols))
	for j := range cols {
		cut[j] = o.MaxText > 0 && !num[j] // a number is never cut: a cut number is a wrong number
	}
	for _, r := range cellTexts(t, cols, cut, o) {
		b.WriteString("|")
		for _, v := range r {
			b.WriteString(" " + mdEscape(v) + " |")
		}
		b.WriteString("\n")
	}
	for _, n := range t.Notes {
		b.WriteString("\n- " + mdEscape(n))
	}
	if len(t.Notes) > 0 {
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdEscape(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}
