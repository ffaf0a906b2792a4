package plots

import (
	"bytes"
	"image/png"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/reports/table"
)

func charts() []Chart {
	st := &table.Table{Columns: []table.Column{{Name: "Stage"}, {Name: "Kernels (ms)"}, {Name: "GPU idle (ms)"}},
		Rows: [][]table.Value{{table.Str("talker"), table.F64(274.5), table.F64(13.7)}, {table.Str("code2wav"), table.F64(1.0), table.F64(293.5)}}}
	hb := &table.Table{Columns: []table.Column{{Name: "Kernel"}, {Name: "Stage"}, {Name: "Total (ms)"}},
		Rows: [][]table.Value{{table.Str("attn_decode_f32"), table.Str("talker"), table.F64(157.9)}, {table.Str("conv1d_f32"), table.Str("code2wav"), table.F64(1.0)}}}
	bx := &table.Table{Columns: []table.Column{{Name: "Range"}, {Name: "Stage"}, {Name: "Min"}, {Name: "Q1"}, {Name: "Med"}, {Name: "Q3"}, {Name: "Max"}, {Name: "Instances"}},
		Rows: [][]table.Value{{table.Str("omnistat:talker.decode_step"), table.Str("talker"), table.F64(1.6), table.F64(2.1), table.F64(2.3), table.F64(2.4), table.F64(2.8), table.I64(128)}}}
	tl := &table.Table{Columns: []table.Column{{Name: "Time (ms)"}, {Name: "talker (%)"}, {Name: "code2wav (%)"}},
		Rows: [][]table.Value{{table.F64(0), table.F64(90), table.F64(0)}, {table.F64(2.9), table.F64(96), table.F64(4.3)}}}
	stages := []string{"talker", "code2wav"}
	return []Chart{
		{Name: "stage_time", Kind: "stacked_bars", Title: "GPU time per stage", YLabel: "time (ms)", Data: st, Stages: stages},
		{Name: "top_kernels", Kind: "hbars", Title: "Top kernels", XLabel: "total time (ms)", Data: hb, Stages: stages},
		{Name: "step_ranges", Kind: "boxes", Title: "Per-step ranges", YLabel: "duration (ms)", Data: bx, Stages: stages},
		{Name: "gpu_timeline", Kind: "timeline", Title: "GPU busy", XLabel: "ms", YLabel: "%", Data: tl, Stages: stages},
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
