package sqlite

import (
	"reflect"
	"testing"
)

// TestScanEmptyBlob: an empty blob (serial type 12, no bytes) in a column the scanner walks
// past takes no bytes of the record, and the columns after it read as SQLite reads them.
func TestScanEmptyBlob(t *testing.T) {
	p := makeExport(t, `CREATE TABLE NVTX_EVENTS (start INTEGER NOT NULL, extra BLOB, end INTEGER, note BLOB)`,
		`INSERT INTO NVTX_EVENTS VALUES (1, X'', 2, X''), (3, X'00', 4, NULL), (5, X'', 6, X'0102')`)
	db, err := openDB(p)
	if err != nil {
		t.Fatal(err)
	}
	var types []any
	for _, r := range queryRows(t, db, `SELECT typeof(extra) || length(extra) FROM NVTX_EVENTS`) {
		types = append(types, r[0])
	}
	db.Close()
	if !reflect.DeepEqual(types, []any{"blob0", "blob1", "blob0"}) {
		t.Fatalf("SQLite stores %v, want empty blobs", types)
	}
	for _, opt := range []Options{{}, {SQLOnly: true}} {
		before := deferred.Load()
		tr, err := Read(ctx, p, opt)
		if err != nil {
			t.Fatalf("SQLOnly %v: %v", opt.SQLOnly, err)
		}
		if !reflect.DeepEqual(tr.NVTX.Start, []int64{1, 3, 5}) || !reflect.DeepEqual(tr.NVTX.End, []int64{2, 4, 6}) {
			t.Errorf("SQLOnly %v: starts %v ends %v, want [1 3 5] [2 4 6]", opt.SQLOnly, tr.NVTX.Start, tr.NVTX.End)
		}
		if deferred.Load() != before {
			t.Error("the scanner left the table to SQL")
		}
	}
}
