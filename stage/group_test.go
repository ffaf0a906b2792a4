package stage_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/internal/testtrace"
	"github.com/omnistat/omnistat/reports"
	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/trace"
)

// totals sums the count and total columns of t per label (all text columns joined), skipping
// the first skip columns (the group key).
func totals(t *table.Table, skip int) map[string][2]int64 {
	out := map[string][2]int64{}
	ti, ci := -1, -1
	for i, c := range t.Columns {
		if i < skip {
			continue
		}
		switch {
		case ti < 0 && (c.Name == "Total Time" || c.Name == "Total" || c.Name == "Total Proj Time"):
			ti = i
		case ci < 0 && c.Unit == table.Count:
			ci = i
		}
	}
	for _, r := range t.Rows {
		var label []string
		for i, v := range r {
			if i >= skip && v.Kind == table.Text {
				label = append(label, v.S)
			}
		}
		k := strings.Join(label, "|")
		x := out[k]
		x[0] += r[ti].I
		x[1] += r[ci].I
		out[k] = x
	}
	return out
}

// TestGroupedTotalsAddUp: summed over stages, processes or threads, every report's totals and
// counts equal the ungrouped report's exactly.
func TestGroupedTotalsAddUp(t *testing.T) {
	files, _ := filepath.Glob("../testdata/traces/*.sqlite")
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".sqlite")
		tr := testtrace.Read(t, name)
		a := stage.Assign(tr, nil)
		for _, dim := range []stage.By{stage.ByStage, stage.ByProcess, stage.ByThread, stage.ByDevice} {
			g, err := stage.Group(tr, dim, a)
			if err != nil {
				t.Fatal(err)
			}
			for _, rn := range []string{"cuda_api_sum", "cuda_gpu_kern_sum", "cuda_gpu_mem_time_sum", "cuda_gpu_mem_size_sum", "cuda_gpu_sum", "nvtx_sum", "osrt_sum", "nvtx_gpu_proj_sum"} {
				if dim == stage.ByDevice && rn == "nvtx_gpu_proj_sum" {
					continue // ranges are host rows, their GPU work is on a device: a projection does not split by device
				}
				r, opt, _ := reports.Lookup(rn)
				whole := totals(r.Run(tr, opt), 0)
				grouped := totals(reports.RunGrouped(r, opt, tr, g), 1)
				if fmt.Sprint(whole) != fmt.Sprint(grouped) {
					t.Errorf("%s --by %s %s: grouped totals differ\n whole   %v\n grouped %v", name, dim, rn, whole, grouped)
				}
			}
		}
	}
}

func TestStagesOfTestTraces(t *testing.T) {
	for name, want := range map[string]string{
		"go_tts_pageable": "talker#0[1] code2wav#1[1]", "tts_pageable": "talker#0[1] code2wav#1[1]",
		"go_diffusion": "diffusion#-1[1]", "go_diffusion_w2": "diffusion#-1[2]", "diffusion": "diffusion#-1[1]",
		"go_diffusion_2gpu": "diffusion#-1[2]", "go_diffusion_w2_uneven": "diffusion#-1[2]", "go_tts_graphs_pinned": "talker#0[1] code2wav#1[1]",
		// foreign pipelines (testdata/gen/foreign): rank titles cut to 15 characters are one stage
		// with two replicas; python3 workers with the same range names but different models are
		// two stages named by their kernels; vLLM stage engines (cut to StageEngineCore) are told
		// apart by behaviour; a generic title takes the role of its main thread
		"foreign_rank_split": "diffusion#-1[2]", "foreign_python3": "gemm#-1[1] conv#-1[1]",
		"foreign_vllm_omni":  "diffusion#-1[1] stageenginecore.gemm#-1[1] stageenginecore.decode_chunk#-1[1]",
		"foreign_warmup_tts": "talker#-1[1] vocoder#-1[1]", "foreign_graphs_timeslice": "decode_engine#-1[1] denoise_engine#-1[1]",
		"foreign_tts_a": "tts-talker#-1[1] tts-vocoder#-1[1]",
	} {
		a := stage.Assign(testtrace.Read(t, name), nil)
		var got []string
		for _, s := range a.Stages {
			got = append(got, fmt.Sprintf("%s#%d[%d]", s.Key, s.Order, len(s.Procs)))
		}
		if strings.Join(got, " ") != want {
			t.Errorf("%s: stages %v, want %s", name, got, want)
		}
	}
	// no stage is ever named after a pid, on any trace
	files, _ := filepath.Glob("../testdata/traces/*.sqlite")
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".sqlite")
		tr := testtrace.Read(t, name)
		for _, s := range stage.Assign(tr, nil).Stages {
			for _, p := range tr.Processes {
				if pid := fmt.Sprint(p.PID); strings.Contains(s.Key, ":"+pid) || strings.HasSuffix(s.Key, pid) && len(pid) > 2 {
					t.Errorf("%s: stage %q carries pid %s", name, s.Key, pid)
				}
			}
		}
	}
	// the two rank replicas run on different GPUs, as the explanation says
	if es := stage.Assign(testtrace.Read(t, "foreign_rank_split"), nil).Explained; len(es) != 2 || fmt.Sprint(es[0].GPUs, es[1].GPUs) != "[0] [1]" || es[1].Comparison[0].Kernels < stage.AlikeKernels {
		t.Errorf("rank split explained: %+v", es)
	}
	// replicas are numbered in PID order
	tr := testtrace.Read(t, "go_diffusion_w2")
	a := stage.Assign(tr, nil)
	if p := a.Stages[0].Procs; a.Replica(p[0]) != 0 || a.Replica(p[1]) != 1 || trace.PID(p[0]) > trace.PID(p[1]) {
		t.Errorf("replicas: %v", p)
	}
}

