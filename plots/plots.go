// Package plots draws charts (PNG or SVG) from chart data tables with gonum/plot: stacked bars,
// horizontal bars, box plots from quartiles, and timelines. Stages keep one colour across charts.
// It computes nothing: the numbers come in the data table.
package plots

import (
	"fmt"
	"image/color"
	"io"
	"strings"

	"github.com/omnistat/omnistat/reports/table"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Chart kinds: how a chart's data table is drawn.
const (
	Stacked  = "stacked_bars" // rows: categories; columns after the first: stacked series
	HBars    = "hbars"        // rows: items; columns: label, stage, value
	Boxes    = "boxes"        // rows: items; columns: label, stage, min, q1, median, q3, max
	Timeline = "timeline"     // rows: time bins; columns: bin start, one series per stage
)

// Chart is the data of one chart: the one chart model, built by package render from a summary
// or a diff and drawn here. The data is a table, so it is tested and can be printed like any report.
type Chart struct {
	Name           string // file stem
	Kind           string // Stacked, HBars, Boxes or Timeline
	Title          string
	XLabel, YLabel string
	Data           *table.Table
	// Stages lists the stage keys in order, so every chart gives a stage the same colour.
	Stages []string
}

// palette is Okabe–Ito's colour-blind-safe set.
var palette = []color.RGBA{
	{0, 114, 178, 255}, {230, 159, 0, 255}, {0, 158, 115, 255}, {204, 121, 167, 255},
	{86, 180, 233, 255}, {213, 94, 0, 255}, {240, 228, 66, 255}, {120, 120, 120, 255},
}

// StageColor is the colour of stage i of a trace.
func StageColor(i int) color.RGBA { return palette[i%len(palette)] }

// txt protects spaces from the font's kerning, which draws " A" with no gap ("CUDA API"
// came out as "CUDAAPI"): a no-break space has no kerning pair.
func txt(s string) string { return strings.ReplaceAll(s, " ", "\u00a0") }

func txts(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = txt(x)
	}
	return out
}

func stageIndex(stages []string, s string) int {
	for i, x := range stages {
		if x == s {
			return i
		}
	}
	return len(stages)
}

// Size of every chart.
const (
	Width  = 9 * vg.Inch
	Height = 5 * vg.Inch
)

// Write draws c and writes it to w as "png" or "svg".
func Write(w io.Writer, c Chart, format string) error {
	p, err := Draw(c)
	if err != nil {
		return err
	}
	wt, err := p.WriterTo(Width, Height, format)
	if err != nil {
		return err
	}
	_, err = wt.WriteTo(w)
	return err
}

// Draw builds the plot of c.
func Draw(c Chart) (*plot.Plot, error) {
	if c.Data == nil || len(c.Data.Rows) == 0 {
		return nil, fmt.Errorf("chart %s: no data", c.Name)
	}
	p := plot.New()
	p.Title.Text = txt(c.Title)
	p.Title.TextStyle.Font.Size = vg.Points(13)
	p.X.Label.Text, p.Y.Label.Text = txt(c.XLabel), txt(c.YLabel)
	p.Legend.Top = true
	p.Legend.Left = false
	var err error
	switch c.Kind {
	case Stacked:
		err = stacked(p, c)
	case HBars:
		err = hbars(p, c)
	case Boxes:
		err = boxes(p, c)
	case Timeline:
		err = timeline(p, c)
	case "grouped_bars":
		err = grouped(p, c)
	default:
		err = fmt.Errorf("chart %s: unknown kind %q", c.Name, c.Kind)
	}
	return p, err
}

// grid draws vertical and/or horizontal grid lines (never through nominal categories).
func grid(vertical, horizontal bool) *plotter.Grid {
	g := plotter.NewGrid()
	if !vertical {
		g.Vertical.Color = nil
	}
	if !horizontal {
		g.Horizontal.Color = nil
	}
	return g
}

func column(t *table.Table, j int) plotter.Values {
	v := make(plotter.Values, len(t.Rows))
	for i, r := range t.Rows {
		v[i] = r[j].Float()
	}
	return v
}

func labels(t *table.Table, j int) []string {
	out := make([]string, len(t.Rows))
	for i, r := range t.Rows {
		out[i] = r[j].S
	}
	return out
}

// stacked: one bar per row (category), series stacked; series colours from the palette,
// starting after the stage colours so a series is never mistaken for a stage.
func stacked(p *plot.Plot, c Chart) error {
	t := c.Data
	w := vg.Points(40)
	var prev *plotter.BarChart
	for j := 1; j < len(t.Columns); j++ {
		b, err := plotter.NewBarChart(column(t, j), w)
		if err != nil {
			return err
		}
		b.LineStyle.Width = 0
		if strings.HasPrefix(t.Columns[j].Name, "GPU idle") || strings.HasPrefix(t.Columns[j].Name, "other") {
			b.Color = color.RGBA{200, 200, 200, 255}
		} else {
			b.Color = palette[(j-1)%len(palette)]
		}
		if prev != nil {
			b.StackOn(prev)
		}
		prev = b
		p.Add(b)
		p.Legend.Add(txt(t.Columns[j].Name), b)
	}
	barAxes(p, t)
	return nil
}

