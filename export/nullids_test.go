package export_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/parquet-go/parquet-go"
	_ "modernc.org/sqlite"

	"github.com/omnistat/omnistat/export"
	"github.com/omnistat/omnistat/internal/testutil"
	"github.com/omnistat/omnistat/sqlite"
	"github.com/omnistat/omnistat/stage"
)

// nullCorrTables are the tables whose correlationId the test sets to NULL, with the file their
// rows go to and the rows edited (tts_pinned has 6 memsets: every third).
var nullCorrTables = []struct{ table, file, where string }{
	{"CUPTI_ACTIVITY_KIND_KERNEL", "kernels.parquet", "rowid % 7 = 0"},
	{"CUPTI_ACTIVITY_KIND_MEMCPY", "memops.parquet", "rowid % 7 = 0"},
	{"CUPTI_ACTIVITY_KIND_MEMSET", "memops.parquet", "rowid % 3 = 0"},
	{"CUPTI_ACTIVITY_KIND_RUNTIME", "api.parquet", "rowid % 7 = 0"},
}

// nullCorrCopy copies testdata/traces/tts_pinned.sqlite into a temporary folder and sets some
// rows' correlationId to NULL (nullCorrTables); it returns the copy and, per Parquet file, the
// rows of the export as "start end id" lines (id "null" for NULL), sorted.
func nullCorrCopy(t *testing.T) (string, map[string][]string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testutil.ModuleRoot(t), "testdata", "traces", "tts_pinned.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "nullcorr.sqlite")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	want := map[string][]string{}
	for _, c := range nullCorrTables {
		res, err := db.Exec(`UPDATE ` + c.table + ` SET correlationId = NULL WHERE ` + c.where)
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			t.Fatalf("%s: no row edited", c.table)
		}
		rows, err := db.Query(`SELECT start, end, coalesce(CAST(correlationId AS TEXT), 'null') FROM ` + c.table)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s, e int64
			var id string
			if err := rows.Scan(&s, &e, &id); err != nil {
				t.Fatal(err)
			}
			want[c.file] = append(want[c.file], fmt.Sprintf("%d %d %s", s, e, id))
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range want {
		slices.Sort(v)
	}
	return p, want
}

// corrRow is the part of a kernels, api or memops row the test compares, read without the
// export's own row types.
type corrRow struct {
	Start  int64  `parquet:"start_ns"`
	End    int64  `parquet:"end_ns"`
	CorrID *int64 `parquet:"correlation_id,optional"`
}

// TestNullCorrelationIDs: a correlation id that is NULL in the export (kernels, copies, memsets,
// CUDA calls) is a null correlation_id, on exactly those rows, and no int64 column of any file
// holds trace.Null (-2⁶³) in place of a NULL.
func TestNullCorrelationIDs(t *testing.T) {
	p, want := nullCorrCopy(t)
	tr, err := sqlite.Read(context.Background(), p, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]*bytes.Buffer{}
	if err := export.Write(tr, stage.Assign(tr, nil), p, func(n string) io.Writer {
		files[n] = &bytes.Buffer{}
		return files[n]
	}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"kernels.parquet", "api.parquet", "memops.parquet"} {
		var got []string
		nulls := 0
		for _, r := range read[corrRow](t, files, f) {
			id := "null"
			if r.CorrID != nil {
				id = fmt.Sprint(*r.CorrID)
			} else {
				nulls++
			}
			got = append(got, fmt.Sprintf("%d %d %s", r.Start, r.End, id))
		}
		slices.Sort(got)
		if !slices.Equal(got, want[f]) {
			t.Errorf("%s: %d rows (%d null ids) differ from the export's %d rows", f, len(got), nulls, len(want[f]))
			for i := range min(len(got), len(want[f])) {
				if got[i] != want[f][i] {
					t.Errorf("first difference: %q, SQLite %q", got[i], want[f][i])
					break
				}
			}
		}
		if nulls == 0 {
			t.Errorf("%s: no null correlation_id", f)
		}
	}
	for f, row := range map[string]any{"kernels.parquet": export.Kernel{}, "api.parquet": export.API{}, "memops.parquet": export.MemOp{}} {
		if col, ok := parquet.SchemaOf(row).Lookup("correlation_id"); !ok || !col.Node.Optional() {
			t.Errorf("%s: correlation_id is not an optional column", f)
		}
	}
	// a NULL id names no launching call (SQL's NULL = NULL is not true): no API, thread or device
	for _, r := range read[export.Kernel](t, files, "kernels.parquet") {
		if r.CorrID == nil && (r.API != nil || r.TID != nil) {
			t.Fatalf("kernel at %d with a NULL id: launched by %s on thread %s", r.Start, deref(r.API), deref(r.TID))
		}
	}
	for _, r := range read[export.MemOp](t, files, "memops.parquet") {
		if r.CorrID == nil && (r.API != nil || r.TID != nil) {
			t.Fatalf("%s at %d with a NULL id: launched by %s on thread %s", r.Kind, r.Start, deref(r.API), deref(r.TID))
		}
	}
	for _, r := range read[export.API](t, files, "api.parquet") {
		if r.CorrID == nil && r.Device != nil {
			t.Fatalf("%s at %d with a NULL id: launched work on device %d", r.Name, r.Start, *r.Device)
		}
	}
	for _, f := range export.Files {
		noNullSentinel(t, f, files[f].Bytes())
	}
}

// noNullSentinel fails the test when a column of the Parquet file b holds -2⁶³ (trace.Null, the
// model's NULL, written as a number).
func noNullSentinel(t *testing.T, name string, b []byte) {
	t.Helper()
	f, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	cols := f.Schema().Columns()
	r := parquet.NewReader(bytes.NewReader(b))
	defer r.Close()
	found := map[string]int{}
	rows := make([]parquet.Row, 256)
	for {
		n, err := r.ReadRows(rows)
		for _, row := range rows[:n] {
			for _, v := range row {
				if !v.IsNull() && v.Kind() == parquet.Int64 && v.Int64() == math.MinInt64 {
					found[fmt.Sprint(cols[v.Column()])]++
				}
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	for c, n := range found {
		t.Errorf("%s: column %s holds -9223372036854775808 in %d rows", name, c, n)
	}
}

func deref[T any](p *T) string {
	if p == nil {
		return "null"
	}
	return fmt.Sprint(*p)
}
