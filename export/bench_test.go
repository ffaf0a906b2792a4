package export_test

import (
	"context"
	"io"
	"testing"

	"github.com/omnistat/omnistat/export"
	"github.com/omnistat/omnistat/internal/testutil"
	"github.com/omnistat/omnistat/sqlite"
	"github.com/omnistat/omnistat/stage"
)

func BenchmarkWriteLarge(b *testing.B) {
	p := testutil.BenchTrace(b)
	for range b.N {
		b.StopTimer()
		tr, err := sqlite.Read(context.Background(), p, sqlite.Options{})
		if err != nil {
			b.Fatal(err)
		}
		a := stage.Assign(tr, nil)
		b.StartTimer()
		if err := export.Write(tr, a, p, func(string) io.Writer { return io.Discard }); err != nil {
			b.Fatal(err)
		}
	}
}
