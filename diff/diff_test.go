package diff

import (
	"fmt"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/internal/testtrace"
	"github.com/omnistat/omnistat/reports"
	"github.com/omnistat/omnistat/reports/stat"
	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/summary"
	"github.com/omnistat/omnistat/trace"
)

func TestParseGate(t *testing.T) {
	for _, c := range []struct {
		in, stage, metric, arg, per string
		kind                        GateKind
		op                          byte
		limit                       float64
		share, ok                   bool
	}{
		{"api_calls>+1%", "", "api_calls", "", "", Relative, '>', 1, false, true},
		{"wall>+5.5%", "", "wall", "", "", Relative, '>', 5.5, false, true},
		{"kernels>+100", "", "kernels", "", "", Delta, '>', 100, false, true},
		{"stage:talker:range:talker.decode_step>+5%", "talker", "range", "talker.decode_step", "", Relative, '>', 5, false, true},
		{"kernel:gemv.*>+10%", "", "kernel", "gemv.*", "", Relative, '>', 10, false, true},
		{"stage:code2wav:api:cudaMemcpyAsync>+0%", "code2wav", "api", "cudaMemcpyAsync", "", Relative, '>', 0, false, true},
		{"steps<-10%", "", "steps", "", "", Relative, '<', 10, false, true},
		{"wall_per_step>2ms", "", "wall", "", "step", Bound, '>', 2e6, false, true},
		{"wall_total>+1.5s", "", "wall", "", "total", Delta, '>', 1.5e9, false, true},
		{"api:cudaMemcpyAsync:share>50%", "", "api", "cudaMemcpyAsync", "", Bound, '>', 50, true, true},
		{"stage:talker:kernel:gemm:share<20%", "talker", "kernel", "gemm", "", Bound, '<', 20, true, true},
		{"gpu_time_per_step<-5%", "", "gpu_time", "", "step", Relative, '<', 5, false, true},
		{"kernels<1000", "", "kernels", "", "", Bound, '<', 1000, false, true},
		{"api_calls>1%", "", "", "", "", 0, 0, 0, false, false},  // a bound in % of a count
		{"api_calls<+1%", "", "", "", "", 0, 0, 0, false, false}, // a drop with a plus
		{"api_calls>-1%", "", "", "", "", 0, 0, 0, false, false}, // a rise with a minus
		{"speed>+1%", "", "", "", "", 0, 0, 0, false, false},     // unknown metric
		{"wall:x>+1%", "", "", "", "", 0, 0, 0, false, false},    // argument on a plain metric
		{"range>+1%", "", "", "", "", 0, 0, 0, false, false},     // range without a name
		{"kernel:(>+1%", "", "", "", "", 0, 0, 0, false, false},  // bad regex
		{"kernels>+5ms", "", "", "", "", 0, 0, 0, false, false},  // a count has no time unit
		{"wall:share>5%", "", "", "", "", 0, 0, 0, false, false}, // only api/kernel have shares
		{"steps_per_step>+1%", "", "", "", "", 0, 0, 0, false, false},
		{"", "", "", "", "", 0, 0, 0, false, false},
		// a time's change or bound says its unit: +8 is not silently 8 ns (0 is 0 in any unit)
		{"stage:MPI:gpu_time>+8", "", "", "", "", 0, 0, 0, false, false},
		{"wall_per_step>8", "", "", "", "", 0, 0, 0, false, false},
		{"range:step<-3", "", "", "", "", 0, 0, 0, false, false},
		{"api:cudaMemcpy>+100", "", "", "", "", 0, 0, 0, false, false},
		{"kernel_time>+0", "", "kernel_time", "", "", Delta, '>', 0, false, true},
		{"gpu_time>+8ns", "", "gpu_time", "", "", Delta, '>', 8, false, true},
		{"api:cudaMemcpy:share>+10", "", "api", "cudaMemcpy", "", Delta, '>', 10, true, true}, // a share's points
		// blanks around the comparison are allowed, not inside a name or metric
		{"stage:MPI:gpu_time >+8%", "MPI", "gpu_time", "", "", Relative, '>', 8, false, true},
		{"stage:MPI:gpu_time > +8 %", "MPI", "gpu_time", "", "", Relative, '>', 8, false, true},
		{"range:Jacobi solve < -2 ms", "", "range", "Jacobi solve", "", Delta, '<', 2e6, false, true},
		{"stage:MPI:gpu time>+8%", "", "", "", "", 0, 0, 0, false, false},
	} {
		g, err := ParseGate(c.in)
		if (err == nil) != c.ok {
			t.Errorf("%q: err %v", c.in, err)
			continue
		}
		if c.ok && (g.Stage != c.stage || g.Metric != c.metric || g.Arg != c.arg || g.Per != c.per || g.Kind != c.kind || g.Op != c.op || g.Limit != c.limit || g.Share != c.share) {
			t.Errorf("%q: %+v", c.in, g)
		}
	}
}

