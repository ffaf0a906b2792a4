package summary

import (
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/internal/testtrace"
	"github.com/omnistat/omnistat/internal/testutil"
	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/trace"
)

// cutAsBuild cuts tr into the stages' subsets as Build does (rows reordered stage by stage,
// grouped by thread with the GPU work each call launched) and returns them with the trace the
// trace-level findings read (the rows of every stage).
func cutAsBuild(t *testing.T, tr *trace.Trace, a *stage.Assignment) ([]*trace.Trace, *trace.Trace) {
	g, err := stage.GroupContiguous(tr, a)
	if err != nil {
		t.Fatal(err)
	}
	var subs []*trace.Trace
	var keeps []trace.Keep
	for i, l := range g.Labels {
		if l != stage.Other {
			subs = append(subs, tr.Subset(g.Keep[i]))
			keeps = append(keeps, g.Keep[i])
		}
	}
	ftr := tr
	if slices.Contains(g.Labels, stage.Other) {
		if k, all := unionKeep(keeps); !all {
			ftr = tr.Subset(k)
		}
	}
	return subs, ftr
}

// TestTraceStepsFromStages: the trace's steps put together from the stages' family tallies
// (stepsOfParts) equal the steps found by walking the trace's calls again (stepsIn), on every
// test trace cut by stage, by process and by thread; most of them take the tallies' path.
func TestTraceStepsFromStages(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(testutil.ModuleRoot(t), "testdata", "traces", "*.sqlite"))
	if len(files) < 10 {
		t.Fatalf("%d test traces", len(files))
	}
	added, cuts := 0, 0
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".sqlite")
		for _, by := range []stage.By{stage.ByStage, stage.ByProcess, stage.ByThread} {
			tr := testtrace.Read(t, name)
			a, err := stage.Assign(tr, nil).Regroup(by, tr)
			if err != nil {
				t.Fatal(err)
			}
			subs, ftr := cutAsBuild(t, tr, a)
			var parts []tallies
			for _, s := range subs {
				_, tl := stepsTallied(s, nil)
				parts = append(parts, tl)
			}
			if _, ok := addTallies(parts); ok {
				added++
			}
			cuts++
			got, want := stepsOfParts(ftr, nil, parts), stepsIn(ftr, nil)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s by %s: from the stages %+v\nwalked %+v", name, by, got, want)
			}
		}
	}
	if 2*added < cuts {
		t.Errorf("the tallies added up in %d of %d cuts: the path is barely tested", added, cuts)
	}
}

// A range never ended ends at the last NVTX timestamp of the trace its rows were cut from: in
// its stage as in the whole trace (a subset keeps that timestamp), though its own process's last
// timestamp comes before the call it holds. Its stage's tallies add up to the trace's. A domain
// named "MPI" makes tallies not additive, and the trace's steps are then found by walking.
func TestTraceStepsNotAdditive(t *testing.T) {
	s := newSynth()
	s.proc(10, "stage0_talker")
	s.proc(11, "stage1_vocoder")
	for i := range int64(4) {
		s.rng(10, "step", 1000*i, 500)
		s.kernel(10, "k", 1000*i+100, 50, 0)
	}
	s.rng(10, "open", 5000, 0)
	s.kernel(10, "k", 5300, 50, 0) // its call starts at 5295, after every timestamp of pid 10
	s.rng(11, "chunk", 9000, 1000)
	s.kernel(11, "v", 9100, 50, 0)
	tr := s.done()
	tr.NVTX.End[len(tr.NVTX.Start)-2] = trace.Null // "open" never ends
	subs, ftr := cutAsBuild(t, tr, stage.Assign(tr, nil))
	if len(subs) != 2 {
		t.Fatalf("%d stages", len(subs))
	}
	var parts []tallies
	for _, sub := range subs {
		_, tl := stepsTallied(sub, nil)
		parts = append(parts, tl)
	}
	if parts[0].driving["open"] != 1 || familyTallies(ftr).driving["open"] != 1 {
		t.Errorf("the never-ended range drives GPU work %d times in its stage, %d in the trace: want 1 and 1",
			parts[0].driving["open"], familyTallies(ftr).driving["open"])
	}
	if _, ok := addTallies(parts); !ok {
		t.Error("tallies with a never-ended range not added")
	}
	if got, want := stepsOfParts(ftr, nil, parts), stepsIn(ftr, nil); !reflect.DeepEqual(got, want) {
		t.Errorf("from the stages %+v\nwalked %+v", got, want)
	}
	// a domain named "MPI" (nsys's MPI tracing), every range ended: not additive either
	m := newSynth()
	m.proc(10, "stage0_talker")
	for i := range int64(4) {
		m.rng(10, "step", 1000*i, 500)
		m.kernel(10, "k", 1000*i+100, 50, 0)
	}
	m.rng(10, "MPI", 0, 0)
	last := len(m.tr.NVTX.Start) - 1
	m.tr.NVTX.EventType[last], m.tr.NVTX.DomainID[last] = trace.NVTXDomainCreate, 5
	mt := m.done()
	tl := familyTallies(mt)
	if tl.additive {
		t.Error(`a domain named "MPI": additive`)
	}
	if _, ok := addTallies([]tallies{parts[1], tl}); ok {
		t.Error("a part that is not additive was added")
	}
	if got, want := stepsOfParts(mt, nil, []tallies{tl}), stepsIn(mt, nil); !reflect.DeepEqual(got, want) || got.Count != 4 {
		t.Errorf("with an MPI domain: from the parts %+v\nwalked %+v", got, want)
	}
}

// The trace's step range is picked from the stages' tallies added up: a family of 3 steps in
// each of two stages (6 in the trace) wins over one of 5 steps in one stage.
func TestTraceStepsAddUp(t *testing.T) {
	s := newSynth()
	s.proc(10, "stage0_talker")
	s.proc(11, "stage1_vocoder")
	for i := range int64(3) {
		for _, pid := range []int64{10, 11} {
			s.rng(pid, "shared_step", 1000*i+pid, 500)
			s.kernel(pid, "k", 1000*i+pid+100, 50, 0)
		}
	}
	for i := range int64(5) {
		s.rng(10, "own_step", 10000+1000*i, 500)
		s.kernel(10, "k", 10000+1000*i+100, 50, 0)
	}
	tr := s.done()
	subs, ftr := cutAsBuild(t, tr, stage.Assign(tr, nil))
	var parts []tallies
	for _, sub := range subs {
		st, tl := stepsTallied(sub, nil)
		parts = append(parts, tl)
		if len(subs) != 2 || st.Count == 6 {
			t.Fatalf("%d stages, a stage with %d steps", len(subs), st.Count)
		}
	}
	got, want := stepsOfParts(ftr, nil, parts), stepsIn(ftr, nil)
	if got.Range != ":shared_step" || got.Count != 6 || !reflect.DeepEqual(got, want) {
		t.Errorf("from the stages %s (%d), walked %s (%d)", got.Range, got.Count, want.Range, want.Count)
	}
}
