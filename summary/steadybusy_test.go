package summary

import (
	"math/rand/v2"
	"testing"

	"github.com/omnistat/omnistat/internal/testtrace"
	"github.com/omnistat/omnistat/trace"
)

// TestSteadyBusyWithoutSecondWalk: the judge finds each GPU's steady busy time from its busy
// time, less that of the spans before the steady window and of the first steady span's part
// before it (no second walk of the spans); it equals the time the steady spans cover, counted
// afresh, for steady windows starting before, inside, between and after the spans of real
// traces on one and two GPUs.
func TestSteadyBusyWithoutSecondWalk(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, name := range []string{"tts_pageable", "go_diffusion_2gpu", "foreign_graphs_timeslice", "foreign_warmup_tts"} {
		tr := testtrace.Read(t, name)
		spans := trace.GPUSpans(tr)
		first, last := spans[0].Start, spans[len(spans)-1].End
		froms := []int64{first - 5, first, last, last + 5}
		for range 40 {
			s := spans[rng.IntN(len(spans))]
			froms = append(froms, s.Start, s.End, s.Start+rng.Int64N(max(1, s.End-s.Start)), s.End+1)
		}
		for _, from := range froms {
			steps := Steps{Count: 2, Warmup: 1, Instances: []Step{{Start: first - 10, End: first - 9}, {Start: from, End: from + 1}}}
			j := newJudge(tr, "trace", DefaultFindingOptions, spans, steps)
			if len(j.gpus) == 0 {
				t.Fatalf("%s: no GPU", name)
			}
			for _, g := range j.gpus {
				if want := trace.SpanTime(g.steady); g.sBusy != want {
					t.Fatalf("%s, steady from %d, %s: steady busy %d, want %d", name, from, g.name, g.sBusy, want)
				}
				if want := trace.SpanTime(disjoint(g.steady)); g.sBusy != want {
					t.Fatalf("%s, steady from %d, %s: steady spans not disjoint", name, from, g.name)
				}
			}
		}
	}
}
