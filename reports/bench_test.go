package reports

import (
	"context"
	"testing"

	"github.com/omnistat/omnistat/internal/testutil"
	"github.com/omnistat/omnistat/sqlite"
)

// BenchmarkLarge times the three heaviest per-stage reports of summarize on a large export,
// $OMNISTAT_BENCH_TRACE (see docs/performance.md), read once:
//
//	OMNISTAT_BENCH_TRACE=/tmp/gotts_x460.sqlite go test -run '^$' -bench Large -cpu 1 ./reports
func BenchmarkLarge(b *testing.B) {
	p := testutil.BenchTrace(b)
	tr, err := sqlite.Read(context.Background(), p, sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	tr.Launches()
	b.Run("proj", func(b *testing.B) {
		for b.Loop() {
			NVTXGPUProjSum(tr)
		}
	})
	b.Run("api", func(b *testing.B) {
		for b.Loop() {
			CUDAAPISum(tr)
		}
	})
	b.Run("kern", func(b *testing.B) {
		for b.Loop() {
			CUDAGPUKernSum(tr, Options{})
		}
	})
}
