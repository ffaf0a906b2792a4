// Package testtrace reads the real test traces of testdata/traces for tests of the analysis
// packages. It is for tests only; the reader's own tests (package sqlite) cannot use it.
package testtrace

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/omnistat/omnistat/internal/testutil"
	"github.com/omnistat/omnistat/sqlite"
	"github.com/omnistat/omnistat/trace"
)

// Read reads testdata/traces/NAME.sqlite, one of the real test traces, or fails the test.
func Read(t testing.TB, name string) *trace.Trace {
	t.Helper()
	tr, err := sqlite.Read(context.Background(), filepath.Join(testutil.ModuleRoot(t), "testdata", "traces", name+".sqlite"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}
