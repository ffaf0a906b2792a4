// Package plots draws charts (PNG or SVG) from chart data tables with gonum/plot: stacked bars,
// horizontal bars, box plots with outliers, and timelines. Stages keep one colour across charts.
// It computes nothing: the numbers come in the data table.
//
// The charts are robust by construction: labels are elided in the middle to a bounded width (the
// full text stays in the data table), axis margins are sized to the labels, the legend has its own
// column beside the data, ticks fall on round values, and an axis whose data spans more than
// LogRatio goes logarithmic.
package plots

import (
	"fmt"
	"image"
	"image/color"
	"io"
	"strings"

	"github.com/omnistat/omnistat/reports/table"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Chart kinds: how a chart's data table is drawn.
const (
	Stacked  = "stacked_bars" // rows: categories; columns after the first: stacked series
	Grouped  = "grouped_bars" // rows: categories; columns after the first: bars side by side
	HBars    = "hbars"        // rows: items; columns: label, stage, value
	Boxes    = "boxes"        // rows: items; columns: label, stage, p5, q1, median, q3, p95, …; Points: the dots
	Timeline = "timeline"     // rows: time bins; columns: bin start, one series per stage (and GPU)
)

// Chart is the data of one chart: the one chart model, built by package render from a summary
// or a diff and drawn here. The data is a table, so it is tested and can be printed like any report.
type Chart struct {
	Name           string // file stem
	Kind           string // Stacked, Grouped, HBars, Boxes or Timeline
	Title          string
	XLabel, YLabel string
	Data           *table.Table
	// Points are single values drawn over a Boxes chart: rows of (row index in Data, value,
	// warm-up 0/1). Warm-up points get their own mark.
	Points *table.Table
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

// grey is the colour of the rest: idle time, "other".
var grey = color.RGBA{185, 185, 185, 255}

// txt protects spaces from the font's kerning, which draws " A" with no gap ("CUDA API"
// came out as "CUDAAPI"): a no-break space has no kerning pair.
func txt(s string) string { return strings.ReplaceAll(s, " ", "\u00a0") }

func stageIndex(stages []string, s string) int {
	for i, x := range stages {
		if x == s {
			return i
		}
	}
	return len(stages)
}

// Size of every chart, and the resolution of its PNG.
const (
	Width  = 9 * vg.Inch
	Height = 5 * vg.Inch
	DPI    = 96
)

// sans is the font of every text.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

func style(size float64) text.Style {
	return text.Style{Font: font.From(sans, vg.Points(size)), Handler: plot.DefaultTextHandler, XAlign: draw.XCenter}
}

// figure is a plot with its title and legend, which are drawn outside the plot's data area.
type figure struct {
	p      *plot.Plot
	title  string
	legend plot.Legend
}

// legendWidth bounds a legend entry's text: longer names are elided in the middle.
const legendWidth = 1.7 * vg.Inch

func (f *figure) add(name string, th ...plot.Thumbnailer) {
	f.legend.Add(fit(name, legendWidth, 10), th...)
}

// Write draws c and writes it to w as "png" or "svg".
func Write(w io.Writer, c Chart, format string) error {
	f, err := build(printableChart(c))
	if err != nil {
		return err
	}
	cv, err := draw.NewFormattedCanvas(Width, Height, format)
	if err != nil {
		return err
	}
	f.draw(draw.New(cv))
	_, err = cv.WriteTo(w)
	return err
}

// DataArea is the rectangle of c's PNG (in pixels, y down) the data is drawn in: everything but
// the title, the axes with their labels, and the legend.
func DataArea(c Chart) (image.Rectangle, error) {
	f, err := build(c)
	if err != nil {
		return image.Rectangle{}, err
	}
	cv := vgimg.NewWith(vgimg.UseWH(Width, Height), vgimg.UseDPI(DPI))
	r := f.draw(draw.New(cv))
	px := func(l vg.Length) int { return int(l.Dots(DPI) + 0.5) }
	h := px(Height)
	return image.Rect(px(r.Min.X), h-px(r.Max.Y), px(r.Max.X), h-px(r.Min.Y)), nil
}

// build makes the figure of c.
func build(c Chart) (*figure, error) {
	if c.Data == nil || len(c.Data.Rows) == 0 {
		return nil, fmt.Errorf("chart %s: no data", c.Name)
	}
	p := plot.New()
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sans, 11)
		a.Tick.Label.Font = font.From(sans, 10)
		a.Tick.Marker = roundTicks{}
	}
	p.X.Label.Text, p.Y.Label.Text = txt(c.XLabel), txt(c.YLabel)
	f := &figure{p: p, title: txt(c.Title), legend: plot.NewLegend()}
	f.legend.TextStyle = style(10)
	f.legend.TextStyle.XAlign = draw.XLeft
	f.legend.Top, f.legend.Left = true, true
	f.legend.Padding = vg.Points(3)
	f.legend.ThumbnailWidth = vg.Points(16)
	var err error
	switch c.Kind {
	case Stacked:
		err = stacked(f, c)
	case Grouped:
		err = grouped(f, c)
	case HBars:
		err = hbars(f, c)
	case Boxes:
		err = boxes(f, c)
	case Timeline:
		err = timeline(f, c)
	default:
		err = fmt.Errorf("chart %s: unknown kind %q", c.Name, c.Kind)
	}
	return f, err
}

// Margins of the figure.
var (
	margin    = vg.Points(8)
	legendGap = vg.Points(14)
)

// draw draws the title across the top, the legend in a column on the right and the plot in the
// rest; it returns the data area.
func (f *figure) draw(dc draw.Canvas) vg.Rectangle {
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	dc = draw.Crop(dc, margin, -margin, margin, -margin)
	if f.title != "" {
		ts := style(13)
		ts.YAlign = draw.YTop
		dc.FillText(ts, vg.Point{X: dc.Center().X, Y: dc.Max.Y}, f.title)
		dc.Max.Y -= ts.Rectangle(f.title).Size().Y + vg.Points(6)
	}
	pc := dc
	if r := f.legend.Rectangle(dc); r.Size().X > 0 {
		w := r.Size().X
		pc = draw.Crop(dc, 0, -(w + legendGap), 0, 0)
		lc := draw.Crop(dc, dc.Size().X-w, 0, 0, -vg.Points(4))
		f.legend.Draw(lc)
	}
	f.p.Draw(pc)
	return f.p.DataCanvas(pc).Rectangle
}

// grid draws vertical and/or horizontal grid lines (never through nominal categories).
func grid(vertical, horizontal bool) *plotter.Grid {
	g := plotter.NewGrid()
	g.Vertical.Color, g.Horizontal.Color = color.Gray{215}, color.Gray{215}
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
		v[i] = max(r[j].Float(), 0)
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
