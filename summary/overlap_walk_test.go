package summary

import (
	"context"
	"math"
	"testing"

	"github.com/omnistat/omnistat/sqlite"
	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/trace"
)

// The kernels' time on a shared GPU, walked over the rows of the stage with more kernels
// (kernelTimes), is what the spans kernelSpans makes give, on real traces whose stages share a
// GPU, with and without a window cutting into them. (A stage is walked when its kernels' device
// column holds one value, which a stage cut from a trace of several GPUs does not tell.)
func TestOverlapKernelWalk(t *testing.T) {
	for _, name := range []string{"foreign_graphs_timeslice", "tts_pageable", "go_tts_pageable", "tts_graphs", "foreign_vllm_omni"} {
		tr, err := sqlite.Read(context.Background(), "../testdata/traces/"+name+".sqlite", sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		a := stage.Assign(tr, nil)
		g, err := stage.GroupContiguous(tr, a)
		if err != nil {
			t.Fatal(err)
		}
		var subs []*trace.Trace
		var sts []stage.Stage
		for i, label := range g.Labels {
			if label != stage.Other {
				subs, sts = append(subs, tr.Subset(g.Keep[i])), append(sts, a.Stages[i])
			}
		}
		if len(subs) < 2 {
			t.Fatalf("%s: %d stages, want a pair", name, len(subs))
		}
		first, last, _ := EventExtent(tr)
		for _, clip := range []trace.Span{{Start: math.MinInt64, End: math.MaxInt64}, {Start: first + (last-first)/3, End: last - (last-first)/4}} {
			mk := func(spans bool) []*StageOverview {
				var ovs []*StageOverview
				for i := range subs {
					o := overview(subs[i], sts[i], clip, false)
					if spans {
						o.kernelSpans()
					}
					ovs = append(ovs, &o)
				}
				return ovs
			}
			walked, made := mk(false), mk(true)
			shared, walkedOnce := false, false
			for i := range walked {
				for k := i + 1; k < len(walked); k++ {
					pw, pm := overlapOf(walked[i], walked[k]), overlapOf(made[i], made[k])
					if pw.kernA != pm.kernA || pw.kernB != pm.kernB || pw.together != pm.together || pw.active != pm.active {
						t.Errorf("%s %v, stages %d and %d: walked %+v, made %+v", name, clip, i, k, pw, pm)
					}
					shared = shared || len(pm.shared) > 0 && pm.kernA > 0 && pm.kernB > 0
					walkedOnce = walkedOnce || len(pm.shared) > 0 && (walked[i].devKernels == nil || walked[k].devKernels == nil)
				}
			}
			if !walkedOnce && name != "foreign_vllm_omni" { // its trace holds two GPUs: the spans are made

				t.Errorf("%s %v: no stage's kernels walked", name, clip)
			}
			if !shared {
				t.Errorf("%s %v: no pair of stages with kernels on a shared GPU", name, clip)
			}
		}
	}
}
