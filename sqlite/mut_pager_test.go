package sqlite

import (
	"database/sql"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
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