func TestStageRules(t *testing.T) {
	tr := testtrace.Read(t, "go_tts_pageable")
	var talkerPID int64
	for _, p := range tr.Processes {
		if p.Name == "stage0_talker" {
			talkerPID = p.PID
		}
	}
	for _, c := range []struct {
		rules []string
		want  string
	}{
		{[]string{"vocoder=proc:code2wav"}, "vocoder talker"},
		{[]string{fmt.Sprintf("lm=pid:%d", talkerPID)}, "lm code2wav"},
		{[]string{"decoder=nvtx:^talker\\."}, "decoder code2wav"},
		{[]string{"all=proc:stage"}, "all"},
	} {
		var rules []stage.Rule
		for _, s := range c.rules {
			r, err := stage.ParseRule(s)
			if err != nil {
				t.Fatal(err)
			}
			rules = append(rules, r)
		}
		a := stage.Assign(tr, rules)
		var got []string
		for _, s := range a.Stages {
			got = append(got, s.Key)
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("%v: stages %v, want %s", c.rules, got, c.want)
		}
	}
	// a thread rule moves that thread's calls (and the kernels they launched) to its own stage
	r, _ := stage.ParseRule("main=thread:^talker-main$")
	a := stage.Assign(tr, []stage.Rule{r})
	g, _ := stage.Group(tr, stage.ByStage, a)
	k, opt, _ := reports.Lookup("cuda_gpu_kern_sum")
	got := totals(reports.RunGrouped(k, opt, tr, g), 0)
	if got["main|argmax_f32"][1] != 128 || got["talker|argmax_f32"][1] != 0 {
		t.Errorf("thread rule: %v", got)
	}
	for _, bad := range []string{"x", "x=pid:0", "x=proc:(", "x=host:a", "=proc:a"} {
		if _, err := stage.ParseRule(bad); err == nil {
			t.Errorf("rule %q accepted", bad)
		}
	}
	rs, err := stage.ParseRules(strings.NewReader("# stages\n\nlm=proc:talker\n voc=proc:code2wav \n"))
	if err != nil || len(rs) != 2 || rs[1].Name != "voc" {
		t.Errorf("ParseRules: %v %v", rs, err)
	}
}

func FuzzParseRule(f *testing.F) {
	for _, s := range []string{"a=pid:1", "b=proc:^x$", "c=thread:.*", "d=nvtx:talker\\.", "=", "a=b:c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := stage.ParseRule(s)
		want, wantRe, ok := specRule(s)
		if (err == nil) != ok {
			t.Fatalf("%q: error %v, the grammar says ok=%v", s, err, ok)
		}
		if !ok {
			return
		}
		re := ""
		if r.Re != nil {
			re = r.Re.String()
		}
		if got := (stage.Rule{Name: r.Name, Kind: r.Kind, PID: r.PID, Text: r.Text}); got != want || re != wantRe || (r.Kind != "pid") != (r.Re != nil) {
			t.Fatalf("%q parsed to %+v (regexp %q), the grammar says %+v", s, got, re, want)
		}
	})
}
