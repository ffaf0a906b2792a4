package plots

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Columns of a Boxes chart's data.
const (
	boxLabel, boxStage, boxP5, boxQ1, boxMed, boxQ3, boxP95, boxCount, boxWarmup = 0, 1, 2, 3, 4, 5, 6, 7, 8
)

// boxes: per row a box from Q1 to Q3 with the median, whiskers from p5 to p95, coloured by
// stage; the chart's Points as dots (values outside the whiskers) and triangles (warm-up
// instances). The value axis is logarithmic when the values span more than LogRatio.
func boxes(f *figure, c Chart) error {
	t := c.Data
	p := f.p
	lo, hi := math.Inf(1), 0.0
	see := func(v float64) {
		if v > 0 {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	for _, r := range t.Rows {
		for j := boxP5; j <= boxP95; j++ {
			see(r[j].Float())
		}
	}
	if c.Points != nil {
		for _, r := range c.Points.Rows {
			see(r[1].Float())
		}
	}
	if hi == 0 {
		lo, hi = 1, 1
	}
	log := hi/lo > LogRatio
	clip := func(v float64) float64 { return v }
	if log {
		p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, logTicks{}
		p.Y.Min, p.Y.Max = logRange(lo, hi)
		min := p.Y.Min
		clip = func(v float64) float64 { return max(v, min) }
		f.title += txt(" (log scale)")
	} else {
		p.Y.Min, p.Y.Max = 0, hi*1.05
	}
	lw := approxDataW / vg.Length(max(len(t.Rows), 2)) * 0.92
	var names []string
	for i, r := range t.Rows {
		x := float64(i)
		col := StageColor(stageIndex(c.Stages, r[boxStage].S))
		p5, q1, med, q3, p95 := clip(r[boxP5].Float()), clip(r[boxQ1].Float()), clip(r[boxMed].Float()), clip(r[boxQ3].Float()), clip(r[boxP95].Float())
		box, err := plotter.NewPolygon(plotter.XYs{{X: x - 0.3, Y: q1}, {X: x + 0.3, Y: q1}, {X: x + 0.3, Y: q3}, {X: x - 0.3, Y: q3}})
		if err != nil {
			return err
		}
		box.Color = color.NRGBA{col.R, col.G, col.B, 90}
		box.LineStyle.Color = col
		box.LineStyle.Width = vg.Points(1.2)
		p.Add(box)
		for _, seg := range []plotter.XYs{{{X: x, Y: p5}, {X: x, Y: q1}}, {{X: x, Y: q3}, {X: x, Y: p95}},
			{{X: x - 0.12, Y: p5}, {X: x + 0.12, Y: p5}}, {{X: x - 0.12, Y: p95}, {X: x + 0.12, Y: p95}}, {{X: x - 0.3, Y: med}, {X: x + 0.3, Y: med}}} {
			l, err := plotter.NewLine(seg)
			if err != nil {
				return err
			}
			l.Color = col
			l.Width = vg.Points(1.5)
			if seg[0].Y == med && seg[1].Y == med {
				l.Width = vg.Points(2.5)
			}
			p.Add(l)
		}
		note := fmt.Sprintf("n=%d", r[boxCount].I)
		if len(r) > boxWarmup && r[boxWarmup].I > 0 {
			note += fmt.Sprintf(", %d warm-up", r[boxWarmup].I)
		}
		names = append(names, fit(r[boxLabel].S, lw, 10)+"\n"+fit(r[boxStage].S, lw, 10)+"\n"+fit(note, lw, 10))
	}
	if err := points(f, c, clip); err != nil {
		return err
	}
	p.NominalX(names...)
	pad := max(3-float64(len(t.Rows)), 0) / 2 // one or two boxes keep a box's width, centred
	p.X.Min, p.X.Max = -0.6-pad, float64(len(t.Rows))-0.4+pad
	p.Add(grid(false, true))
	return nil
}

// Glyphs of the points over the boxes.
var (
	outlierGlyph = draw.GlyphStyle{Shape: draw.RingGlyph{}, Radius: vg.Points(2.5)}
	warmupGlyph  = draw.GlyphStyle{Shape: draw.TriangleGlyph{}, Radius: vg.Points(4)}
)

// points draws c.Points over the boxes, spread a little sideways so equal values stay visible.
func points(f *figure, c Chart, clip func(float64) float64) error {
	if c.Points == nil || len(c.Points.Rows) == 0 {
		return nil
	}
	var kinds [2]bool
	for k, r := range c.Points.Rows {
		row := int(r[0].I)
		if row < 0 || row >= len(c.Data.Rows) {
			continue
		}
		jitter := (math.Mod(float64(k)*0.618034, 1) - 0.5) * 0.36
		s, err := plotter.NewScatter(plotter.XYs{{X: float64(row) + jitter, Y: clip(r[1].Float())}})
		if err != nil {
			return err
		}
		warm := r[2].I != 0
		col := StageColor(stageIndex(c.Stages, c.Data.Rows[row][boxStage].S))
		s.GlyphStyle = outlierGlyph
		if warm {
			s.GlyphStyle = warmupGlyph
			kinds[1] = true
		} else {
			kinds[0] = true
		}
		s.GlyphStyle.Color = col
		f.p.Add(s)
	}
	dark := color.Gray{60}
	if kinds[0] {
		g := outlierGlyph
		g.Color = dark
		f.add("outside p5–p95", glyph(g))
	}
	if kinds[1] {
		g := warmupGlyph
		g.Color = dark
		f.add("warm-up step", glyph(g))
	}
	return nil
}

// glyph is a legend thumbnail of one glyph.
type glyph draw.GlyphStyle

func (g glyph) Thumbnail(c *draw.Canvas) { c.DrawGlyph(draw.GlyphStyle(g), c.Center()) }
