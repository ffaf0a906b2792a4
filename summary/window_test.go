package summary

import (
	"slices"
	"testing"

	"github.com/omnistat/omnistat/internal/testtrace"
	"github.com/omnistat/omnistat/reports"
	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/trace"
)

// TestFilterWindowClips: under a time filter the events kept are whole (an NVTX request range
// spans far beyond a third of the trace), but each stage's wall time runs from its first to its
// last event clipped to the window, its GPU busy time is its GPU operations' union clipped to
// the window (recomputed here from the rows), and the summary says which window it covers.
func TestFilterWindowClips(t *testing.T) {
	tr := testtrace.Read(t, "go_tts_pageable")
	a := stage.Assign(tr, nil)
	lo, hi := slices.Min(tr.Kernels.Start), slices.Max(tr.Kernels.End)
	w := &Window{Flag: "--filter-time", Value: "x/y", Start: lo + (hi-lo)/3, End: lo + (hi-lo)/2}
	f := reports.Filter{Time: true, Start: w.Start, End: w.End}
	ftr, _ := f.Apply(tr)
	s, err := Build(ftr, a, Options{Findings: DefaultFindingOptions, Window: w})
	if err != nil {
		t.Fatal(err)
	}
	if s.Filter != w || s.WindowNs > w.End-w.Start {
		t.Errorf("summary filter %v, events span %d ns in a window of %d", s.Filter, s.WindowNs, w.End-w.Start)
	}
	for _, st := range s.Stages {
		var spans []trace.Span
		add := func(start, end []int64, pid trace.Codes) {
			for i := range start {
				if s, e := max(start[i], w.Start), min(end[i], w.End); e > s && a.OfProcess(trace.ProcessOf(pid.At(i))) >= 0 && a.Stages[a.OfProcess(trace.ProcessOf(pid.At(i)))].Key == st.Stage {
					spans = append(spans, trace.Span{Start: s, End: e})
				}
			}
		}
		add(ftr.Kernels.Start, ftr.Kernels.End, ftr.Kernels.GlobalPID)
		add(ftr.Memcpy.Start, ftr.Memcpy.End, ftr.Memcpy.GlobalPID)
		add(ftr.Memset.Start, ftr.Memset.End, ftr.Memset.GlobalPID)
		busy, _ := trace.Union(spans, 1<<62)
		if st.WallNs <= 0 || st.WallNs > w.End-w.Start {
			t.Errorf("stage %s: wall %d ns in a window of %d ns", st.Stage, st.WallNs, w.End-w.Start)
		}
		if st.GPUBusy != busy || st.GPUBusy > st.WallNs {
			t.Errorf("stage %s: GPU busy %d ns, the window holds %d ns of its GPU time; wall %d", st.Stage, st.GPUBusy, busy, st.WallNs)
		}
	}
}

// TestTraceFindingsCountStages: the trace's findings count what the tables count, the stages'
// processes. A helper process with one long CUDA call (no GPU work, no range: no stage) must not
// make its call the trace's dominant API: the finding's share is the one of the stages' calls.
func TestTraceFindingsCountStages(t *testing.T) {
	tr := testtrace.Read(t, "go_tts_pageable")
	before := stage.Assign(tr, nil)
	r := &tr.Runtime
	var total, corr int64
	other := int64(-1) // a call the stages make little of
	for i := range r.Start {
		total += r.End[i] - r.Start[i]
		corr = max(corr, int64(r.CorrID[i]))
		if other < 0 && reports.APIName(tr.Strings.Get(int64(r.NameID[i]))) != "cudaMemcpyAsync" {
			other = int64(r.NameID[i])
		}
	}
	if other < 0 {
		t.Fatal("no call but cudaMemcpyAsync in the trace")
	}
	const pid = 999
	g := r.GlobalTID.At(0)&^(trace.ProcessOf(-1)|0xFFFFFF) | pid<<24 | pid
	tr.Processes = append(tr.Processes, trace.Process{GlobalPID: trace.ProcessOf(g), Name: "helper"})
	r.Start, r.End = append(r.Start, r.Start[0]), append(r.End, r.Start[0]+10*total)
	r.GlobalTID, r.CorrID, r.NameID = r.GlobalTID.Append(g), append(r.CorrID, int32(corr+1)), append(r.NameID, int32(other))
	if r.EventClass != nil {
		r.EventClass = append(r.EventClass, 0)
	}
	if r.ReturnValue != nil {
		r.ReturnValue = append(r.ReturnValue, 0)
	}
	a := stage.Assign(tr, nil)
	if len(a.Stages) != len(before.Stages) || a.OfProcess(trace.ProcessOf(g)) >= 0 {
		t.Fatalf("the helper process is a stage: %d stages, was %d", len(a.Stages), len(before.Stages))
	}
	s, err := Build(tr, a, Options{Findings: DefaultFindingOptions})
	if err != nil {
		t.Fatal(err)
	}
	f := findingByID(s.Findings, "dominant_api")
	if f == nil || f.Subject != "cudaMemcpyAsync" || f.Value != 89.6 {
		t.Errorf("trace dominant_api %+v; want cudaMemcpyAsync at 89.6%% (the stages' calls, as the tables count them)", f)
	}
}
