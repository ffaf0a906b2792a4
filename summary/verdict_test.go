package summary

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/reports/stat"
	"github.com/omnistat/omnistat/trace"
)

// allTraces are the test traces the verdict tests look at.
var allTraces = []string{"foreign_warmup_tts", "foreign_graphs_timeslice", "foreign_vllm_omni", "foreign_tts_a", "foreign_tts_b",
	"foreign_tts_slow", "foreign_rank_split", "foreign_python3", "go_tts_pageable", "go_tts_pinned", "go_tts_graphs",
	"go_tts_graphs_pinned", "go_diffusion", "go_diffusion_2gpu", "go_diffusion_w2", "go_diffusion_w2_uneven", "tts_pageable",
	"tts_pinned", "tts_graphs", "diffusion"}

// graphAdvice matches advice to start using CUDA graphs.
var graphAdvice = regexp.MustCompile(`capture the .* CUDA graph|candidates for CUDA graphs`)

// TestVerdicts checks every test trace's findings: ordered by time at stake; each cause once
// (no dominant synchronize API beside sync_api, no dominant copy API beside the pageable-copy
// finding, one gap and one utilisation finding per GPU); launch_bound never on a stage whose GPU
// is busy (≥ --low-util in steady state and inside its steps); no graph advice to a stage that
// runs ≥ 90% of its kernels in graphs; per-stage kernel, copy and API totals equal the trace's.
func TestVerdicts(t *testing.T) {
	fired := 0
	for _, name := range allTraces {
		tr, s := build(t, name)
		scopes := map[string][]Finding{}
		for _, f := range s.Findings {
			scopes[f.Scope] = append(scopes[f.Scope], f)
		}
		var kern, cp, api int64
		for _, st := range s.Stages {
			scopes[st.Stage] = st.Findings
			kern, cp, api = kern+st.KernelNs, cp+st.MemcpyNs, api+st.APINs
			var nk, ng int // the stage's kernels and those in graphs, from the kernel table
			for i := range tr.Kernels.Len() {
				if slices.Contains(st.PIDs, trace.PID(tr.Kernels.GlobalPID.At(i))) {
					nk++
					if g := tr.Kernels.GraphNode(i); g != trace.Null && g != 0 {
						ng++
					}
				}
			}
			for _, f := range st.Findings {
				if nk > 0 && ng*100 >= nk*graphsDone && graphAdvice.MatchString(f.Advice) {
					t.Errorf("%s %s: %d of %d kernels in graphs, yet: %s", name, st.Stage, ng, nk, f.Advice)
				}
			}
			if lb, ok := find(st.Findings, "launch_bound"); ok {
				fired++
				if st.GPUPct >= DefaultFindingOptions.LowUtil && (st.Steps == nil || st.Steps.Warmup == 0) {
					t.Errorf("%s %s: launch-bound with the GPU busy %.1f%%: %s", name, st.Stage, st.GPUPct, lb.Message)
				}
			}
		}
		var k, c, a int64
		for i := range tr.Kernels.Start {
			k += tr.Kernels.End[i] - tr.Kernels.Start[i]
		}
		for i := range tr.Memcpy.Start {
			c += tr.Memcpy.End[i] - tr.Memcpy.Start[i]
		}
		for i := range tr.Runtime.Start {
			a += tr.Runtime.End[i] - tr.Runtime.Start[i]
		}
		if k != kern || c != cp || a != api {
			t.Errorf("%s: stages add up to kernels %d, copies %d, API %d; the trace has %d, %d, %d", name, kern, cp, api, k, c, a)
		}
		for scope, fs := range scopes {
			if !slices.IsSortedFunc(fs, func(a, b Finding) int { return int(b.ImpactNs - a.ImpactNs) }) {
				t.Errorf("%s %s: not ordered by impact", name, scope)
			}
			seen := map[string]bool{}
			for _, f := range fs {
				key := f.ID
				if f.ID == "gpu_gap" || f.ID == "low_gpu_util" {
					key += strings.Fields(f.Message)[0] + strings.Fields(f.Message)[1] // per GPU
				}
				if seen[key] && f.ID != "stage_overlap" {
					t.Errorf("%s %s: %s twice", name, scope, f.ID)
				}
				seen[key] = true
				if f.ImpactNs < 0 {
					t.Errorf("%s %s: %s impact %d", name, scope, f.ID, f.ImpactNs)
				}
			}
			for _, f := range fs {
				if f.ID == "dominant_api" && strings.Contains(f.Message, "Synchronize") && slices.Contains(idsOf(fs), "sync_api") {
					t.Errorf("%s %s: dominant synchronize API and sync_api apart", name, scope)
				}
				if f.ID == "dominant_api" && strings.HasPrefix(f.Message, "cudaMemcpyAsync") && slices.Contains(idsOf(fs), "pageable_async_memcpy") {
					t.Errorf("%s %s: dominant copy API and pageable copies apart", name, scope)
				}
			}
		}
	}
	if fired == 0 {
		t.Error("launch_bound never fires")
	}
	// it fires where the GPU idles between short kernels, not on busy talkers
	for _, c := range []struct {
		name string
		pid  int64
		want bool
	}{{"foreign_warmup_tts", 1130, true}, {"foreign_vllm_omni", 731, true}, {"foreign_tts_a", 1469, false}, {"foreign_tts_slow", 2093, false},
		{"foreign_graphs_timeslice", 3238, false}, {"go_tts_pageable", 3296, false}} {
		_, s := build(t, c.name)
		if f, ok := find(stageOf(t, s, c.pid).Findings, "launch_bound"); ok != c.want {
			t.Errorf("%s pid %d: launch_bound %v, want %v (%s)", c.name, c.pid, ok, c.want, f.Message)
		}
	}
}

