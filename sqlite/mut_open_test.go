package sqlite

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadTruncatedLength: a database cut short of the pages its header declares is
// ErrCorrupt, with the length it has and the one SQLite's page size × page count give, at the
// smallest page size, the common one and the largest (stored as 1); whole it reads on.
func TestReadTruncatedLength(t *testing.T) {
	for _, size := range []int{512, 4096, 65536} {
		p := filepath.Join(t.TempDir(), fmt.Sprintf("p%d.sqlite", size))
		db, err := sql.Open("sqlite", p)
		if err != nil {
			t.Fatal(err)
		}
		db.SetMaxOpenConns(1)
		mustExec(t, db, fmt.Sprintf("PRAGMA page_size=%d", size), "CREATE TABLE t(x)",
			fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3)
			 INSERT INTO t SELECT randomblob(%d) FROM n`, size))
		var pageSize, pages int64
		if err := db.QueryRow("PRAGMA page_size").Scan(&pageSize); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow("PRAGMA page_count").Scan(&pages); err != nil {
			t.Fatal(err)
		}
		db.Close()
		if pageSize != int64(size) || pages < 3 {
			t.Fatalf("page size %d, %d pages", pageSize, pages)
		}
		// whole: not truncated (it is no export)
		if _, err := Read(ctx, p, Options{Mangled: true}); !errors.Is(err, ErrNotExport) {
			t.Errorf("page size %d, whole: %v, want %v", size, err, ErrNotExport)
		}
		cut := (pages - 1) * pageSize
		if size == 512 {
			cut = 2*pageSize + 100
		}
		if err := os.Truncate(p, cut); err != nil {
			t.Fatal(err)
		}
		_, err = Read(ctx, p, Options{Mangled: true})
		want := fmt.Sprintf("truncated, %d of the %d bytes its header declares", cut, pageSize*pages)
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), p) {
			t.Errorf("page size %d, cut to %d bytes: %v, want ErrCorrupt with %q", size, cut, err, want)
		}
	}
}

// TestCopyFileUnreadable: a source that cannot be read is an error, not an empty copy.
func TestCopyFileUnreadable(t *testing.T) {
	dir := t.TempDir()
	if err := copyFile(dir, filepath.Join(dir, "copy")); err == nil {
		t.Error("copying a directory gave no error")
	}
	src := filepath.Join(dir, "src")
	if err := os.WriteFile(src, []byte("abc"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := copyFile(src, filepath.Join(dir, "dst")); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "dst")); err != nil || string(b) != "abc" {
		t.Errorf("copy %q, %v", b, err)
	}
}

// TestReadSmallestDatabase: a database of one 512-byte page is a whole SQLite file (not an
// export); one byte less is truncated.
func TestReadSmallestDatabase(t *testing.T) {
	p := filepath.Join(t.TempDir(), "one-page.sqlite")
	db, err := sql.Open("sqlite", p)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	mustExec(t, db, "PRAGMA page_size=512", "PRAGMA user_version=7")
	var size int64
	if err := db.QueryRow("SELECT page_size * page_count FROM pragma_page_size, pragma_page_count").Scan(&size); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if st, err := os.Stat(p); err != nil || st.Size() != 512 || size != 512 {
		t.Fatalf("not a one-page file: %v, %d bytes by SQLite", err, size)
	}
	if _, err := Read(ctx, p, Options{Mangled: true}); !errors.Is(err, ErrNotExport) {
		t.Errorf("one page: %v, want %v", err, ErrNotExport)
	}
	if err := os.Truncate(p, 511); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(ctx, p, Options{Mangled: true}); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "truncated, 511 bytes") {
		t.Errorf("511 bytes: %v, want ErrCorrupt, truncated", err)
	}
}
