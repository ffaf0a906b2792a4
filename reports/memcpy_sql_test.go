package reports

import (
	"database/sql"
	"fmt"
	"testing"

	"github.com/omnistat/omnistat/trace"
	_ "modernc.org/sqlite"
)

// The copy rules' row selections with NULLs, against SQLite evaluating nsys's conditions on every
// combination of values and NULLs: cuda_memcpy_sync keeps NOT (bytes <= 64000 AND copyKind = 1)
// AND NOT (srcDeviceId IS NOT NULL AND srcDeviceId = dstDeviceId); cuda_memcpy_async keeps
// srcKind = 0 OR dstKind = 0 (a pageable side). A row is kept when the condition is true, not
// when it is false or NULL.
func TestCopyRuleSelectionAsSQL(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	null := trace.Null
	arg := func(v int64) any {
		if v == null {
			return nil
		}
		return v
	}
	sqlKeeps := func(q string, args ...any) bool {
		var r sql.NullInt64
		if err := db.QueryRow(q, args...).Scan(&r); err != nil {
			t.Fatal(err)
		}
		return r.Valid && r.Int64 == 1
	}
	var m trace.Memcpy
	type row struct{ b, ck, s, d int64 }
	var rows []row
	for _, b := range []int64{null, 0, 64000, 64001} {
		for _, ck := range []int64{null, 1, 2} {
			for _, s := range []int64{null, 0, 1} {
				for _, d := range []int64{null, 0, 1} {
					rows = append(rows, row{b, ck, s, d})
					m.Bytes, m.CopyKind = append(m.Bytes, b), append(m.CopyKind, ck)
					m.SrcDevice, m.DstDevice = append(m.SrcDevice, s), append(m.DstDevice, d)
					m.SrcKind, m.DstKind = append(m.SrcKind, s), append(m.DstKind, d) // kinds 0 (pageable), 1, NULL
				}
			}
		}
	}
	tr := &trace.Trace{Memcpy: m}
	sync, async := MemcpySyncRule(tr), MemcpyAsyncRule(tr)
	for j, r := range rows {
		want := sqlKeeps(`SELECT (NOT (?1 <= 64000 AND ?2 = 1)) AND (NOT (?3 IS NOT NULL AND ?3 = ?4))`, arg(r.b), arg(r.ck), arg(r.s), arg(r.d))
		if got := sync.Keep(j); got != want {
			t.Errorf("cuda_memcpy_sync bytes %v copyKind %v src %v dst %v: keep %v, SQLite %v", arg(r.b), arg(r.ck), arg(r.s), arg(r.d), got, want)
		}
		want = sqlKeeps(`SELECT ?1 = 0 OR ?2 = 0`, arg(r.s), arg(r.d))
		if got := async.Keep(j); got != want {
			t.Errorf("cuda_memcpy_async srcKind %v dstKind %v: keep %v, SQLite %v", arg(r.s), arg(r.d), got, want)
		}
	}
}

// cuda_memset_sync keeps memsets of pinned (1) and managed (4) memory made by a call named
// cudaMemset… without "async" (any case), joined on the correlation id, longest first; other and
// NULL kinds, and async calls, are dropped.
func TestMemsetSyncSelection(t *testing.T) {
	null := trace.Null
	rows := []struct {
		kind, name int64
		keep       bool
	}{{0, 0, false}, {1, 0, true}, {2, 2, false}, {3, 0, false}, {4, 2, true}, {null, 0, false}, {1, 1, false}, {4, 1, false}}
	tr := &trace.Trace{Strings: trace.NewStrings([]int64{0, 1, 2}, []string{"cudaMemset_v3020", "cudaMemsetAsync", "CUDAMEMSET2D"})}
	var want []int64
	for j, c := range rows {
		r := &tr.Runtime
		r.Start, r.End, r.GlobalTID, r.CorrID, r.NameID = append(r.Start, int64(100*j)), append(r.End, int64(100*j+5)), r.GlobalTID.Append(0x1_000064_000064), append(r.CorrID, int32(j+1)), append(r.NameID, int32(c.name))
		m := &tr.Memset
		m.Start, m.End, m.GlobalPID, m.CorrID, m.Device = append(m.Start, int64(100*j+10)), append(m.End, int64(100*j+20+j)), m.GlobalPID.Append(0x1_000064_000000), append(m.CorrID, int32(j+1)), m.Device.Append(0)
		m.Bytes, m.MemKind, m.GraphNodeID = append(m.Bytes, 8), append(m.MemKind, c.kind), append(m.GraphNodeID, null)
		if c.keep {
			want = append([]int64{int64(100*j + 10)}, want...) // later rows last longer: longest first
		}
	}
	_, o, err := LookupRule("cuda_memset_sync")
	if err != nil {
		t.Fatal(err)
	}
	var starts []int64
	for _, r := range CUDAMemsetSync(tr, o).Rows {
		starts = append(starts, r[1].I)
		j := (r[1].I - 10) / 100 // the row's memset: it ran from 100j+10 to 100j+20+j
		if r[0].I != 10+j {
			t.Errorf("memset %d: duration %d, want %d", j, r[0].I, 10+j)
		}
	}
	if fmt.Sprint(starts) != fmt.Sprint(want) {
		t.Fatalf("rows at %v, want %v", starts, want)
	}
}
