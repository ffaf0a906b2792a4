package render

import (
	"bytes"
	"flag"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/omnistat/omnistat/internal/testtrace"
	"github.com/omnistat/omnistat/plots"
	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/summary"
)

var update = flag.Bool("update", false, "rewrite the chart data goldens")

func chartsOf(t *testing.T, name string) []plots.Chart {
	t.Helper()
	tr := testtrace.Read(t, name)
	s, err := summary.Build(tr, stage.Assign(tr, nil), summary.Options{Top: 10, Findings: summary.DefaultFindingOptions})
	if err != nil {
		t.Fatal(err)
	}
	return Charts(s, tr, 10)
}

// TestChartData: each chart's data (series, labels, order, the points over the boxes) is an
// exact golden.
func TestChartData(t *testing.T) {
	for _, name := range []string{"go_tts_pageable", "go_diffusion_w2", "tts_pageable", "foreign_warmup_tts", "foreign_rank_split"} {
		charts := chartsOf(t, name)
		if len(charts) < 4 {
			t.Errorf("%s: %d charts, want at least 4", name, len(charts))
		}
		var b bytes.Buffer
		for _, c := range charts {
			b.WriteString("# " + c.Name + " (" + c.Kind + "): " + c.Title + "\n")
			WriteCSV(&b, c.Data, Options{})
			if c.Points != nil && len(c.Points.Rows) > 0 {
				b.WriteString("# " + c.Name + " points\n")
				WriteCSV(&b, c.Points, Options{})
			}
		}
		p := filepath.Join("testdata", "charts_"+name+".csv")
		if *update {
			os.WriteFile(p, b.Bytes(), 0o644)
			continue
		}
		want, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("%v (go test -update)", err)
		}
		if b.String() != string(want) {
			os.WriteFile(p+".got", b.Bytes(), 0o644)
			t.Errorf("%s: chart data differs from %s (see .got)", name, p)
		}
	}
}

// TestChartIdleNeverNegative: with two replicas on one GPU the kernels' summed time exceeds the
// wall time; the stage-time bar still adds up to wall × GPUs, idle included.
func TestChartIdleNeverNegative(t *testing.T) {
	for _, name := range []string{"go_diffusion_w2", "foreign_graphs_timeslice", "foreign_rank_split"} {
		tr := testtrace.Read(t, name)
		s, err := summary.Build(tr, stage.Assign(tr, nil), summary.Options{Top: 10, Findings: summary.DefaultFindingOptions})
		if err != nil {
			t.Fatal(err)
		}
		c := stageTimeChart(s)
		for i, r := range c.Data.Rows {
			st := s.Stages[i]
			sum := 0.0
			for _, v := range r[1:] {
				if v.F < 0 {
					t.Errorf("%s %s: negative %v", name, st.Stage, v.F)
				}
				sum += v.F
			}
			want := ms(st.WallNs * int64(max(st.Devices, 1)))
			if d := sum - want; d > 1e-3 || d < -1e-3 {
				t.Errorf("%s %s: bar %.6f ms, want wall × GPUs %.6f ms", name, st.Stage, sum, want)
			}
		}
	}
}

// drawn says a pixel is ink: darker than the grid lines and the white background.
func drawn(img image.Image, x, y int) bool {
	r, g, b, _ := img.At(x, y).RGBA()
	return min(r, g, b)>>8 < 200
}