func FuzzParseGate(f *testing.F) {
	for _, s := range []string{"api_calls>+1%", "stage:a:range:b.c>+5%", "kernel:x>+3", "wall>+", ">+1%", "api:x:share>5%", "wall_per_step<2ms"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		g, err := ParseGate(s)
		if err != nil {
			if !strings.Contains(err.Error(), "forms:") {
				t.Fatalf("%q: error without the forms: %v", s, err)
			}
			return
		}
		if g.Metric == "" || g.Limit < 0 || (g.Op != '>' && g.Op != '<') || g.Text != strings.TrimSpace(s) {
			t.Fatalf("%q parsed to %+v", s, g)
		}
		// the parse is stable: the gate's own text parses to the same gate
		h, err := ParseGate(g.Text)
		if err != nil || h.Metric != g.Metric || h.Limit != g.Limit || h.Kind != g.Kind || h.Arg != g.Arg || h.Stage != g.Stage {
			t.Fatalf("%q: reparse %+v %v", s, h, err)
		}
	})
}

// TestDiffGraphs: pageable → graphs shows the graph launch appearing and the kernel launches
// falling, in the talker stage, for the Go and the PyTorch traces.
func TestDiffGraphs(t *testing.T) {
	for _, c := range []struct{ base, new, launch, graph string }{
		{"go_tts_pageable", "go_tts_graphs", "cuLaunchKernel", "cuGraphLaunch"},
		{"tts_pageable", "tts_graphs", "cudaLaunchKernel", "cudaGraphLaunch_v10000"}, // nsys keeps 7-character suffixes
	} {
		b, n := testtrace.Read(t, c.base), testtrace.Read(t, c.new)
		d, err := Compare(b, n, stage.Assign(b, nil), stage.Assign(n, nil), Options{Per: "auto", Top: 50})
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Stages) != 2 || d.Stages[0].Stage != "talker" || d.Stages[0].Per != "talker.decode_step" {
			t.Fatalf("%s: stages %+v", c.base, d.Stages)
		}
		status := map[string]string{}
		change := map[string]float64{}
		for _, tb := range d.Stages[0].Tables {
			if tb.Name == "cuda_api_sum_diff" {
				for _, r := range tb.Rows {
					status[r[7].S], change[r[7].S] = r[6].S, r[2].F
				}
			}
		}
		if status[c.graph] != "new" || change[c.launch] >= 0 {
			t.Errorf("%s → %s: %s %s, %s change %v", c.base, c.new, c.graph, status[c.graph], c.launch, change[c.launch])
		}
	}
}

func TestGates(t *testing.T) {
	p, g := testtrace.Read(t, "go_tts_pageable"), testtrace.Read(t, "go_tts_graphs")
	ap, ag := stage.Assign(p, nil), stage.Assign(g, nil)
	calls, _ := ParseGate("api_calls>+1%")
	if r := calls.Check(g, p, ag, ap, "none"); !r.Tripped || r.Change != "+755.0%" { // graphs → pageable: a rise
		t.Errorf("rise: %+v", r)
	}
	if r := calls.Check(p, g, ap, ag, "none"); r.Tripped { // pageable → graphs: a fall
		t.Errorf("fall tripped: %+v", r)
	}
	for _, s := range []string{"wall>+0%", "gpu_time>+0%", "kernel_time>+0", "memcpy_time>+0%", "api_time>+0%", "api_calls>+0", "kernels>+0",
		"stage:talker:range:talker.decode_step>+0%", "kernel:gemv>+0%", "api:cudaMemcpyAsync>+0%", "stage:code2wav:kernels>+0"} {
		gate, err := ParseGate(s)
		if err != nil {
			t.Fatal(err)
		}
		if r := gate.Check(p, p, ap, ap, "auto"); r.Tripped || r.Missing != "" || r.Failed != "" || r.Change == "" {
			t.Errorf("identical inputs: %s: %+v", s, r)
		}
	}
	missing, _ := ParseGate("stage:nope:wall>+1%")
	if r := missing.Check(p, p, ap, ap, "auto"); r.Tripped || r.Failed != "stage nope is in neither trace" {
		t.Errorf("missing stage: %+v", r)
	}
}

