package summary

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/internal/testtrace"
	"github.com/omnistat/omnistat/reports"
	"github.com/omnistat/omnistat/reports/stat"
	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/trace"
)

// build summarizes testdata/traces/NAME.sqlite with the default options.
func build(t *testing.T, name string) (*trace.Trace, *Summary) {
	t.Helper()
	tr := testtrace.Read(t, name)
	s, err := Build(tr, stage.Assign(tr, nil), Options{Findings: DefaultFindingOptions})
	if err != nil {
		t.Fatal(err)
	}
	return tr, s
}

// stageOf is the stage that holds process pid (stage names are found from behaviour and may
// change; process ids do not).
func stageOf(t *testing.T, s *Summary, pid int64) *StageSummary {
	t.Helper()
	for i := range s.Stages {
		if slices.Contains(s.Stages[i].PIDs, pid) {
			return &s.Stages[i]
		}
	}
	t.Fatalf("%s: no stage holds pid %d", s.Trace, pid)
	return nil
}

// find is the finding with that id, or the finding that merged it (Also).
func find(fs []Finding, id string) (Finding, bool) {
	for _, f := range fs {
		if f.ID == id || slices.Contains(f.Also, id) {
			return f, true
		}
	}
	return Finding{}, false
}

// rangeDurations recomputes, straight from the NVTX table, the durations of process pid's
// ranges whose message matches re, in start order.
func rangeDurations(tr *trace.Trace, pid int64, re *regexp.Regexp) (starts, ds []int64) {
	n := &tr.NVTX
	type r struct{ s, d int64 }
	var rs []r
	maxTS, _ := n.MaxTimestamp()
	for i := range n.Start {
		msg, _ := n.Message(&tr.Strings, i)
		if trace.IsRange(n.EventType[i]) && trace.PID(n.GlobalTID[i]) == pid && re.MatchString(msg) {
			rs = append(rs, r{n.Start[i], reports.RangeEnd(n, i, maxTS) - n.Start[i]})
		}
	}
	slices.SortFunc(rs, func(a, b r) int { return int(a.s - b.s) })
	for _, x := range rs {
		starts, ds = append(starts, x.s), append(ds, x.d)
	}
	return starts, ds
}