func idsOf(fs []Finding) (out []string) {
	for _, f := range fs {
		out = append(out, f.ID)
	}
	return out
}

// TestGraphsTimeslice: decode_engine runs all its kernels in CUDA graphs and is told nothing
// about graphs or launches; denoise_engine, on the same GPU, is bound by 8 pageable
// host-to-device copies of 64 MB (bytes and bandwidth recomputed from the copy table), idles
// for a 20.7 ms gap longer than its steady step (unseen at nsys's 500 ms), and the two stages
// share one GPU that time-slices them.
func TestGraphsTimeslice(t *testing.T) {
	tr, s := build(t, "foreign_graphs_timeslice")
	dec, den := stageOf(t, s, 3238), stageOf(t, s, 3239)
	if g, ok := find(dec.Findings, "cuda_graphs"); !ok || g.Value != 100 {
		t.Errorf("decode graphs %+v", g)
	}
	if f, ok := find(dec.Findings, "launch_bound"); ok {
		t.Errorf("decode: %s", f.Message)
	}
	// the copies of the denoise process, straight from the copy table
	var h2d, h2dNs, copyNs int64
	for i := range tr.Memcpy.Start {
		if trace.PID(tr.Memcpy.GlobalPID.At(i)) == 3239 {
			copyNs += tr.Memcpy.End[i] - tr.Memcpy.Start[i]
			if tr.MemcpyKinds[tr.Memcpy.CopyKind[i]] == "Host-to-Device" {
				h2d += tr.Memcpy.Bytes[i]
				h2dNs += tr.Memcpy.End[i] - tr.Memcpy.Start[i]
			}
		}
	}
	mb, ok := find(den.Findings, "memcpy_bound")
	want := fmt.Sprintf("Host-to-Device %.1f MB in 8 copies at %.1f GB/s (8 from or to pageable memory)", float64(h2d)/1e6, float64(h2d)/float64(h2dNs))
	if !ok || mb.ID != "memcpy_bound" || mb.Value < 90 || !strings.Contains(mb.Message, want) || !slices.Contains(mb.Also, "pageable_async_memcpy") || !strings.Contains(mb.Advice, "pinned") {
		t.Errorf("memcpy_bound %+v, want %q", mb, want)
	}
	if share := float64(copyNs) * 100 / float64(den.GPUBusy); mb.Value < share-2 || mb.Value > min(share, 100)+0.1 {
		t.Errorf("copies %.1f%% of busy time, summed durations say %.1f%%", mb.Value, share)
	}
	_, ds := rangeDurations(tr, 3239, regexp.MustCompile(`^denoise_step$`))
	step := stat.Median(ds)
	gap, ok := find(den.Findings, "gpu_gap")
	if !ok || !strings.Contains(gap.Message, "idle 2 times") || !strings.Contains(gap.Message, fmt.Sprintf("a steady :denoise_step step (%s ns)", WithSep(int64(step+0.5)))) {
		t.Errorf("gap %+v (step %g)", gap, step)
	}
	var ov Finding
	for _, f := range s.Findings {
		if f.ID == "stage_overlap" {
			ov = f
		}
	}
	if !strings.Contains(ov.Message, "share one GPU (GPU 0): the driver time-slices them") || strings.Contains(ov.Message, "serialise") {
		t.Errorf("overlap %q", ov.Message)
	}
	if f, ok := find(s.Findings, "memcpy_bound"); !ok || f.ImpactNs < s.Findings[len(s.Findings)-1].ImpactNs {
		t.Errorf("trace memcpy_bound %+v", f)
	}
}

// TestOverlapWords: stages on different GPUs that run at once are a pipeline; two on one GPU
// whose work interleaves are time-sliced; two whose work never meets serialise.
func TestOverlapWords(t *testing.T) {
	for _, c := range []struct {
		name, pair, want string
	}{
		{"foreign_vllm_omni", "731 733", "run at the same time on different GPUs"},
		{"foreign_vllm_omni", "731 732", "share one GPU (GPU 0): the driver time-slices them"},
		{"foreign_tts_a", "1469 1470", "share one GPU (GPU 0): the driver time-slices them"},
		{"foreign_warmup_tts", "1130 1131", "take turns on GPU 0"},
	} {
		_, s := build(t, c.name)
		var a, b int64
		fmt.Sscan(c.pair, &a, &b)
		scope := stageOf(t, s, a).Stage + "+" + stageOf(t, s, b).Stage
		var msg string
		for _, f := range s.Findings {
			if f.ID == "stage_overlap" && (f.Scope == scope || f.Scope == stageOf(t, s, b).Stage+"+"+stageOf(t, s, a).Stage) {
				msg = f.Message
			}
		}
		if !strings.Contains(msg, c.want) {
			t.Errorf("%s %s: %q, want %q", c.name, c.pair, msg, c.want)
		}
	}
}