// TestGatesOnRuns: two captures of one build (foreign_tts_a, _b) and one 20% slower per decode
// step (foreign_tts_slow). Per-step gates (the default where both runs have steps) pass on the
// pair and trip on the slow build; a drop gate and a bound work; the talker's steps differ in
// number between the runs only through the workload, which per-step values ignore.
func TestGatesOnRuns(t *testing.T) {
	a, b, slow := testtrace.Read(t, "foreign_tts_a"), testtrace.Read(t, "foreign_tts_b"), testtrace.Read(t, "foreign_tts_slow")
	sa, sb, ss := stage.Assign(a, nil), stage.Assign(b, nil), stage.Assign(slow, nil)
	check := func(expr string, b, n *trace.Trace, ab, an *stage.Assignment) GateResult {
		g, err := ParseGate(expr)
		if err != nil {
			t.Fatal(err)
		}
		if err := g.Validate(b, n, ab, an); err != nil {
			t.Fatal(err)
		}
		return g.Check(b, n, ab, an, "auto")
	}
	for _, c := range []struct {
		gate         string
		againstB     bool // trips on a → b (noise)
		againstSlow  bool // trips on a → slow
		perStepLabel bool
	}{
		{"stage:tts-talker:wall>+10%", false, true, true},
		{"stage:tts-talker:gpu_time>+10%", false, true, true},
		{"stage:tts-talker:kernel_time>+10%", false, true, true},
		{"stage:tts-talker:range:decode_step>+10%", false, true, false},
		{"stage:tts-talker:steps<-10%", false, false, false},
		{"stage:tts-talker:wall_per_step>1s", false, false, true},
	} {
		rb := check(c.gate, a, b, sa, sb)
		rs := check(c.gate, a, slow, sa, ss)
		if rb.Tripped != c.againstB || rs.Tripped != c.againstSlow {
			t.Errorf("%s: a→b tripped %v (%s), a→slow tripped %v (%s)", c.gate, rb.Tripped, rb.Change, rs.Tripped, rs.Change)
		}
		if c.perStepLabel != strings.HasPrefix(rs.Per, "step") {
			t.Errorf("%s: per %q", c.gate, rs.Per)
		}
	}
	// a typo in any part of a gate is a mistake, with the right names suggested
	for gate, want := range map[string]string{
		"stage:tts-talkr:wall>+5%":                      `no stage "tts-talkr" in either trace: did you mean tts-talker?`,
		"api:cudamemcpyasync>+5%":                       "did you mean cudaMemcpyAsync?",
		"stage:tts-talker:range:decode_stpe>+5%":        "did you mean decode_step",
		"kernel:no_such_kernel_anywhere>+5%":            `no kernel matching "no_such_kernel_anywhere"`,
		"stage:tts-vocoder:api:cudaMemcpyAsnc:share>5%": "did you mean cudaMemcpyAsync?",
	} {
		g, err := ParseGate(gate)
		if err != nil {
			t.Fatal(err)
		}
		if err := g.Validate(a, b, sa, sb); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", gate, err, want)
		}
	}
}

