package diff

import (
	"fmt"
	"testing"

	"github.com/omnistat/omnistat/internal/testtrace"
	"github.com/omnistat/omnistat/stage"
)

// Gates at exactly their limit do not trip (> and < are strict), one unit inside they do: bounds
// on the new value, deltas between the runs (both directions), and a missing side.
func TestGateAtItsLimit(t *testing.T) {
	p, g := testtrace.Read(t, "go_tts_pageable"), testtrace.Read(t, "go_tts_graphs")
	ap, ag := stage.Assign(p, nil), stage.Assign(g, nil)
	check := func(expr string, up bool) GateResult {
		t.Helper()
		gate, err := ParseGate(expr)
		if err != nil {
			t.Fatal(err)
		}
		b, n, ab, an := g, p, ag, ap // graphs → pageable: more API calls
		if !up {
			b, n, ab, an = p, g, ap, ag
		}
		return gate.Check(b, n, ab, an, "none")
	}
	probe := check("api_calls>+0", true)
	b, n := int64(probe.BaseValue), int64(probe.NewValue)
	if float64(b) != probe.BaseValue || float64(n) != probe.NewValue || n <= b+1 {
		t.Fatalf("api calls %v → %v: the case needs integer counts that rise", probe.BaseValue, probe.NewValue)
	}
	for _, c := range []struct {
		gate string
		up   bool // graphs → pageable (a rise) or pageable → graphs (a drop)
		trip bool
	}{
		{fmt.Sprintf("api_calls>%d", n), true, false},
		{fmt.Sprintf("api_calls>%d", n-1), true, true},
		{fmt.Sprintf("api_calls<%d", n), true, false},
		{fmt.Sprintf("api_calls<%d", n+1), true, true},
		{fmt.Sprintf("api_calls>+%d", n-b), true, false},
		{fmt.Sprintf("api_calls>+%d", n-b-1), true, true},
		{fmt.Sprintf("api_calls<-%d", n-b), false, false},
		{fmt.Sprintf("api_calls<-%d", n-b-1), false, true},
		{fmt.Sprintf("api_calls>+%d", n-b-1), false, false}, // a drop never trips a rise gate
		{fmt.Sprintf("api_calls<-%d", 0), true, false},      // nor a rise a drop gate
	} {
		r := check(c.gate, c.up)
		if r.Tripped != c.trip || r.Missing != "" || r.Failed != "" {
			t.Errorf("%s (%v → %v): tripped %v, want %v (%+v)", c.gate, r.BaseValue, r.NewValue, r.Tripped, c.trip, r)
		}
	}
	// a relative gate at exactly its change: +X% with X = (n−b)·100/b when that is exact
	if rel := float64(n-b) * 100 / float64(b); rel == float64(int64(rel)) {
		if r := check(fmt.Sprintf("api_calls>+%d%%", int64(rel)), true); r.Tripped {
			t.Errorf("relative at its limit tripped: %+v", r)
		}
	}
	if r := check("api_calls>+0%", true); !r.Tripped || r.Change == "" {
		t.Errorf("relative rise: %+v", r)
	}
	if r := check("api_calls<-0%", false); !r.Tripped {
		t.Errorf("relative drop: %+v", r)
	}
	// a stage in neither run: the gate cannot be evaluated, it fails (never passes)
	if r := check("stage:nope:kernels<-1", true); r.Tripped || r.Failed != "stage nope is in neither trace" {
		t.Errorf("neither: %+v", r)
	}
}
