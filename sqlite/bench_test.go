package sqlite

import (
	"os"
	"testing"

	"github.com/omnistat/omnistat/internal/testutil"
	"github.com/omnistat/omnistat/trace"
)

// BenchmarkRead reads the largest testdata trace (about 24K API rows, 12K kernels).
func BenchmarkRead(b *testing.B) {
	benchRead(b, "../testdata/traces/tts_pageable.sqlite", 0)
}

// BenchmarkReadLarge reads $OMNISTAT_BENCH_TRACE, a large export such as
//
//	go run ./testdata/gen/scale -x 100 testdata/traces/tts_pageable.sqlite /tmp/tts_x100.sqlite
//	OMNISTAT_BENCH_TRACE=/tmp/tts_x100.sqlite go test -bench ReadLarge -benchtime 3x ./sqlite
func BenchmarkReadLarge(b *testing.B) {
	p := testutil.BenchTrace(b)
	b.Run("all", func(b *testing.B) { benchRead(b, p, 0) })
	b.Run("runtime", func(b *testing.B) { benchRead(b, p, trace.RuntimeTable) })
	b.Run("kernels", func(b *testing.B) { benchRead(b, p, trace.KernelTable) })
}

func benchRead(b *testing.B, path string, only trace.Tables) {
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	b.ReportAllocs()
	var rows int
	for b.Loop() {
		tr, err := Read(ctx, path, Options{Only: only})
		if err != nil {
			b.Fatal(err)
		}
		rows = tr.Runtime.Len() + tr.Kernels.Len() + tr.NVTX.Len() + tr.Memcpy.Len() + tr.OSRT.Len()
	}
	b.ReportMetric(float64(rows), "rows")
}