// TestFindingStatus: pageable → pinned changes the talker's dominant API (cudaMemcpyAsync →
// cuStreamSynchronize): "changed", not "kept"; a finding with no counterpart is "gone" or "new";
// the same trace twice keeps every finding.
func TestFindingStatus(t *testing.T) {
	p, q := testtrace.Read(t, "go_tts_pageable"), testtrace.Read(t, "go_tts_pinned")
	ap, aq := stage.Assign(p, nil), stage.Assign(q, nil)
	d, err := Compare(p, q, ap, aq, Options{Per: "auto"})
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]FindingChange{}
	for _, c := range d.Changes {
		status[c.Finding] = c
	}
	if c := status["talker dominant_api"]; c.Status != "changed" || !strings.HasPrefix(c.Base, "cudaMemcpyAsync") || !strings.HasPrefix(c.New, "cuStreamSynchronize") {
		t.Errorf("talker dominant_api: %+v", c)
	}
	same, err := Compare(p, p, ap, ap, Options{Per: "auto"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range same.Changes {
		if c.Status != "kept" {
			t.Errorf("same trace: %+v", c)
		}
	}
	if len(same.Changes) == 0 {
		t.Error("no findings to compare")
	}
}

// TestNoCommonStage: two unrelated programs share no stage: the result says so (every stage is
// new or gone); runs that share one say nothing.
func TestNoCommonStage(t *testing.T) {
	a, b := testtrace.Read(t, "go_tts_pageable"), testtrace.Read(t, "go_diffusion")
	d, err := Compare(a, b, stage.Assign(a, nil), stage.Assign(b, nil), Options{Per: "auto"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(d.Note, "no stage in common (base: talker, code2wav; new: diffusion)") {
		t.Errorf("note %q", d.Note)
	}
	c := testtrace.Read(t, "go_tts_pinned")
	if d, _ := Compare(a, c, stage.Assign(a, nil), stage.Assign(c, nil), Options{Per: "auto"}); d.Note != "" {
		t.Errorf("note on related runs: %q", d.Note)
	}
}

// TestVerdictOffset: pinning the host buffers takes the talker's wait out of cudaMemcpyAsync
// and puts it into cuStreamSynchronize; the verdict names both, with the per-step changes
// counted here from the two traces' CUDA API rows of the process titled stage0_talker.
func TestVerdictOffset(t *testing.T) {
	b, n := testtrace.Read(t, "go_tts_pageable"), testtrace.Read(t, "go_tts_pinned")
	d, err := Compare(b, n, stage.Assign(b, nil), stage.Assign(n, nil), Options{Per: "auto", Top: 10})
	if err != nil {
		t.Fatal(err)
	}
	perStep := func(tr *trace.Trace, name string) float64 {
		pid := int64(-1)
		for _, p := range tr.Processes {
			if p.Name == "stage0_talker" {
				pid = trace.PID(p.GlobalPID)
			}
		}
		var sum int64
		rt := &tr.Runtime
		for i := range rt.Start {
			if trace.PID(rt.GlobalTID.At(i)) == pid && reports.APIName(tr.Strings.Get(int64(rt.NameID[i]))) == name { // as cuda_api_sum prints it
				sum += rt.End[i] - rt.Start[i]
			}
		}
		return float64(sum) / 128 // the talker's decode steps, in both runs
	}
	change := func(name string) string {
		return summary.Signed(stat.Round(perStep(n, name)-perStep(b, name), 1))
	}
	v := d.Stages[0].Verdict
	want := "biggest API change: cudaMemcpyAsync changed (" + change("cudaMemcpyAsync") + " ns), offset by cuStreamSynchronize (" + change("cuStreamSynchronize") + " ns)"
	if d.Stages[0].Stage != "talker" || d.Stages[0].StepsBase != 128 || d.Stages[0].StepsNew != 128 || !strings.Contains(v, want) {
		t.Errorf("talker verdict %q\nwant %q", v, want)
	}
	// the verdict is the same whatever --top shows: with one row, the offsetting API is not in
	// the table but is in the verdict
	d1, err := Compare(b, n, stage.Assign(b, nil), stage.Assign(n, nil), Options{Per: "auto", Top: 1})
	if err != nil {
		t.Fatal(err)
	}
	if d1.Stages[0].Verdict != v || len(d1.Stages[0].Changes[0].Rows) != 1 {
		t.Errorf("--top 1: %q (%d rows), default: %q", d1.Stages[0].Verdict, len(d1.Stages[0].Changes[0].Rows), v)
	}
	// a run against itself: no API is named as the biggest change of nothing
	ds, err := Compare(b, b, stage.Assign(b, nil), stage.Assign(b, nil), Options{Per: "auto", Top: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range ds.Stages {
		if !strings.HasSuffix(st.Verdict, "; no CUDA API time changed") || strings.Contains(st.Verdict, "biggest") {
			t.Errorf("against itself: %q", st.Verdict)
		}
	}
}

// offset's rule: the biggest change of the opposite sign among the rows after the first,
// named when it reaches OffsetShare of the first's; changes of 0 and of the same sign are not
// offsets.
func TestOffsetRule(t *testing.T) {
	tab := func(changes ...float64) *table.Table {
		tb := &table.Table{Columns: []table.Column{{Name: "Change"}, {Name: "Name"}}}
		for i, c := range changes {
			tb.Rows = append(tb.Rows, []table.Value{table.F64(c), table.Str(fmt.Sprint("f", i))})
		}
		return tb
	}
	for _, c := range []struct {
		changes []float64
		want    string // the row named, "" for none
	}{
		{[]float64{-100, 50}, "f1"},
		{[]float64{-100, 49.9}, ""},
		{[]float64{100, -50}, "f1"},
		{[]float64{100, 80, -60, -55}, "f2"},
		{[]float64{100, 90, -40, -60}, ""}, // the biggest opposite change comes first in the table's order
		{[]float64{-100, -90, 0}, ""},
		{[]float64{100, 0}, ""},
		{[]float64{-100}, ""},
		{[]float64{0, 0}, ""},
	} {
		r, ok := offset(tab(c.changes...))
		got := ""
		if ok {
			got = r[1].S
		}
		if got != c.want {
			t.Errorf("%v: offset %q, want %q", c.changes, got, c.want)
		}
	}
}
