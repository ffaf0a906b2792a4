package reports

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/omnistat/omnistat/reports/render"
	"github.com/omnistat/omnistat/reports/stage"
)

var update = flag.Bool("update", false, "rewrite the chart data goldens")

// TestChartData: each chart's data (series, labels, order) is an exact golden.
func TestChartData(t *testing.T) {
	for _, name := range []string{"go_tts_pageable", "go_diffusion_w2", "tts_pageable"} {
		tr := readTrace(t, name)
		s, err := Summarize(tr, stage.Assign(tr, nil), SummaryOptions{Top: 10, Findings: DefaultFindingOptions})
		if err != nil {
			t.Fatal(err)
		}
		charts := Charts(s, tr, 10)
		if len(charts) < 4 {
			t.Errorf("%s: %d charts, want at least 4", name, len(charts))
		}
		var b bytes.Buffer
		for _, c := range charts {
			b.WriteString("# " + c.Name + " (" + c.Kind + "): " + c.Title + "\n")
			render.WriteCSV(&b, c.Data, render.Options{})
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

func TestShortKernelName(t *testing.T) {
	for in, want := range map[string]string{
		"void at::native::reduce_kernel<(int)512, (int)1, at::native::ReduceOp<float>>(T3)": "at::native::reduce_kernel<…>",
		"std::enable_if<!T7, void>::type internal::gemvx::kernel<int, int, float>(T13)":     "internal::gemvx::kernel<…>",
		"gemv_f32": "gemv_f32",
		"sm80_xmma_gemm_f32f32_f32f32_f32_tn_n_tilesize64x256x8_stage3_warpsize1x4x1_ffma_aligna4_execute": "sm80_xmma_gemm_f32f32_f32f32_f32_tn_n_tilesize64x256x8_stage3_warpsize1x4x1_ffma_aligna4_execute",
	} {
		if got := ShortKernelName(in); got != want {
			t.Errorf("ShortKernelName(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzShortKernelName(f *testing.F) {
	for _, s := range []string{"void a::b<(int)1, c<d>>(T1 *, const T2 &)", "k", "((<<", ">>)) x", "std::enable_if<!T7, void>::type g::k<int>(T13)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := ShortKernelName(s)
		if len(out) > len(s)+len("<…>")*len(s) {
			t.Fatalf("ShortKernelName(%q) = %q grew", s, out)
		}
		if s != "" && out == "" {
			t.Fatalf("ShortKernelName(%q) is empty", s)
		}
	})
}
