package summary

import (
	"context"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/internal/testutil"
	"github.com/omnistat/omnistat/sqlite"
	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/trace"
)

// TestTraceFiguresFromStages: the trace's counts summed from its stages' figures (judge.parts)
// equal the counts of a walk of the trace's own rows, on every test trace cut by stage, by
// process and by thread: the CUDA API totals, the copies the copy rules select, the launches
// and the kernel durations of the steady window, from the trace's steady start and from one
// in the middle of the trace (where each stage's kept figures, made from its own start, must
// be counted again); and so the trace's findings are the same either way. The shared exports
// (CI sets both variables) add synchronous copies and asynchronous ones through the driver API
// (synchronous ones through the driver API: TestCopyCountsFromStagesSynth).
func TestTraceFiguresFromStages(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(testutil.ModuleRoot(t), "testdata", "traces", "*.sqlite"))
	if len(files) < 10 {
		t.Fatalf("%d test traces", len(files))
	}
	files = append(files, testutil.ExportsIn(t)...)
	var copies copyCounts // every kind of copy the sums add up must occur somewhere
	summed, cuts, launched := 0, 0, 0
	o := DefaultFindingOptions
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".sqlite")
		for _, by := range []stage.By{stage.ByStage, stage.ByProcess, stage.ByThread} {
			tr, err := sqlite.Read(context.Background(), f, sqlite.Options{})
			if err != nil {
				t.Fatal(err)
			}
			a, err := stage.Assign(tr, nil).Regroup(by, tr)
			if err != nil {
				t.Fatal(err)
			}
			subs, ftr := cutAsBuild(t, tr, a)
			cuts++
			calls := 0
			for _, s := range subs {
				calls += s.Runtime.Len()
			}
			if calls != ftr.Runtime.Len() {
				continue
			}
			summed++
			// the stages' own findings keep their figures, as Build's jobs do
			parts := make([]*figures, len(subs))
			for i, s := range subs {
				s.Launches()
				parts[i] = &figures{tr: s}
				findingsOf(s, "stage", o, trace.GPUSpans(s), StepsOf(s), parts[i], nil)
			}
			ftr.Launches()
			spans, steps := trace.GPUSpans(ftr), StepsOf(ftr)
			mid := int64(0)
			if n := ftr.Runtime.Len(); n > 0 {
				mid = ftr.Runtime.Start[n/2]
			}
			for _, from := range []int64{steps.SteadyStart(), mid} {
				walk, sum := newJudge(ftr, "trace", o, spans, steps), newJudge(ftr, "trace", o, spans, steps)
				walk.from, sum.from, sum.parts = from, from, parts
				where := name + " by " + string(by)
				wantAPI, wantAll := walk.apiTotals()
				gotAPI, gotAll := sum.apiTotals()
				if gotAll != wantAll || !reflect.DeepEqual(gotAPI, wantAPI) {
					t.Errorf("%s: API totals %d by id %v, walked %d %v", where, gotAll, gotAPI, wantAll, wantAPI)
				}
				got, want := sum.copyCounts(), walk.copyCounts()
				if got != want {
					t.Errorf("%s: copies %+v, walked %+v", where, got, want)
				}
				copies.asyncN, copies.syncN = max(copies.asyncN, want.asyncN), max(copies.syncN, want.syncN)
				copies.asyncDrv, copies.syncDrv = max(copies.asyncDrv, want.asyncDrv), max(copies.syncDrv, want.syncDrv)
				gotN, gotT := sum.launchCounts()
				wantN, wantT := walk.launchCounts()
				if gotN != wantN || gotT != wantT {
					t.Errorf("%s from %d: %d launches (%d ns), walked %d (%d ns)", where, from, gotN, gotT, wantN, wantT)
				}
				launched += wantN
				gotKD, gotSum := sum.kernelFigures()
				wantKD, wantSum := walk.kernelFigures()
				gotKD, wantKD = slices.Sorted(slices.Values(gotKD)), slices.Sorted(slices.Values(wantKD))
				if gotSum != wantSum || !slices.Equal(gotKD, wantKD) {
					t.Errorf("%s from %d: %d kernel durations (%d ns), walked %d (%d ns)", where, from, len(gotKD), gotSum, len(wantKD), wantSum)
				}
			}
			got, want := findingsOf(ftr, "trace", o, spans, steps, nil, parts), findingsOf(ftr, "trace", o, spans, steps, nil, nil)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s by %s: findings from the stages %+v\nwalked %+v", name, by, got, want)
			}
		}
	}
	if testutil.SamplesSet() && (copies.asyncN == 0 || copies.syncN == 0 || copies.asyncDrv == 0) {
		t.Errorf("some kind of copy occurs in no export: %+v", copies)
	}
	if 2*summed < cuts || launched == 0 {
		t.Errorf("the stages held every call in %d of %d cuts, %d launches counted: the path is barely tested", summed, cuts, launched)
	}
}

// Copies of every kind the copy counts tell apart (asynchronous into pageable memory and
// synchronous, each through the runtime and the driver API), made by two processes: the counts
// summed from the two stages equal those of a walk of the trace's copies.
func TestCopyCountsFromStagesSynth(t *testing.T) {
	s := newSynth()
	for p := int64(1); p <= 2; p++ {
		s.proc(p, "proc"+string(rune('0'+p)))
		for i := range p + 1 {
			at := p*1_000_000 + i*10_000
			s.memcpy(p, "cudaMemcpyAsync_v3020", at, 100*p, 50, 0, 2, 2, 0, 4096)
			s.memcpy(p, "cudaMemcpy_v3020", at+1000, 200*p, 60, 0, 2, 2, 1, 1<<20)
			s.memcpy(p, "cuMemcpyDtoHAsync_v2", at+2000, 300*p, 70, 0, 2, 2, 0, 4096)
			s.memcpy(p, "cuMemcpyDtoH_v2", at+3000, 400*p, 80, 0, 2, 2, 1, 1<<20)
		}
	}
	tr := s.done()
	a, err := stage.Assign(tr, nil).Regroup(stage.ByProcess, tr)
	if err != nil {
		t.Fatal(err)
	}
	subs, ftr := cutAsBuild(t, tr, a)
	if len(subs) != 2 {
		t.Fatalf("%d stages, want one a process", len(subs))
	}
	var parts []*figures
	for _, sub := range subs {
		parts = append(parts, &figures{tr: sub})
	}
	walk, sum := &judge{tr: ftr}, &judge{tr: ftr, parts: parts}
	got, want := sum.copyCounts(), walk.copyCounts()
	// process 1 makes 2 copies of each call, process 2 makes 3, its calls twice as long
	if got != want || want.asyncN != 10 || want.syncN != 10 || want.asyncDrv != 5 || want.syncDrv != 5 ||
		want.asyncT != 2*(100+300)+3*(200+600) || want.syncT != 2*(200+400)+3*(400+800) {
		t.Errorf("copies from the stages %+v, walked %+v; want 10 of each kind, 5 through the driver", got, want)
	}
}