// barAxes names the categories of a vertical bar chart on x, keeps room on the right for the
// legend (so it never covers a bar), starts y at 0 and draws the horizontal grid.
func barAxes(p *plot.Plot, t *table.Table) {
	p.NominalX(txts(labels(t, 0))...)
	p.X.Min, p.X.Max = -0.7, float64(len(t.Rows))-0.3+legendRoom(len(t.Rows))
	p.Y.Min = 0
	p.Add(grid(false, true))
}

// legendRoom is the extra x range (in categories) kept free for the legend.
func legendRoom(n int) float64 {
	if n < 4 {
		return 1.4
	}
	return float64(n) * 0.35
}

// grouped: per row (category) one bar per column, side by side.
func grouped(p *plot.Plot, c Chart) error {
	t := c.Data
	n := len(t.Columns) - 1
	w := vg.Points(18)
	for j := 1; j <= n; j++ {
		b, err := plotter.NewBarChart(column(t, j), w)
		if err != nil {
			return err
		}
		b.LineStyle.Width = 0
		b.Color = palette[(j-1)%len(palette)]
		b.Offset = vg.Length(float64(j)-float64(n+1)/2) * w
		p.Add(b)
		p.Legend.Add(txt(t.Columns[j].Name), b)
	}
	barAxes(p, t)
	return nil
}

// hbars: one horizontal bar per row, coloured by its stage; the largest on top.
func hbars(p *plot.Plot, c Chart) error {
	t := c.Data
	n := len(t.Rows)
	names := make([]string, n)
	seen := map[string]bool{}
	for i := range t.Rows {
		names[n-1-i] = t.Rows[i][0].S
	}
	for _, st := range append(append([]string(nil), c.Stages...), "") {
		vals := make(plotter.Values, n)
		any := false
		for i, r := range t.Rows {
			if r[1].S == st || (st == "" && stageIndex(c.Stages, r[1].S) == len(c.Stages)) {
				vals[n-1-i] = r[2].Float()
				any = true
			}
		}
		if !any {
			continue
		}
		b, err := plotter.NewBarChart(vals, vg.Points(14))
		if err != nil {
			return err
		}
		b.Horizontal = true
		b.LineStyle.Width = 0
		b.Color = StageColor(stageIndex(c.Stages, st))
		p.Add(b)
		if !seen[st] && st != "" {
			p.Legend.Add(txt(st), b)
			seen[st] = true
		}
	}
	p.NominalY(txts(names)...)
	p.X.Min = 0
	var top float64
	for _, r := range t.Rows {
		top = max(top, r[2].Float())
	}
	p.X.Max = top * 1.05
	p.Legend.Top = false // the largest bars are on top; the legend goes bottom right
	p.Y.Tick.Label.Font.Size = vg.Points(9)
	p.Add(grid(true, false))
	return nil
}

// boxes: a box from Q1 to Q3 with the median, whiskers to min and max, per row, coloured by stage.
func boxes(p *plot.Plot, c Chart) error {
	t := c.Data
	var names []string
	for i, r := range t.Rows {
		x := float64(i)
		mn, q1, med, q3, mx := r[2].Float(), r[3].Float(), r[4].Float(), r[5].Float(), r[6].Float()
		col := StageColor(stageIndex(c.Stages, r[1].S))
		box, err := plotter.NewPolygon(plotter.XYs{{X: x - 0.3, Y: q1}, {X: x + 0.3, Y: q1}, {X: x + 0.3, Y: q3}, {X: x - 0.3, Y: q3}})
		if err != nil {
			return err
		}
		box.Color = color.NRGBA{col.R, col.G, col.B, 90}
		box.LineStyle.Color = col
		p.Add(box)
		for _, seg := range []plotter.XYs{{{X: x, Y: mn}, {X: x, Y: q1}}, {{X: x, Y: q3}, {X: x, Y: mx}},
			{{X: x - 0.15, Y: mn}, {X: x + 0.15, Y: mn}}, {{X: x - 0.15, Y: mx}, {X: x + 0.15, Y: mx}}, {{X: x - 0.3, Y: med}, {X: x + 0.3, Y: med}}} {
			l, err := plotter.NewLine(seg)
			if err != nil {
				return err
			}
			l.Color = col
			l.Width = vg.Points(1.5)
			p.Add(l)
		}
		names = append(names, txt(fmt.Sprintf("%s\n(%s, n=%d)", r[0].S, r[1].S, r[7].I)))
	}
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.6, float64(len(t.Rows))-0.4
	p.Y.Min = 0
	p.Add(grid(false, true))
	return nil
}

// timeline: one line per stage (columns after the first), x from the first column.
func timeline(p *plot.Plot, c Chart) error {
	t := c.Data
	for j := 1; j < len(t.Columns); j++ {
		xy := make(plotter.XYs, len(t.Rows))
		for i, r := range t.Rows {
			xy[i].X, xy[i].Y = r[0].Float(), r[j].Float()
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return err
		}
		name := strings.TrimSuffix(t.Columns[j].Name, " (%)")
		l.Color = StageColor(stageIndex(c.Stages, name))
		l.Width = vg.Points(1.5)
		p.Add(l)
		p.Legend.Add(txt(name), l)
	}
	p.Y.Min, p.Y.Max = 0, 125 // room above 100 % for the legend
	p.Add(plotter.NewGrid())
	p.Legend.Padding = vg.Points(2)
	return nil
}
