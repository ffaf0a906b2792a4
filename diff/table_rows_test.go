package diff

import (
	"testing"

	"github.com/omnistat/omnistat/internal/testtrace"
	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/trace"
)

// withVersioned is tr with every other call of api renamed api_v9999: nsys prints both names
// as api in cuda_api_sum (two rows with one printed name), as in real exports that hold
// cudaMemcpy and cudaMemcpy_v3020.
func withVersioned(t *testing.T, tr *trace.Trace, api string) int {
	t.Helper()
	if tr.Strings.Bound() == 0 {
		t.Fatal("the test needs a dense string table")
	}
	var ids []int64
	var vals []string
	orig := int64(-1)
	for id := int64(0); id < int64(tr.Strings.Bound()); id++ {
		if v, ok := tr.Strings.Lookup(id); ok {
			ids, vals = append(ids, id), append(vals, v)
			if v == api || v == api+"_v7000" || v == api+"_v3020" {
				orig = id
			}
		}
	}
	if orig < 0 {
		t.Fatalf("no %s in %s", api, tr.Path)
	}
	versioned := int32(tr.Strings.Bound())
	tr.Strings = trace.NewStrings(append(ids, int64(versioned)), append(vals, api+"_v9999"))
	n := 0
	for i, id := range tr.Runtime.NameID {
		if int64(id) == orig {
			if n%2 == 1 {
				tr.Runtime.NameID[i] = versioned
			}
			n++
		}
	}
	return n
}

// The API table adds up the rows that print one name (cudaMemcpyAsync and
// cudaMemcpyAsync_v3020): the same calls under two names compare as the same, and the table's
// new value is the value an api: gate on that name reads.
func TestAPIRowsPrintedAlike(t *testing.T) {
	b, n := testtrace.Read(t, "go_tts_pageable"), testtrace.Read(t, "go_tts_pageable")
	if calls := withVersioned(t, n, "cudaMemcpyAsync"); calls < 4 {
		t.Fatalf("%d calls of cudaMemcpyAsync", calls)
	}
	ab, an := stage.Assign(b, nil), stage.Assign(n, nil)
	res, err := Compare(b, n, ab, an, Options{Per: "none", Top: 100})
	if err != nil {
		t.Fatal(err)
	}
	g, err := ParseGate("stage:talker:api:cudaMemcpyAsync>+1%")
	if err != nil {
		t.Fatal(err)
	}
	gr := g.Check(b, n, ab, an, "none")
	found := false
	for _, s := range res.Stages {
		if s.Stage != "talker" {
			continue
		}
		for _, tc := range s.Changes {
			if tc.Report != "cuda_api_sum" {
				continue
			}
			for _, c := range tc.Rows {
				if c.Name != "cudaMemcpyAsync" {
					continue
				}
				found = true
				if c.Status != "same" || c.BaseNs != c.NewNs || c.BaseCount != c.NewCount {
					t.Errorf("cudaMemcpyAsync under two names: %+v, want the same time and count", c)
				}
				if c.NewNs != gr.NewValue || gr.Tripped {
					t.Errorf("table %v ns, gate %v ns (%+v)", c.NewNs, gr.NewValue, gr)
				}
			}
		}
	}
	if !found {
		t.Error("no cudaMemcpyAsync row in the talker's API table")
	}
}