// TestChartsDrawn draws every chart of PyTorch traces (120-character cuDNN kernel names, warm-up
// steps 30–1000× the steady step, two GPUs, two processes on one GPU) as PNG and measures that the
// data area is about half the figure or more and that its bars, boxes and lines are drawn in it.
func TestChartsDrawn(t *testing.T) {
	for _, name := range []string{"foreign_warmup_tts", "foreign_python3", "foreign_vllm_omni", "foreign_rank_split", "foreign_graphs_timeslice", "go_diffusion_w2"} {
		for _, c := range chartsOf(t, name) {
			var b bytes.Buffer
			if err := plots.Write(&b, c, "png"); err != nil {
				t.Fatalf("%s %s: %v", name, c.Name, err)
			}
			img, err := png.Decode(&b)
			if err != nil {
				t.Fatal(err)
			}
			r, err := plots.DataArea(c)
			if err != nil {
				t.Fatal(err)
			}
			W, H := img.Bounds().Dx(), img.Bounds().Dy()
			if r.Dx() < W*45/100 || r.Dy() < H*7/10 {
				t.Errorf("%s %s: data area %v of %dx%d: squeezed", name, c.Name, r, W, H)
				continue
			}
			cols, ink := 0, 0
			longest := 0 // longest horizontal run of ink
			for x := r.Min.X + 2; x < r.Max.X-2; x++ {
				any := false
				for y := r.Min.Y; y <= r.Max.Y; y++ { // a line at 0 lies on the lower edge
					if drawn(img, x, y) {
						ink++
						any = true
					}
				}
				if any {
					cols++
				}
			}
			for y := r.Min.Y + 2; y < r.Max.Y-2; y++ {
				run := 0
				for x := r.Min.X; x < r.Max.X; x++ {
					if drawn(img, x, y) {
						run++
						longest = max(longest, run)
					} else {
						run = 0
					}
				}
			}
			n := len(c.Data.Rows)
			area := r.Dx() * r.Dy()
			switch c.Kind {
			case plots.HBars: // the largest bar spans most of the width; every bar of 2% of it or more has ink
				if longest < r.Dx()*3/4 {
					t.Errorf("%s %s: the largest bar is %d px of %d", name, c.Name, longest, r.Dx())
				}
				for i := range n {
					y := r.Min.Y + int((float64(i)+0.6)/(float64(n)+0.2)*float64(r.Dy()))
					if c.Data.Rows[i][2].F >= c.Data.Rows[0][2].F/50 && !drawn(img, r.Min.X+2, y) {
						t.Errorf("%s %s: bar %d (%s) not drawn", name, c.Name, i, c.Data.Rows[i][0].S)
					}
				}
			case plots.Stacked, plots.Boxes: // ink in each category's column
				pad := 0.0
				if c.Kind == plots.Boxes {
					pad = max(3-float64(n), 0) / 2 // one or two boxes are centred
				}
				for i := range n {
					x := r.Min.X + int((float64(i)+0.6+pad)/(float64(n)+0.2+2*pad)*float64(r.Dx()))
					found := false
					for y := r.Min.Y; y < r.Max.Y && !found; y++ {
						found = drawn(img, x, y)
					}
					if !found {
						t.Errorf("%s %s: nothing drawn for %s", name, c.Name, c.Data.Rows[i][0].S)
					}
				}
				if ink < area/200 {
					t.Errorf("%s %s: %d ink pixels in a %d-pixel data area", name, c.Name, ink, area)
				}
			case plots.Timeline: // lines across the whole window
				if cols < r.Dx()*9/10 {
					t.Errorf("%s %s: lines in %d of %d columns", name, c.Name, cols, r.Dx())
				}
			}
		}
	}
}

// The top-kernels chart draws at most maxChartBars bars whatever --top asks (--top 100000 drew
// 80 labels over one another), the kernels with the most time, largest first; fewer when --top
// asks fewer.
func TestTopKernelsChartBars(t *testing.T) {
	tr := testtrace.Read(t, "foreign_vllm_omni")
	s, err := summary.Build(tr, stage.Assign(tr, nil), summary.Options{Top: 100000, Findings: summary.DefaultFindingOptions})
	if err != nil {
		t.Fatal(err)
	}
	kernels := 0
	for _, st := range s.Stages {
		kernels += len(st.Kernels)
	}
	if kernels <= maxChartBars {
		t.Fatalf("%d kernels: the case tests nothing", kernels)
	}
	for _, c := range []struct{ top, want int }{{100000, maxChartBars}, {5, 5}} {
		ch := topKernelsChart(s, c.top)
		if n := len(ch.Data.Rows); n != c.want {
			t.Errorf("--top %d: %d bars, want %d", c.top, n, c.want)
		}
		for i := 1; i < len(ch.Data.Rows); i++ {
			if ch.Data.Rows[i][2].Float() > ch.Data.Rows[i-1][2].Float() {
				t.Errorf("--top %d: bar %d larger than bar %d", c.top, i, i-1)
			}
		}
	}
}
