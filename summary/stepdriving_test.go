package summary

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/omnistat/omnistat/sqlite"
	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/trace"
)

// The walk of the calls (rangesWalked) says of every range what the search of each thread's
// sorted launching calls (rangesSearched) says, on every testdata trace and each of its stages;
// with one thread's calls out of start order the walk declines and the search still answers.
func TestRangesDrivingWalkedAgainstSearched(t *testing.T) {
	paths, _ := filepath.Glob("../testdata/traces/*.sqlite")
	if len(paths) < 10 {
		t.Fatalf("%d testdata traces", len(paths))
	}
	compare := func(name string, tr *trace.Trace) (ranges, drive int) {
		maxTS, _ := tr.NVTX.MaxTimestamp()
		walked, ok := rangesWalked(tr, maxTS)
		if !ok {
			t.Errorf("%s: calls out of start order", name)
			return
		}
		searched := rangesSearched(tr, maxTS)
		for i := range tr.NVTX.Start {
			if !trace.IsRange(tr.NVTX.EventType[i]) {
				continue
			}
			ranges++
			if walked[i] {
				drive++
			}
			if walked[i] != searched(i) {
				t.Errorf("%s: range row %d: walked %v, searched %v", name, i, walked[i], searched(i))
			}
		}
		return ranges, drive
	}
	var ranges, drive int
	rng := rand.New(rand.NewPCG(3, 33))
	for k, p := range paths {
		tr, err := sqlite.Read(context.Background(), p, sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if k%2 == 1 { // ranges moved, shrunk, reversed, left open: some hold no launching call
			n := &tr.NVTX
			for i := range n.Start {
				switch rng.IntN(6) {
				case 0:
					n.End[i] = n.Start[i]
				case 1:
					n.Start[i] += rng.Int64N(200_000)
				case 2:
					n.End[i] = n.Start[i] - 1
				case 3:
					n.End[i] = trace.Null
				}
			}
		}
		r, d := compare(filepath.Base(p), tr)
		ranges, drive = ranges+r, drive+d
		a := stage.Assign(tr, nil)
		g, err := stage.GroupContiguous(tr, a)
		if err != nil {
			t.Fatal(err)
		}
		for i, label := range g.Labels {
			compare(filepath.Base(p)+" "+label, tr.Subset(g.Keep[i]))
		}
	}
	if drive == 0 || drive == ranges {
		t.Errorf("%d of %d ranges drive GPU work: the traces do not tell the two answers apart", drive, ranges)
	}
	// a thread's launching calls out of start order: the walk declines
	tr, err := sqlite.Read(context.Background(), "../testdata/traces/tts_pageable.sqlite", sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	launched := LaunchedGPUWork(tr)
	first := slices.Index(launched, true)
	second := first + 1 + slices.Index(launched[first+1:], true)
	if tr.Runtime.GlobalTID.At(first) != tr.Runtime.GlobalTID.At(second) {
		t.Fatal("the first two launching calls are of two threads")
	}
	tr.Runtime.Start[first], tr.Runtime.Start[second] = tr.Runtime.Start[second]+1, tr.Runtime.Start[first]
	maxTS, _ := tr.NVTX.MaxTimestamp()
	if _, ok := rangesWalked(tr, maxTS); ok {
		t.Error("calls out of order walked")
	}
	fam, n := StepFamily(tr)
	if fam == "" || n < 2 {
		t.Errorf("step family %q (%d) from the searched calls", fam, n)
	}
}

// A range drives GPU work when a launching call of its thread starts within it, ends included:
// a call at a range's start or at its end counts, one just after it does not, and a range
// never ended ends at the last NVTX timestamp. Both answers, against the rows built here.
func TestRangesDrivingBounds(t *testing.T) {
	s := newSynth()
	s.proc(1, "p")
	s.proc(2, "q")
	s.kernel(1, "k", 205, 10, 0)  // launched at 200: the end of a
	s.kernel(1, "k", 305, 10, 0)  // at 300: the start of b
	s.kernel(1, "k", 906, 10, 0)  // at 901: just after d
	s.kernel(1, "k", 1305, 10, 0) // at 1300: the last NVTX timestamp (q's range), in open c
	s.rng(1, "a", 100, 100)       // [100, 200]
	s.rng(1, "b", 300, 100)       // [300, 400]
	s.rng(1, "d", 800, 100)       // [800, 900]
	s.rng(1, "e", 1000, 100)      // no call
	s.rng(1, "c", 1200, 1)        // never ended (below)
	s.rng(2, "z", 1250, 50)       // [1250, 1300]: another thread's
	tr := s.done()
	tr.NVTX.End[4] = trace.Null
	want := []bool{true, true, false, false, true, false}
	maxTS, _ := tr.NVTX.MaxTimestamp()
	walked, ok := rangesWalked(tr, maxTS)
	searched := rangesSearched(tr, maxTS)
	for i, w := range want {
		if !ok || walked[i] != w || searched(i) != w {
			t.Errorf("range %d: walked %v (ok %v), searched %v; want %v", i, walked[i], ok, searched(i), w)
		}
	}
}
