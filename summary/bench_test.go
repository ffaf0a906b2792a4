package summary

import (
	"context"
	"os"
	"testing"

	"github.com/omnistat/omnistat/sqlite"
	"github.com/omnistat/omnistat/stage"
)

// BenchmarkSummarize reads $OMNISTAT_BENCH_TRACE (see docs/performance.md) and builds the
// whole per-stage summary, as `omnistat summarize` does.
func BenchmarkSummarize(b *testing.B) {
	p := os.Getenv("OMNISTAT_BENCH_TRACE")
	if p == "" {
		p = "../testdata/traces/go_tts_pageable.sqlite"
	}
	b.ReportAllocs()
	for b.Loop() {
		tr, err := sqlite.Read(context.Background(), p, sqlite.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Build(tr, stage.Assign(tr, nil), Options{Top: 10, Findings: DefaultFindingOptions}); err != nil {
			b.Fatal(err)
		}
	}
}