// TestOverlapKernelClause: a time-sliced pair's note on its kernels says how long their
// kernels' spans overlap, counted here from the kernel rows (each stage's spans on the GPU
// joined, then intersected), or, when they never do, that the GPU alternates between them,
// never "overlap for 0 ns" beside "interleaves".
func TestOverlapKernelClause(t *testing.T) {
	cases := []struct {
		name string
		a, b int64
	}{{"foreign_vllm_omni", 731, 732}, {"foreign_tts_a", 1469, 1470}, {"tts_pageable", 0, 0}, {"go_tts_pageable", 0, 0}}
	seen := map[bool]bool{}
	for _, c := range cases {
		tr, s := build(t, c.name)
		var a, b *StageSummary
		if c.a == 0 { // the two stages of a TTS trace
			if len(s.Stages) != 2 {
				t.Fatalf("%s: %d stages", c.name, len(s.Stages))
			}
			a, b = &s.Stages[0], &s.Stages[1]
		} else {
			a, b = stageOf(t, s, c.a), stageOf(t, s, c.b)
		}
		var msg string
		for _, f := range s.Findings {
			if f.ID == "stage_overlap" && (f.Scope == a.Stage+"+"+b.Stage || f.Scope == b.Stage+"+"+a.Stage) {
				msg = f.Message
			}
		}
		if !strings.Contains(msg, "share one GPU (GPU 0)") {
			t.Fatalf("%s: %q is not a shared GPU's verdict", c.name, msg)
		}
		spansOf := func(pids []int64) []trace.Span {
			var sp []trace.Span
			k := &tr.Kernels
			for i := range k.Start {
				if slices.Contains(pids, trace.PID(k.GlobalPID.At(i))) && k.Device.At(i) == 0 {
					sp = append(sp, trace.Span{Start: k.Start[i], End: k.End[i]})
				}
			}
			slices.SortFunc(sp, func(x, y trace.Span) int { return cmp.Compare(x.Start, y.Start) })
			var out []trace.Span
			for _, x := range sp {
				if n := len(out); n > 0 && x.Start <= out[n-1].End {
					out[n-1].End = max(out[n-1].End, x.End)
					continue
				}
				out = append(out, x)
			}
			return out
		}
		var both int64
		for _, x := range spansOf(a.PIDs) {
			for _, y := range spansOf(b.PIDs) {
				both += max(0, min(x.End, y.End)-max(x.Start, y.Start))
			}
		}
		seen[both > 0] = true
		want := "(no kernel of one overlaps a kernel of the other: the GPU alternates between them)"
		if both > 0 {
			want = fmt.Sprintf("(their kernels' spans overlap for %s ns: ", WithSep(both))
		}
		if !strings.Contains(msg, want) || strings.Contains(msg, "overlap for 0 ns") {
			t.Errorf("%s: %q, want %q", c.name, msg, want)
		}
	}
	if !seen[true] || !seen[false] {
		t.Errorf("the cases cover overlapping kernels %v, alternating ones %v: both are needed", seen[true], seen[false])
	}
}

// TestMerge: findings of one cause become one, with the others' ids in Also and their clauses in
// the message, the largest time at stake, the tier's leader first; then all by time at stake.
func TestMerge(t *testing.T) {
	fs := verdict([]Finding{
		{ID: "sync_api", Message: "s", brief: "s-brief", ImpactNs: 30, cause: "wait"},
		{ID: "cuda_graphs", Message: "g", ImpactNs: 0, cause: "graphs"},
		{ID: "dominant_api", Message: "d", ImpactNs: 20, cause: "wait"},
		{ID: "low_gpu_util", Message: "u", brief: "u-brief", ImpactNs: 100, cause: "idle:the GPU"},
		{ID: "gpu_gap", Message: "gap", brief: "gap-brief", ImpactNs: 80, cause: "idle:the GPU"},
		{ID: "launch_bound", Message: "l", brief: "l-brief", ImpactNs: 10, cause: "idle:the GPU"},
	})
	got := fmt.Sprintf("%v %v %s %d %s %d", idsOf(fs), fs[0].Also, fs[0].Message, fs[0].ImpactNs, fs[1].Message, fs[1].ImpactNs)
	if want := "[gpu_gap dominant_api] [launch_bound low_gpu_util cuda_graphs] gap; also: l-brief; u-brief; g (cuda_graphs) 100 d; also: s-brief 30"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	// a gap that explains under half of the idle time does not lead
	fs = verdict([]Finding{{ID: "gpu_gap", ImpactNs: 10, cause: "idle:x"}, {ID: "low_gpu_util", ImpactNs: 100, cause: "idle:x"}})
	if fs[0].ID != "low_gpu_util" {
		t.Errorf("leader %s", fs[0].ID)
	}
}
