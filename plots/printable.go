package plots

import (
	"github.com/omnistat/omnistat/internal/text"
	"github.com/omnistat/omnistat/reports/table"
)

// printable is text.Printable: names come from trace text, and a control character makes an
// SVG file invalid XML and a PNG label unreadable.
var printable = text.Printable

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
