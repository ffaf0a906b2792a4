package plots

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/omnistat/omnistat/reports/table"
	"gonum.org/v1/plot"
)

func charts() []Chart {
	st := &table.Table{Columns: []table.Column{{Name: "Stage"}, {Name: "Kernels (ms)"}, {Name: "GPU idle (ms)"}},
		Rows: [][]table.Value{{table.Str("talker"), table.F64(274.5), table.F64(13.7)}, {table.Str("code2wav"), table.F64(1.0), table.F64(293.5)}}}
	hb := &table.Table{Columns: []table.Column{{Name: "Kernel"}, {Name: "Stage"}, {Name: "Total (ms)"}},
		Rows: [][]table.Value{{table.Str("attn_decode_f32"), table.Str("talker"), table.F64(157.9)}, {table.Str("conv1d_f32"), table.Str("code2wav"), table.F64(1.0)}}}
	bx := &table.Table{Columns: []table.Column{{Name: "Range"}, {Name: "Stage"}, {Name: "P5"}, {Name: "Q1"}, {Name: "Med"}, {Name: "Q3"}, {Name: "P95"}, {Name: "Instances"}, {Name: "Warm-up"}},
		Rows: [][]table.Value{{table.Str("omnistat:talker.decode_step"), table.Str("talker"), table.F64(1.6), table.F64(2.1), table.F64(2.3), table.F64(2.4), table.F64(2.8), table.I64(128), table.I64(0)}}}
	tl := &table.Table{Columns: []table.Column{{Name: "Time (ms)"}, {Name: "talker (%)"}, {Name: "code2wav (%)"}},
		Rows: [][]table.Value{{table.F64(0), table.F64(90), table.F64(0)}, {table.F64(2.9), table.F64(96), table.F64(4.3)}}}
	stages := []string{"talker", "code2wav"}
	return []Chart{
		{Name: "stage_time", Kind: "stacked_bars", Title: "GPU time per stage", YLabel: "time (ms)", Data: st, Stages: stages},
		{Name: "top_kernels", Kind: "hbars", Title: "Top kernels", XLabel: "total time (ms)", Data: hb, Stages: stages},
		{Name: "step_ranges", Kind: "boxes", Title: "Per-step ranges", YLabel: "duration (ms)", Data: bx, Stages: stages},
		{Name: "gpu_timeline", Kind: "timeline", Title: "GPU busy", XLabel: "ms", YLabel: "%", Data: tl, Stages: stages},
		{Name: "diff", Kind: "grouped_bars", Title: "base and new", YLabel: "ms", Data: st, Stages: stages},
	}
}

// TestPNG: every kind draws a decodable PNG of the documented size; SVG is SVG.
func TestPNG(t *testing.T) {
	for _, c := range charts() {
		var b bytes.Buffer
		if err := Write(&b, c, "png"); err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		img, err := png.Decode(&b)
		if err != nil {
			t.Fatalf("%s: not a PNG: %v", c.Name, err)
		}
		if r := img.Bounds(); r.Dx() != 864 || r.Dy() != 480 {
			t.Errorf("%s: %v, want 864x480 (9x5 in at 96 dpi)", c.Name, r)
		}
		if b.Len() > 0 {
			t.Errorf("%s: trailing bytes", c.Name)
		}
		var s bytes.Buffer
		if err := Write(&s, c, "svg"); err != nil || !strings.Contains(s.String(), "<svg") {
			t.Errorf("%s: svg: %v", c.Name, err)
		}
	}
	if err := Write(&bytes.Buffer{}, Chart{Name: "x", Kind: "pie", Data: charts()[0].Data}, "png"); err == nil {
		t.Error("unknown kind drawn")
	}
	if err := Write(&bytes.Buffer{}, Chart{Name: "x", Kind: "hbars", Data: &table.Table{}}, "png"); err == nil {
		t.Error("empty chart drawn")
	}
}

// TestLongLabels: a 120-character kernel name is elided and leaves the data area most of the
// figure; the legend sits beside the data, not on it.
func TestLongLabels(t *testing.T) {
	long := "sm90_xmma_fprop_implicit_gemm_f32f32_tf32f32_f32_nhwckrsc_nhwc_tilesize128x64x32_warpgroupsize1x1x1_g1_execute_segment_k_off_kernel__5x_cudnn"
	c := charts()[1]
	c.Data.Rows[0][0] = table.Str(long)
	r, err := DataArea(c)
	if err != nil {
		t.Fatal(err)
	}
	if r.Dx() < 864/2 || r.Dy() < 480/2 {
		t.Errorf("data area %v: squeezed by a long label", r)
	}
	if e := Elide(long, 40); utf8.RuneCountInString(e) != 40 || !strings.HasPrefix(e, "sm90_xmma") || !strings.HasSuffix(e, "5x_cudnn") {
		t.Errorf("Elide: %q", e)
	}
	if Elide("short", 40) != "short" {
		t.Error("Elide changed a short name")
	}
}

// TestTicks: linear ticks fall on round values with 3 to 8 labels and no needless decimals;
// log ticks label powers of ten.
func TestTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   string
	}{
		{0, 250, "0 50 100 150 200 250"},
		{0, 2.9, "0.0 0.5 1.0 1.5 2.0 2.5"},
		{0, 5550, "0 1,000 2,000 3,000 4,000 5,000"},
		{0, 12.2, "0 2 4 6 8 10 12"},
		{0, 102, "0 20 40 60 80 100"},
	} {
		var got []string
		for _, tk := range (roundTicks{}).Ticks(c.lo, c.hi) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if g := strings.Join(got, " "); g != c.want {
			t.Errorf("ticks %g–%g: %q, want %q", c.lo, c.hi, g, c.want)
		}
	}
	var labels []string
	for _, tk := range (logTicks{}).Ticks(0.5, 2000) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if g := strings.Join(labels, " "); g != "1 10 100 1,000" {
		t.Errorf("log ticks: %q", g)
	}
}

// TestLogAxis: step durations spanning more than LogRatio get a log axis, others a linear one.
func TestLogAxis(t *testing.T) {
	c := charts()[2]
	f, err := build(c)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := f.p.Y.Scale.(plot.LogScale); ok {
		t.Error("log axis for a ratio of 2")
	}
	c.Points = &table.Table{Columns: []table.Column{{Name: "Row"}, {Name: "ms"}, {Name: "Warm-up"}},
		Rows: [][]table.Value{{table.I64(0), table.F64(1000), table.I64(1)}}}
	if f, err = build(c); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.p.Y.Scale.(plot.LogScale); !ok {
		t.Error("linear axis for a 1-second warm-up step over 2 ms steps")
	}
}
