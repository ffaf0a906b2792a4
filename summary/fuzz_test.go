package summary

import (
	"context"
	"github.com/omnistat/omnistat/reports"
	"os"
	"path/filepath"
	"testing"

	"github.com/omnistat/omnistat/sqlite"
	"github.com/omnistat/omnistat/stage"
)

// FuzzAnalyses runs every report, the per-stage summary and the findings on what the reader
// makes of a mutated real export (a byte flipped, read with --partial's leniency): damaged
// values (timestamps, correlation ids, name ids) must never make an analysis panic, and every
// summed report cut by stage, process, thread or device (one of them per input) still adds up to
// the whole report.
func FuzzAnalyses(f *testing.F) {
	base, err := os.ReadFile("../testdata/traces/go_tts_pageable.sqlite")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(uint32(100), byte(0xff))
	f.Add(uint32(4096*40+300), byte(0x80))
	f.Add(uint32(4096*200+1000), byte(0x7f))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, off uint32, x byte) {
		b := append([]byte(nil), base...)
		b[int(off)%len(b)] ^= x
		p := filepath.Join(dir, "fuzz.sqlite")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		tr, err := sqlite.Read(context.Background(), p, sqlite.Options{Partial: true})
		if err != nil {
			return
		}
		for _, name := range reports.Names() {
			r, o, err := reports.Lookup(name)
			if err != nil {
				t.Fatal(err)
			}
			if r.Skip(tr) == "" {
				r.Run(tr, o)
			}
		}
		a := stage.Assign(tr, nil)
		checkGroupedTotals(t, tr, a, groupDims[int(off)%len(groupDims)]) // one cut an execution: CI's budget
		if _, err := Build(tr, a, Options{Top: 10, Findings: DefaultFindingOptions}); err != nil {
			t.Logf("summarize: %v", err)
		}
	})
}