// TestWarmupTTS: the PyTorch TTS whose first decode steps take 30–1000× the steady step. The
// talker's step range is decode_step ×60 with 12 warm-up steps (10–14 allowed: steps 1–2 take
// ~1.8 s and ~1.0 s, steps 3–12 ~170 ms, the rest under 3.1 ms); its figures match a
// recomputation from the NVTX table; the warm-up leads the findings, and the utilisation and
// launch findings give both the window's and the steady state's busy figures.
func TestWarmupTTS(t *testing.T) {
	tr, s := build(t, "foreign_warmup_tts")
	talker := stageOf(t, s, 1130)
	st := talker.Steps
	if st == nil || st.Range != ":decode_step" || st.Count != 60 {
		t.Fatalf("steps %+v", st)
	}
	if st.Warmup < 10 || st.Warmup > 14 {
		t.Errorf("warm-up %d steps, want 10–14", st.Warmup)
	}
	_, ds := rangeDurations(tr, 1130, regexp.MustCompile(`^decode_step$`))
	if len(ds) != 60 {
		t.Fatalf("NVTX has %d decode steps", len(ds))
	}
	ref := stat.Median(slices.Clone(ds[30:]))
	var warm int64
	for i, d := range ds[:st.Warmup] {
		warm += d
		if float64(d) <= WarmupFactor*ref {
			t.Errorf("warm-up step %d takes %d ns, not over %g× %g", i+1, d, WarmupFactor, ref)
		}
	}
	if float64(ds[st.Warmup]) > WarmupFactor*ref {
		t.Errorf("step %d (%d ns) is not counted as warm-up", st.Warmup+1, ds[st.Warmup])
	}
	steady := slices.Clone(ds[st.Warmup:])
	slices.Sort(steady)
	if st.WarmupNs != warm || st.SteadyMedianNs != stat.Median(slices.Clone(steady)) || st.SteadyP90Ns != steady[(9*len(steady)+9)/10-1] {
		t.Errorf("warm-up %d ns (NVTX %d), steady median %g (NVTX %g), p90 %d", st.WarmupNs, warm, st.SteadyMedianNs, stat.Median(steady), st.SteadyP90Ns)
	}
	if st.SteadyMedianNs < 1.5e6 || st.SteadyMedianNs > 2e6 {
		t.Errorf("steady step %g ns, want 1.5–2 ms", st.SteadyMedianNs)
	}
	fs := talker.Findings
	if fs[0].ID != "warmup" || !strings.Contains(fs[0].Message, "the first 12 of 60 :decode_step steps") {
		t.Errorf("first finding %+v", fs[0])
	}
	// cuLibraryLoadData is dominant, but most of its time (lazy loading in the prefill and
	// before it) falls before the first decode step, outside the warm-up steps' span: its own
	// finding, whose advice names the loading as a warm-up cost; recomputed from the rows
	var inWarmup, all int64
	for i := range tr.Runtime.Start {
		if trace.PID(tr.Runtime.GlobalTID.At(i)) == 1130 && reports.APIName(tr.Strings.Get(int64(tr.Runtime.NameID[i]))) == "cuLibraryLoadData" {
			all += tr.Runtime.End[i] - tr.Runtime.Start[i]
			lo, hi := st.Instances[0].Start, st.Instances[st.Warmup].Start
			inWarmup += max(min(tr.Runtime.End[i], hi)-max(tr.Runtime.Start[i], lo), 0)
		}
	}
	if f, ok := find(fs, "dominant_api"); !ok || f.Subject != "cuLibraryLoadData" || (f.ID == "warmup") != (2*inWarmup >= all) || 2*inWarmup >= all || !strings.Contains(f.Advice, "lazy module loading") {
		t.Errorf("dominant API (%d of %d ns inside the warm-up steps): %+v", inWarmup, all, f)
	}
	lb, ok := find(fs, "launch_bound")
	if !ok || !strings.Contains(lb.Message, "0.5% of the time from the first to the last GPU operation") || !strings.Contains(lb.Message, "in steady state after 12 warm-up steps") {
		t.Errorf("launch_bound %+v", lb)
	}
	if _, ok := find(fs, "low_gpu_util"); !ok {
		t.Error("no low_gpu_util in steady state")
	}
	if v := stageOf(t, s, 1131).Steps; v == nil || v.Range != ":vocode" || v.Warmup != 1 {
		t.Errorf("vocoder steps %+v", v)
	}
}

// TestNoWarmupAfterCapture: omnistat's own traces open their capture range after warm-up, so
// none of their stages has warm-up steps or a warm-up finding.
func TestNoWarmupAfterCapture(t *testing.T) {
	for _, name := range []string{"go_tts_pageable", "go_tts_pinned", "go_tts_graphs", "go_tts_graphs_pinned", "go_diffusion",
		"go_diffusion_2gpu", "go_diffusion_w2", "go_diffusion_w2_uneven", "tts_pageable", "tts_pinned", "tts_graphs", "diffusion"} {
		_, s := build(t, name)
		for _, st := range s.Stages {
			if st.Steps == nil || st.Steps.Warmup != 0 {
				t.Errorf("%s %s: steps %+v", name, st.Stage, st.Steps)
			}
			if f, ok := find(append(st.Findings, s.Findings...), "warmup"); ok {
				t.Errorf("%s: %s", name, f.Message)
			}
		}
	}
}

