package plots

import (
	"strings"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// dashes tell the GPUs of one stage apart (the stage keeps its colour).
var dashes = [][]vg.Length{nil, {vg.Points(5), vg.Points(2)}, {vg.Points(1.5), vg.Points(1.5)}, {vg.Points(6), vg.Points(2), vg.Points(1.5), vg.Points(2)}}

// seriesStage is the stage a timeline series belongs to: the longest stage key its name starts
// with ("talker", "diffusion GPU 1").
func seriesStage(stages []string, name string) string {
	best := ""
	for _, s := range stages {
		if len(s) > len(best) && (name == s || strings.HasPrefix(name, s+" ")) {
			best = s
		}
	}
	return best
}

// timeline: one line per series (a stage, or a stage on one GPU), drawn as steps over the bins
// (each row is a bin; the first column its start), the value axis scaled to the data.
func timeline(f *figure, c Chart) error {
	t := c.Data
	n := len(t.Rows)
	width := 1.0
	if n > 1 {
		width = t.Rows[1][0].Float() - t.Rows[0][0].Float()
	}
	top := 0.0
	perStage := map[string]int{}
	for j := 1; j < len(t.Columns); j++ {
		name := strings.TrimSuffix(t.Columns[j].Name, " (%)")
		xy := make(plotter.XYs, 0, 2*n)
		for _, r := range t.Rows {
			x, y := r[0].Float(), max(r[j].Float(), 0)
			top = max(top, y)
			xy = append(xy, plotter.XY{X: x, Y: y}, plotter.XY{X: x + width, Y: y})
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return err
		}
		st := seriesStage(c.Stages, name)
		l.Color = StageColor(stageIndex(c.Stages, st))
		l.Width = vg.Points(1.4)
		l.Dashes = dashes[perStage[st]%len(dashes)]
		perStage[st]++
		f.p.Add(l)
		f.add(name, l)
	}
	f.p.X.Min, f.p.X.Max = t.Rows[0][0].Float(), t.Rows[n-1][0].Float()+width
	f.p.Y.Min, f.p.Y.Max = 0, min(top*1.08, 102)
	if top <= 0 {
		f.p.Y.Max = 1
	}
	f.p.Add(grid(true, true))
	return nil
}
