package diff

import (
	"strings"
	"testing"

	"github.com/omnistat/omnistat/internal/testtrace"
	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/trace"
)

// A gate that cannot be evaluated fails, never passes: its stage is not in a run it reads (NEW
// for a bound, both for a change), or its NVTX range is not. An API only one run called is 0 ns
// in the other: that is a value (appeared is a rise, vanished a drop).
func TestGateOnAMissingStageFails(t *testing.T) {
	b, n := testtrace.Read(t, "go_tts_pageable"), testtrace.Read(t, "go_tts_pageable")
	renamed, err := stage.ParseRule("lm=proc:^stage0_talker$") // the talker of NEW is named otherwise
	if err != nil {
		t.Fatal(err)
	}
	ab, an := stage.Assign(b, nil), stage.Assign(n, []stage.Rule{renamed})
	check := func(expr string, forward bool) GateResult {
		t.Helper()
		g, err := ParseGate(expr)
		if err != nil {
			t.Fatal(err)
		}
		if forward {
			return g.Check(b, n, ab, an, "auto")
		}
		return g.Check(n, b, an, ab, "auto")
	}
	for _, c := range []struct {
		expr     string
		forward  bool // BASE → NEW as read (talker only in BASE), or the other way round
		failed   string
		evaluate bool
	}{
		{"stage:talker:gpu_time>+5%", true, "stage talker is not in the new trace (its stages: lm, code2wav)", false},
		{"stage:talker:api:cudaMemcpyAsync:share>10%", true, "stage talker is not in the new trace (its stages: lm, code2wav)", false}, // a bound on NEW
		{"stage:talker:kernels<-1", true, "stage talker is not in the new trace", false},
		{"stage:talker:gpu_time>+5%", false, "stage talker is not in the base trace (its stages: lm, code2wav)", false},
		{"stage:talker:api:cudaMemcpyAsync:share>99%", false, "", true}, // a bound reads NEW alone: evaluated
		{"stage:code2wav:gpu_time>+5%", true, "", true},
		{"stage:lm:range:talker.decode_step>+5%", true, "stage lm is not in the base trace", false},
		{"stage:code2wav:range:talker.decode_step>+5%", true, "NVTX range talker.decode_step is in neither trace (stage code2wav)", false},
	} {
		r := check(c.expr, c.forward)
		if r.Tripped || (r.Failed == "") != c.evaluate || !strings.HasPrefix(r.Failed, c.failed) {
			t.Errorf("%s (forward %v): %+v, want failed %q", c.expr, c.forward, r, c.failed)
		}
	}
	// a range only one run has: a mean duration of nothing is no value
	bare := b.Subset(trace.Keep{NVTX: make([]bool, b.NVTX.Len())}) // every CUDA row, no NVTX
	g, err := ParseGate("range:talker.decode_step>+5%")
	if err != nil {
		t.Fatal(err)
	}
	if r := g.Check(b, bare, ab, stage.Assign(bare, nil), "auto"); r.Tripped || r.Failed != "NVTX range talker.decode_step is not in the new trace" {
		t.Errorf("range gone: %+v", r)
	}
}

// When the runs share no stage (two different programs) every gate fails, whole-trace ones too,
// unless asked to compare anyway (--allow-unlike); a comparison with a stage in common is not
// touched.
func TestGatesOnUnlikeRuns(t *testing.T) {
	a, c := testtrace.Read(t, "go_tts_pageable"), testtrace.Read(t, "go_diffusion")
	aa, ac := stage.Assign(a, nil), stage.Assign(c, nil)
	res, err := Compare(a, c, aa, ac, Options{Per: "auto"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Unlike {
		t.Fatalf("no stage in common, not unlike: %q", res.Note)
	}
	var gates []Gate
	for _, s := range []string{"wall>+1000%", "api_calls<-1%", "stage:talker:wall>+5%"} {
		g, err := ParseGate(s)
		if err != nil {
			t.Fatal(err)
		}
		gates = append(gates, g)
	}
	for _, r := range CheckAll(gates, a, c, aa, ac, res, "auto", false) {
		if r.Tripped || r.Failed == "" {
			t.Errorf("unlike runs: %+v", r)
		}
		if !strings.HasPrefix(r.Gate, "stage:") && !strings.Contains(r.Failed, "the runs share no stage (base: talker, code2wav; new: diffusion)") {
			t.Errorf("unlike runs, reason: %q", r.Failed)
		}
	}
	rs := CheckAll(gates, a, c, aa, ac, res, "auto", true)
	if rs[0].Failed != "" || rs[1].Failed != "" || !rs[1].Tripped || rs[2].Failed == "" {
		t.Errorf("--allow-unlike: %+v", rs)
	}
	same, err := Compare(a, a, aa, aa, Options{Per: "auto"})
	if err != nil {
		t.Fatal(err)
	}
	if same.Unlike {
		t.Error("a run against itself is unlike")
	}
	for _, r := range CheckAll(gates, a, a, aa, aa, same, "auto", false) {
		if r.Failed != "" || r.Tripped {
			t.Errorf("a run against itself: %+v", r)
		}
	}
}
