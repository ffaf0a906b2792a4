package diff

import (
	"github.com/omnistat/omnistat/internal/testtrace"
	"testing"

	"github.com/omnistat/omnistat/stage"
)

func TestParseGate(t *testing.T) {
	for _, c := range []struct {
		in, stage, metric, arg string
		limit                  float64
		pct, ok                bool
	}{
		{"api_calls>+1%", "", "api_calls", "", 1, true, true},
		{"wall>+5.5%", "", "wall", "", 5.5, true, true},
		{"kernels>+100", "", "kernels", "", 100, false, true},
		{"stage:talker:range:talker.decode_step>+5%", "talker", "range", "talker.decode_step", 5, true, true},
		{"kernel:gemv.*>+10%", "", "kernel", "gemv.*", 10, true, true},
		{"stage:code2wav:api:cudaMemcpyAsync>+0%", "code2wav", "api", "cudaMemcpyAsync", 0, true, true},
		{"api_calls>1%", "", "", "", 0, false, false},
		{"api_calls<+1%", "", "", "", 0, false, false},
		{"speed>+1%", "", "", "", 0, false, false},
		{"wall:x>+1%", "", "", "", 0, false, false},
		{"range>+1%", "", "", "", 0, false, false},
		{"kernel:(>+1%", "", "", "", 0, false, false},
		{"", "", "", "", 0, false, false},
	} {
		g, err := ParseGate(c.in)
		if (err == nil) != c.ok {
			t.Errorf("%q: err %v", c.in, err)
			continue
		}
		if c.ok && (g.Stage != c.stage || g.Metric != c.metric || g.Arg != c.arg || g.Limit != c.limit || g.Percent != c.pct) {
			t.Errorf("%q: %+v", c.in, g)
		}
	}
}

func FuzzParseGate(f *testing.F) {
	for _, s := range []string{"api_calls>+1%", "stage:a:range:b.c>+5%", "kernel:x>+3", "wall>+", ">+1%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		g, err := ParseGate(s)
		if err == nil && (g.Metric == "" || g.Limit < 0) {
			t.Fatalf("%q parsed to %+v", s, g)
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
		if len(d.Stages) != 2 || d.Stages[0].Stage != "talker" || d.Stages[0].Per != "omnistat:talker.decode_step" {
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
		if status[c.graph] != "appeared" || change[c.launch] >= 0 {
			t.Errorf("%s → %s: %s %s, %s change %v", c.base, c.new, c.graph, status[c.graph], c.launch, change[c.launch])
		}
	}
}

func TestGates(t *testing.T) {
	p, g := testtrace.Read(t, "go_tts_pageable"), testtrace.Read(t, "go_tts_graphs")
	ap, ag := stage.Assign(p, nil), stage.Assign(g, nil)
	calls, _ := ParseGate("api_calls>+1%")
	if r := calls.Check(g, p, ag, ap); !r.Tripped || r.Change != "+755.0%" { // graphs → pageable: a rise
		t.Errorf("rise: %+v", r)
	}
	if r := calls.Check(p, g, ap, ag); r.Tripped { // pageable → graphs: a fall
		t.Errorf("fall tripped: %+v", r)
	}
	for _, s := range []string{"wall>+0%", "gpu_time>+0%", "kernel_time>+0", "memcpy_time>+0%", "api_time>+0%", "api_calls>+0", "kernels>+0",
		"stage:talker:range:talker.decode_step>+0%", "kernel:gemv>+0%", "api:cudaMemcpyAsync>+0%", "stage:code2wav:kernels>+0"} {
		gate, err := ParseGate(s)
		if err != nil {
			t.Fatal(err)
		}
		if r := gate.Check(p, p, ap, ap); r.Tripped || r.Missing != "" || r.Change == "" {
			t.Errorf("identical inputs: %s: %+v", s, r)
		}
	}
	missing, _ := ParseGate("stage:nope:wall>+1%")
	if r := missing.Check(p, p, ap, ap); r.Tripped || r.Missing != "in neither trace" {
		t.Errorf("missing stage: %+v", r)
	}
}
