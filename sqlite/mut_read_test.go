package sqlite

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/trace"
)

// TestReadVersionZeroChecked: SQLite reads a file whose header gives read (and write) version
// 0 as it reads version 1 (it refuses only a version above 2), so the scanner must take it too
// and check its pages: an interior page of the kernel table whose children are all one page
// is the same ErrCorrupt with either version, not rows SQLite reads from the damaged tree.
func TestReadVersionZeroChecked(t *testing.T) {
	base, err := os.ReadFile(fuzzBase)
	if err != nil {
		t.Fatal(err)
	}
	var damaged []byte
	for _, s := range hostileSeeds(t) {
		if s.name == "interior-children-one-page" {
			damaged = overwrite(base, s.page, s.at, s.data)
		}
	}
	if damaged == nil {
		t.Fatal("no interior-children-one-page seed")
	}
	for _, v := range []byte{0, 1} {
		for _, c := range []struct {
			b       []byte
			corrupt bool
		}{{base, false}, {damaged, true}} {
			b := append([]byte(nil), c.b...)
			b[18], b[19] = v, v
			p := filepath.Join(t.TempDir(), "v.sqlite")
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
			if _, ok := sqliteView(t, p); !ok {
				t.Fatalf("version %d: SQLite does not read the header", v)
			}
			pg, err := openPager(p)
			if err != nil {
				t.Fatalf("version %d: the scanner refuses a header SQLite reads: %v", v, err)
			}
			pg.close()
			for _, opt := range []Options{{Mangled: true}, {SQLOnly: true, Mangled: true}} {
				tr, err := Read(ctx, p, opt)
				switch {
				case !c.corrupt:
					if err != nil || len(tr.Kernels.Start) == 0 {
						t.Fatalf("version %d, SQLOnly %v: %v, %d kernels", v, opt.SQLOnly, err, len(tr.Kernels.Start))
					}
				case err == nil || !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "reached twice"):
					t.Fatalf("version %d, SQLOnly %v: damaged tree read with error %v, want ErrCorrupt (reached twice)", v, opt.SQLOnly, err)
				}
			}
		}
	}
}

// TestReadSQLSizesOnce: SQL reads a table into slices sized from its count(*) first, so each
// column is allocated once at its final length (nothing left over from growing by append).
func TestReadSQLSizesOnce(t *testing.T) {
	p := "../testdata/traces/foreign_repeat.2.sqlite"
	db, err := openDB(p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tr, err := Read(ctx, p, Options{SQLOnly: true, Trace: true, Mangled: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		table string
		cols  [][]int64
	}{
		{"CUPTI_ACTIVITY_KIND_RUNTIME", [][]int64{tr.Runtime.Start, tr.Runtime.End, wideIDs(tr.Runtime.NameID)}},
		{"CUPTI_ACTIVITY_KIND_KERNEL", [][]int64{tr.Kernels.Start, wideIDs(tr.Kernels.Demangled), tr.Kernels.GridX}},
		{"CUPTI_ACTIVITY_KIND_MEMCPY", [][]int64{tr.Memcpy.Start, tr.Memcpy.Bytes}},
		{"NVTX_EVENTS", [][]int64{tr.NVTX.Start, tr.NVTX.End, tr.NVTX.Payload}},
	} {
		var n int
		if err := db.QueryRow("SELECT count(*) FROM " + c.table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n < 3 {
			t.Fatalf("%s: %d rows, too few to tell", c.table, n)
		}
		for i, col := range c.cols {
			if len(col) != n || cap(col) != n {
				t.Errorf("%s column %d: len %d cap %d, want both %d", c.table, i, len(col), cap(col), n)
			}
		}
	}
	if text := tr.NVTX.Text; cap(text) != len(text) || len(text) != len(tr.NVTX.Start) {
		t.Errorf("NVTX text: len %d cap %d, want both %d", len(text), cap(text), len(tr.NVTX.Start))
	}
}

// wideIDs is a 32-bit string-id column as the export holds it: 64-bit, NULL as trace.Null.
func wideIDs(ids []int32) []int64 {
	if ids == nil {
		return nil
	}
	out := make([]int64, len(ids))
	for i, id := range ids {
		out[i] = int64(id)
		if id == trace.Null32 {
			out[i] = trace.Null
		}
	}
	return out
}
