package sqlite

import (
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// newDB makes a database of the page size with statements run on it and returns its bytes.
func newDB(t *testing.T, pageSize int, stmts ...string) []byte {
	t.Helper()
	p := filepath.Join(t.TempDir(), "new.sqlite")
	db, err := sql.Open("sqlite", p)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	mustExec(t, db, append([]string{fmt.Sprintf("PRAGMA page_size=%d", pageSize)}, stmts...)...)
	db.Close()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sqliteView opens b as a file immutable, as Read does, and returns SQLite's page count and
// whether it reads the schema.
func sqliteView(t *testing.T, p string) (pages int64, ok bool) {
	t.Helper()
	db, err := openDB(p)
	if err != nil {
		return 0, false
	}
	defer db.Close()
	var n int64
	if err := db.QueryRow("SELECT count(*) FROM sqlite_master").Scan(&n); err != nil {
		return 0, false
	}
	if err := db.QueryRow("PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	return pages, true
}

func writeTemp(t *testing.T, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "db.sqlite")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPagerReservedBytes: the scanner takes a header SQLite takes and leaves the one it refuses
// to SQLite: 512-byte pages with 32 reserved bytes (480 usable, SQLite's least) are read, with
// 33 they are not; the file must then be a one-page database with an empty schema whose
// content area starts at the usable end, as SQLite checks it.
func TestPagerReservedBytes(t *testing.T) {
	base := newDB(t, 512, "PRAGMA user_version=7")
	if len(base) != 512 {
		t.Fatalf("%d bytes, want one page", len(base))
	}
	for _, reserved := range []int{0, 32, 33} {
		b := append([]byte(nil), base...)
		b[20] = byte(reserved)
		binary.BigEndian.PutUint16(b[105:], uint16(512-reserved)) // page 1's cell content area
		p := writeTemp(t, b)
		_, sqliteOK := sqliteView(t, p)
		if want := reserved <= 32; sqliteOK != want {
			t.Fatalf("%d reserved bytes: SQLite reads it %v, want %v", reserved, sqliteOK, want)
		}
		pg, err := openPager(p)
		if (err == nil) != sqliteOK {
			t.Errorf("%d reserved bytes: openPager %v, SQLite reads it %v", reserved, err, sqliteOK)
		}
		if err == nil {
			if pg.pageSize != 512 || pg.usable != 512-reserved {
				t.Errorf("%d reserved bytes: page size %d, usable %d", reserved, pg.pageSize, pg.usable)
			}
			pg.close()
		}
	}
}

// TestPagerPageCount: the pager's page count is SQLite's: the header's when it is set and valid
// for the change counter, else the file's whole pages; a header count past the file's end
// gives the file's (SQLite calls it corrupt).
func TestPagerPageCount(t *testing.T) {
	const ps = 1024
	base := newDB(t, ps, "CREATE TABLE t(x)", `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20)
		INSERT INTO t SELECT randomblob(300) FROM n`)
	n := uint32(len(base) / ps)
	if n < 4 || len(base)%ps != 0 {
		t.Fatalf("%d bytes", len(base))
	}
	extra := make([]byte, 3*ps)
	cases := []struct {
		name   string
		edit   func(b []byte) []byte
		sqlite bool // SQLite reads it
		want   uint32
	}{
		{"as made", func(b []byte) []byte { return b }, true, n},
		{"pages appended", func(b []byte) []byte { return append(b, extra...) }, true, n},
		{"stale count, pages appended", func(b []byte) []byte {
			binary.BigEndian.PutUint32(b[92:], binary.BigEndian.Uint32(b[24:])+1)
			return append(b, extra...)
		}, true, n + 3},
		{"count 0, pages appended", func(b []byte) []byte {
			binary.BigEndian.PutUint32(b[28:], 0)
			return append(b, extra...)
		}, true, n + 3},
		{"count past the end", func(b []byte) []byte {
			binary.BigEndian.PutUint32(b[28:], n+5)
			return b
		}, false, n},
	}
	for _, c := range cases {
		p := writeTemp(t, c.edit(append([]byte(nil), base...)))
		got, ok := sqliteView(t, p)
		if ok != c.sqlite || (ok && got != int64(c.want)) {
			t.Fatalf("%s: SQLite reads %v, %d pages; the test expects %v, %d", c.name, ok, got, c.sqlite, c.want)
		}
		pg, err := openPager(p)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if pg.pages != c.want {
			t.Errorf("%s: %d pages, want %d", c.name, pg.pages, c.want)
		}
		pg.close()
	}
}

// sparseDB writes a database of the page size whose header declares pages pages, the file
// extended (sparse) to hold them all.
func sparseDB(t *testing.T, pageSize int, pages uint32) *pager {
	t.Helper()
	b := newDB(t, pageSize, "PRAGMA user_version=7")
	binary.BigEndian.PutUint32(b[28:], pages)
	p := writeTemp(t, b)
	if err := os.Truncate(p, int64(pages)*int64(pageSize)); err != nil {
		t.Fatal(err)
	}
	pg, err := openPager(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pg.close)
	if pg.pages != pages {
		t.Fatalf("%d pages, want %d", pg.pages, pages)
	}
	return pg
}

// TestPagerLockBytePage: the page holding the bytes at 1 GiB (SQLite's lock byte) is never a
// valid b-tree or overflow page; its neighbours are.
func TestPagerLockBytePage(t *testing.T) {
	const lockByte = 1 << 30
	for _, ps := range []int{512, 65536} {
		pg := sparseDB(t, ps, uint32(lockByte/ps+8))
		for n := uint32(lockByte/ps - 2); n < uint32(lockByte/ps+4); n++ {
			holds := int64(n-1)*int64(ps) <= lockByte && lockByte < int64(n)*int64(ps)
			if pg.valid(n) == holds {
				t.Errorf("page size %d: page %d valid %v (holds the lock byte: %v)", ps, n, pg.valid(n), holds)
			}
		}
	}
}

// TestPagerRunsBuffer: runs reads a few pages with a buffer for those pages only, wherever
// they lie in the leaf list.
func TestPagerRunsBuffer(t *testing.T) {
	const ps = 65536
	pg := sparseDB(t, ps, 200)
	leaves := make([]uint32, 200)
	for i := range leaves {
		leaves[i] = uint32(i + 1)
	}
	var got []int
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	err := pg.runs(leaves, 150, 152, func(i int, page []byte) error {
		if len(page) != ps {
			t.Errorf("page %d: %d bytes", i, len(page))
		}
		got = append(got, i)
		return nil
	})
	runtime.ReadMemStats(&b)
	if err != nil || len(got) != 2 || got[0] != 150 || got[1] != 151 {
		t.Fatalf("runs: %v, called for %v", err, got)
	}
	if alloc := b.TotalAlloc - a.TotalAlloc; alloc > 8*ps {
		t.Errorf("runs allocated %d bytes to read 2 pages of %d", alloc, ps)
	}
}

// readSyscalls is the process's count of read system calls (Linux), -1 where unknown.
func readSyscalls() int64 {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return -1
	}
	var n int64
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "syscr: "); ok {
			n, _ = strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return -1
}

// TestPagerRuns: runs hands each leaf its own page, in the list's order, reading consecutive
// page numbers (ascending, at most maxRun) with one read; descending or scattered pages are
// read one by one.
func TestPagerRuns(t *testing.T) {
	const ps = 1024
	b := newDB(t, ps, "PRAGMA user_version=7")
	binary.BigEndian.PutUint32(b[28:], 200)
	b = append(b, make([]byte, 199*ps)...)
	for n := 2; n <= 200; n++ {
		binary.BigEndian.PutUint32(b[(n-1)*ps:], uint32(n)) // each page starts with its number
	}
	pg, err := openPager(writeTemp(t, b))
	if err != nil {
		t.Fatal(err)
	}
	defer pg.close()
	var leaves []uint32
	for n := uint32(2); n <= 140; n++ { // 139 pages: reads of 64, 64 and 11
		leaves = append(leaves, n)
	}
	leaves = append(leaves, 150, 149, 148, 160, 170, 171) // 3 reads, then 1, then 1
	const reads = 8
	var got []uint32
	next := 0
	before := readSyscalls()
	err = pg.runs(leaves, 0, len(leaves), func(i int, page []byte) error {
		if i != next || len(page) != ps {
			t.Fatalf("called for leaf %d with %d bytes, want leaf %d", i, len(page), next)
		}
		next++
		got = append(got, binary.BigEndian.Uint32(page))
		return nil
	})
	after := readSyscalls()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, leaves) {
		t.Errorf("pages read %v, want %v", got, leaves)
	}
	// reading /proc/self/io itself takes a few read calls
	if before >= 0 && after-before > reads+8 {
		t.Errorf("%d read calls for %d leaves, want about %d", after-before, len(leaves), reads)
	}
}

// TestPagerRunsOutOfRange: a leaf past the file's pages fails its whole run before any page of
// it is read.
func TestPagerRunsOutOfRange(t *testing.T) {
	pg := sparseDB(t, 1024, 10)
	for _, c := range []struct {
		leaves []uint32
		calls  int // pages handed on before the failing run
	}{{[]uint32{9, 10, 11}, 0}, {[]uint32{0}, 0}, {[]uint32{3, 12}, 1}} {
		calls := 0
		err := pg.runs(c.leaves, 0, len(c.leaves), func(int, []byte) error { calls++; return nil })
		want := fmt.Sprintf("page %d out of range", c.leaves[len(c.leaves)-1])
		if !errors.Is(err, errMalformed) || !strings.Contains(err.Error(), want) {
			t.Errorf("%v: %v, want %q", c.leaves, err, want)
		}
		if calls != c.calls {
			t.Errorf("%v: %d pages handed on, want %d", c.leaves, calls, c.calls)
		}
	}
}

// TestPageSet: a set for a file's pages holds every page number up to the count, each marked
// once before it is met twice, in about a bit a page.
func TestPageSet(t *testing.T) {
	for _, pages := range []uint32{1, 63, 64, 65, 127, 128, 200} {
		s := newPageSet(pages)
		if bits := len(s) * 64; bits > int(pages)+64 { // a bit a page, for files of millions of pages
			t.Errorf("%d pages: a set of %d bits", pages, bits)
		}
		for n := uint32(1); n <= pages; n++ {
			if s.mark(n) {
				t.Fatalf("%d pages: page %d already there", pages, n)
			}
		}
		for n := uint32(1); n <= pages; n++ {
			if !s.mark(n) {
				t.Fatalf("%d pages: page %d not there after its mark", pages, n)
			}
		}
	}
}
