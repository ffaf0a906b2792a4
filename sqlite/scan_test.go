package sqlite

import (
	"database/sql"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/omnistat/omnistat/internal/testutil"
)

// TestScannerEqualsSQL: the file-format scanner and SQL read the same model from every testdata
// trace and every shared sample, and the scanner reads every hot table of them itself.
func TestScannerEqualsSQL(t *testing.T) {
	files := traces(t)
	if testutil.SamplesSet() {
		s, _ := filepath.Glob(filepath.Join(testutil.Samples(t), "*.sqlite"))
		files = append(files, s...)
	}
	for _, f := range files {
		before, recount := deferred.Load(), recounted.Load()
		fast, err := Read(ctx, f, Options{Mangled: true})
		if err != nil {
			t.Fatal(err)
		}
		if n := deferred.Load() - before; n > 0 {
			t.Errorf("%s: the scanner handed %d tables to SQL", filepath.Base(f), n)
		}
		if n := recounted.Load() - recount; n > 0 { // nsys only appends rows: rowids are dense
			t.Errorf("%s: %d tables' cell counts were not the ones their keys give", filepath.Base(f), n)
		}
		slow, err := Read(ctx, f, Options{SQLOnly: true, Mangled: true})
		if err != nil {
			t.Fatal(err)
		}
		for name, pair := range map[string][2]any{
			"runtime": {fast.Runtime, slow.Runtime}, "osrt": {fast.OSRT, slow.OSRT}, "kernels": {fast.Kernels, slow.Kernels},
			"memcpy": {fast.Memcpy, slow.Memcpy}, "memset": {fast.Memset, slow.Memset}, "nvtx": {fast.NVTX, slow.NVTX},
		} {
			if !reflect.DeepEqual(pair[0], pair[1]) {
				t.Errorf("%s: %s differs between the scanner and SQL", filepath.Base(f), name)
			}
		}
	}
}

// TestScannerRecountsGaps: with rows deleted (rowids no longer dense) the cell counts the
// interior keys give are wrong; the scanner finds that out, counts every leaf's cells and reads
// what SQL reads, the NVTX table (whose texts are handed on row by row) included.
func TestScannerRecountsGaps(t *testing.T) {
	f := filepath.Join(t.TempDir(), "gaps.sqlite")
	if err := copyFile(filepath.Join("..", "testdata", "traces", "tts_pageable.sqlite"), f); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", f)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DELETE FROM CUPTI_ACTIVITY_KIND_KERNEL WHERE rowid % 7 = 3`); err != nil {
		t.Fatal(err)
	}
	// and a gap in the NVTX table (grown to many leaves first), whose texts are handed on row
	// by row
	for range 4 {
		if _, err := db.Exec(`INSERT INTO NVTX_EVENTS SELECT * FROM NVTX_EVENTS`); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(`DELETE FROM NVTX_EVENTS WHERE rowid = (SELECT count(*) / 2 FROM NVTX_EVENTS)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	recount := recounted.Load()
	fast, err := Read(ctx, f, Options{Mangled: true})
	if err != nil {
		t.Fatal(err)
	}
	if recounted.Load() == recount {
		t.Error("the kernel table with gaps was not recounted")
	}
	slow, err := Read(ctx, f, Options{SQLOnly: true, Mangled: true})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fast.Kernels, slow.Kernels) || fast.Kernels.Len() != 11944-11944/7 {
		t.Errorf("kernels: scanner %d rows, SQL %d: they differ", fast.Kernels.Len(), slow.Kernels.Len())
	}
	if !reflect.DeepEqual(fast.NVTX, slow.NVTX) || fast.NVTX.Len() != 119*16-1 {
		t.Errorf("NVTX: scanner %d rows, SQL %d: they differ (want %d)", fast.NVTX.Len(), slow.NVTX.Len(), 119*16-1)
	}
}
