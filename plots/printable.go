package plots

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/omnistat/omnistat/reports/table"
)

// printable is s with every control character (newlines and tabs included: a label is one line)
// and every byte that is not UTF-8 written as a visible escape (\x1b): names come from trace
// text, and a control character makes an SVG file invalid XML and a PNG label unreadable.
func printable(s string) string {
	if !strings.ContainsFunc(s, unicode.IsControl) && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unicode.IsControl(r) && r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unicode.IsControl(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// printableChart is c with printable titles, stage names and text cells.
func printableChart(c Chart) Chart {
	c.Title, c.XLabel, c.YLabel = printable(c.Title), printable(c.XLabel), printable(c.YLabel)
	st := make([]string, len(c.Stages))
	for i, s := range c.Stages {
		st[i] = printable(s)
	}
	c.Stages = st
	if c.Data != nil {
		d := *c.Data
		d.Columns = append([]table.Column(nil), d.Columns...)
		for i := range d.Columns {
			d.Columns[i].Name = printable(d.Columns[i].Name)
		}
		d.Rows = make([][]table.Value, len(c.Data.Rows))
		for i, r := range c.Data.Rows {
			nr := append([]table.Value(nil), r...)
			for j := range nr {
				if nr[j].Kind == table.Text {
					nr[j].S = printable(nr[j].S)
				}
			}
			d.Rows[i] = nr
		}
		c.Data = &d
	}
	return c
}
