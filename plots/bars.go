package plots

import (
	"image/color"
	"strings"
	"unicode/utf8"

	"github.com/omnistat/omnistat/reports/table"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Extent of the data area kept for sizing bars and eliding labels before the layout is known:
// the figure less the value axis and a wide legend.
var (
	approxDataW = Width - 3.6*vg.Inch
	approxDataH = Height - 1.4*vg.Inch
)

// fit elides s in the middle to the most characters that are at most w wide in the font of
// size pt (never below 8) and protects its spaces. Elide(s, m+1) holds Elide(s, m)'s characters
// and one more, so the width grows with m and a binary search finds that length: a name of a
// million characters takes twenty measures, not a million.
func fit(s string, w vg.Length, pt float64) string {
	sty := style(pt)
	fits := func(m int) bool { return sty.Width(txt(Elide(s, m))) <= w }
	n := utf8.RuneCountInString(s)
	if n <= 8 || fits(n) {
		return txt(Elide(s, n))
	}
	lo, hi := 8, n // hi does not fit; lo fits, or is the floor
	for hi-lo > 1 {
		if mid := lo + (hi-lo)/2; fits(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return txt(Elide(s, lo))
}

// seriesColor: idle and "other" are grey; other series take the palette in order.
func seriesColor(name string, j int) color.Color {
	if strings.HasPrefix(name, "GPU idle") || strings.HasPrefix(name, "other") {
		return grey
	}
	return palette[j%len(palette)]
}

// stacked: one bar per row (category), series stacked bottom up in column order.
func stacked(f *figure, c Chart) error {
	t := c.Data
	n := len(t.Rows)
	w := min(vg.Points(56), approxDataW/vg.Length(n)*0.55)
	var prev *plotter.BarChart
	var legend []func()
	top := 0.0
	for i := range t.Rows {
		s := 0.0
		for j := 1; j < len(t.Columns); j++ {
			s += max(t.Rows[i][j].Float(), 0)
		}
		top = max(top, s)
	}
	for j := 1; j < len(t.Columns); j++ {
		b, err := plotter.NewBarChart(column(t, j), w)
		if err != nil {
			return err
		}
		b.LineStyle.Width = 0
		b.Color = seriesColor(t.Columns[j].Name, j-1)
		if prev != nil {
			b.StackOn(prev)
		}
		prev = b
		f.p.Add(b)
		name := t.Columns[j].Name
		legend = append(legend, func() { f.add(name, b) })
	}
	for i := len(legend) - 1; i >= 0; i-- { // the legend lists the series top down, as stacked
		legend[i]()
	}
	barAxes(f.p, t, top)
	return nil
}

// grouped: per row (category) one bar per column, side by side.
func grouped(f *figure, c Chart) error {
	t := c.Data
	n := len(t.Columns) - 1
	w := min(vg.Points(28), approxDataW/vg.Length(len(t.Rows)*n)*0.6)
	top := 0.0
	for j := 1; j <= n; j++ {
		b, err := plotter.NewBarChart(column(t, j), w)
		if err != nil {
			return err
		}
		for _, v := range b.Values {
			top = max(top, v)
		}
		b.LineStyle.Width = 0
		b.Color = palette[(j-1)%len(palette)]
		b.Offset = vg.Length(float64(j)-float64(n+1)/2) * w
		f.p.Add(b)
		f.add(t.Columns[j].Name, b)
	}
	barAxes(f.p, t, top)
	return nil
}

// barAxes names the categories of a vertical bar chart on x (elided to their share of the
// width), starts y at 0 and draws the horizontal grid.
func barAxes(p *plot.Plot, t *table.Table, top float64) {
	n := len(t.Rows)
	var names []string
	for _, l := range labels(t, 0) {
		names = append(names, fit(l, approxDataW/vg.Length(n)*0.92, 10))
	}
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.6, float64(n)-0.4
	p.Y.Min, p.Y.Max = 0, top*1.04
	if top <= 0 {
		p.Y.Max = 1
	}
	p.Add(grid(false, true))
}

// hbarLabel is the widest label of a horizontal bar: the label margin is sized to the labels,
// so a bound on them keeps the data area wide. In the labels' 8-point font it holds the 40
// characters the reports cut kernel names to (render's reportMaxText), but for wide glyphs.
const hbarLabel = 2.5 * vg.Inch

// hbarLabels are the bars' labels, bottom to top (the first row on top): each row's name fit to
// hbarLabel; names the fit made alike (two kernels whose names differ where it cut) keep their
// whole text — a wider margin, never two bars read as one.
func hbarLabels(c Chart) []string {
	t := c.Data
	n := len(t.Rows)
	names := make([]string, n)
	count := map[string]int{}
	for i, r := range t.Rows {
		names[n-1-i] = fit(r[0].S, hbarLabel, 8)
		count[names[n-1-i]]++
	}
	for i, r := range t.Rows {
		if count[names[n-1-i]] > 1 {
			names[n-1-i] = txt(r[0].S)
		}
	}
	return names
}

// hbars: one horizontal bar per row, coloured by its stage, the largest on top, each with its
// value at its end.
func hbars(f *figure, c Chart) error {
	t := c.Data
	n := len(t.Rows)
	names := hbarLabels(c)
	top := 0.0
	for _, r := range t.Rows {
		top = max(top, r[2].Float())
	}
	thick := min(vg.Points(16), approxDataH/vg.Length(n)*0.7)
	seen := map[string]bool{}
	for _, st := range append(append([]string(nil), c.Stages...), "") {
		vals := make(plotter.Values, n)
		any := false
		for i, r := range t.Rows {
			if r[1].S == st || (st == "" && stageIndex(c.Stages, r[1].S) == len(c.Stages)) {
				vals[n-1-i] = max(r[2].Float(), 0)
				any = true
			}
		}
		if !any {
			continue
		}
		b, err := plotter.NewBarChart(vals, thick)
		if err != nil {
			return err
		}
		b.Horizontal = true
		b.LineStyle.Width = 0
		b.Color = StageColor(stageIndex(c.Stages, st))
		f.p.Add(b)
		if !seen[st] && st != "" {
			f.add(st, b)
			seen[st] = true
		}
	}
	// values at the bars' ends, so a bar too short to see still says its size
	var xys plotter.XYs
	var texts []string
	dec := decimals(niceStep(top, 50))
	for i, r := range t.Rows {
		xys = append(xys, plotter.XY{X: max(r[2].Float(), 0), Y: float64(n - 1 - i)})
		texts = append(texts, label(r[2].Float(), dec))
	}
	ls, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: texts})
	if err != nil {
		return err
	}
	for i := range ls.TextStyle {
		ls.TextStyle[i] = style(8)
		ls.TextStyle[i].XAlign = 0
		ls.TextStyle[i].YAlign = -0.5
	}
	ls.Offset = vg.Point{X: vg.Points(3)}
	f.p.Add(ls)
	f.p.NominalY(names...)
	f.p.Y.Tick.Label.Font = font.From(sans, 8)
	f.p.Y.Min, f.p.Y.Max = -0.6, float64(n)-0.4
	f.p.X.Min, f.p.X.Max = 0, top*1.12
	if top <= 0 {
		f.p.X.Max = 1
	}
	f.p.Add(grid(true, false))
	return nil
}