// TestVLLMSteps: vLLM's step names are one family, N for each number, with the prefill steps
// (a context count above 0) told from the decode steps, as a recount of the NVTX table says;
// the first step is a prefill step and no warm-up.
func TestVLLMSteps(t *testing.T) {
	tr, s := build(t, "foreign_vllm_omni")
	st := stageOf(t, s, 731).Steps
	re := regexp.MustCompile(`^execute_context_(\d+)\(\d+\)_generation_\d+\(\d+\)$`)
	_, ds := rangeDurations(tr, 731, re)
	prefill := 0
	for i := range tr.NVTX.Start {
		msg, _ := tr.NVTX.Message(&tr.Strings, i)
		if m := re.FindStringSubmatch(msg); m != nil && trace.PID(tr.NVTX.GlobalTID[i]) == 731 && m[1] != "0" {
			prefill++
		}
	}
	if st == nil || st.Range != ":execute_context_N(N)_generation_N(N)" || st.Count != len(ds) || st.Prefill != prefill || st.Decode != len(ds)-prefill || prefill == 0 {
		t.Fatalf("steps %+v; NVTX: %d steps, %d prefill", st, len(ds), prefill)
	}
	if st.Warmup != 0 || !st.Instances[0].Prefill {
		t.Errorf("warm-up %d, first step prefill %v", st.Warmup, st.Instances[0].Prefill)
	}
	// the other engine core's step range is its start/end decode_chunk (ended on another thread)
	if d := stageOf(t, s, 732).Steps; d == nil || d.Range != ":decode_chunk" || d.Style != "StartEnd" || d.Count != 10 {
		t.Errorf("decode_chunk steps %+v", d)
	}
}

// TestWarmupRule: the rule on made-up steps: the leading run over K× the median of the second
// half, capped at half the steps, prefill steps neither evidence nor the end of the run.
func TestWarmupRule(t *testing.T) {
	steps := func(ds ...int64) []Step {
		var out []Step
		for i, d := range ds {
			out = append(out, Step{Start: int64(i) * 1e9, End: int64(i)*1e9 + d})
		}
		return out
	}
	for _, c := range []struct {
		ds   []int64
		want int
	}{
		{[]int64{100, 60, 1, 1, 1, 1, 1, 1}, 2},
		{[]int64{100, 1, 100, 1, 1, 1, 1, 1}, 1},       // the run ends at the first steady step
		{[]int64{100, 100, 100, 100, 100, 1, 1, 1}, 4}, // at most half
		{[]int64{5, 1, 1, 1, 1, 1}, 0},                 // 5× is not over 5×
		{[]int64{100, 1, 1}, 0},                        // too few steps to judge
	} {
		if got := Warmup(steps(c.ds...), false); got != c.want {
			t.Errorf("Warmup(%v) = %d, want %d", c.ds, got, c.want)
		}
	}
	ph := steps(50, 100, 1, 1, 1, 1, 1)
	ph[0].Prefill = true // a slow prefill first, then one slow decode step: both warm-up
	if got := Warmup(ph, true); got != 2 {
		t.Errorf("phased: %d, want 2", got)
	}
	ph = steps(50, 1, 1, 1, 1, 1)
	ph[0].Prefill = true // a slow prefill alone is no warm-up
	if got := Warmup(ph, true); got != 0 {
		t.Errorf("prefill only: %d, want 0", got)
	}
}

// TestCovered: the binary-searched coverage equals trace.Intersect.
func TestCovered(t *testing.T) {
	ss := []trace.Span{{Start: 10, End: 20}, {Start: 30, End: 40}, {Start: 50, End: 60}}
	for _, x := range []trace.Span{{Start: 0, End: 5}, {Start: 0, End: 100}, {Start: 15, End: 35}, {Start: 20, End: 30}, {Start: 39, End: 51}, {Start: 60, End: 70}} {
		if got, want := covered(x, ss), trace.Intersect([]trace.Span{x}, ss); got != want {
			t.Errorf("covered(%v) = %d, want %d", x, got, want)
		}
	}
}
