package sqlite

import (
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// live copies a testdata trace into a fresh directory and opens it as a writer would (not
// immutable), on one connection.
func live(t *testing.T, trace string) (*sql.DB, string) {
	t.Helper()
	b, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "live.sqlite")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", p)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db, p
}

// snapshot copies the files at p (and beside it, with the suffixes) into a fresh directory, as
// a user would copy them while the writer runs, and returns the copy of p.
func snapshot(t *testing.T, p string, suffixes ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, s := range append([]string{""}, suffixes...) {
		b, err := os.ReadFile(p + s)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "in.sqlite"+s), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "in.sqlite")
}

func mustExec(t *testing.T, db *sql.DB, qs ...string) {
	t.Helper()
	for _, q := range qs {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// kernelSums reads the kernel count and sums through a connection.
func kernelSums(t *testing.T, db *sql.DB) [3]int64 {
	t.Helper()
	var s [3]int64
	q := `SELECT count(*), total(start), total("end") FROM CUPTI_ACTIVITY_KIND_KERNEL`
	var a, b float64
	if err := db.QueryRow(q).Scan(&s[0], &a, &b); err != nil {
		t.Fatal(err)
	}
	s[1], s[2] = int64(a), int64(b)
	return s
}

func modelSums(k []int64, e []int64) [3]int64 {
	var s [3]int64
	s[0] = int64(len(k))
	for i := range k {
		s[1] += k[i]
		s[2] += e[i]
	}
	return s
}

// readUnchanged reads in with both paths and checks that the files beside it are the same
// before and after, with none added: it returns the scanner's model.
func readUnchanged(t *testing.T, in string) (fast, slow [3]int64, notes []string) {
	t.Helper()
	dir := filepath.Dir(in)
	before := dirHashes(t, dir)
	tr, err := Read(ctx, in, Options{Mangled: true})
	if err != nil {
		t.Fatal(err)
	}
	sq, err := Read(ctx, in, Options{SQLOnly: true, Mangled: true})
	if err != nil {
		t.Fatal(err)
	}
	if after := dirHashes(t, dir); !slices.Equal(before, after) {
		t.Errorf("reading changed the directory of the input:\n%q\n%q", before, after)
	}
	if d := diffModels(tr, sq); len(d) > 0 {
		t.Errorf("the scanner and SQL differ: %v", d)
	}
	if tr.Path != in {
		t.Errorf("model path %q, want %q", tr.Path, in)
	}
	return modelSums(tr.Kernels.Start, tr.Kernels.End), modelSums(sq.Kernels.Start, sq.Kernels.End), tr.Notes
}

// dirHashes lists the files of dir with their hashes.
func dirHashes(t *testing.T, dir string) []string {
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		h := hashFile(t, filepath.Join(dir, e.Name()))
		out = append(out, e.Name()+" "+string(h[:]))
	}
	return out
}

// TestReadAppliesWAL: committed transactions that sit only in the write-ahead log beside the
// export are read, as SQLite reads them, and the input files stay as they are.
func TestReadAppliesWAL(t *testing.T) {
	db, p := live(t, "../testdata/traces/go_diffusion.sqlite")
	mustExec(t, db, "PRAGMA journal_mode=WAL", "PRAGMA wal_autocheckpoint=0",
		`DELETE FROM CUPTI_ACTIVITY_KIND_KERNEL WHERE rowid % 3 = 0`,
		`INSERT INTO CUPTI_ACTIVITY_KIND_KERNEL SELECT * FROM CUPTI_ACTIVITY_KIND_KERNEL WHERE rowid % 3 = 1 LIMIT 50`,
		`UPDATE CUPTI_ACTIVITY_KIND_KERNEL SET "end" = "end" + 7 WHERE rowid % 5 = 0`)
	want := kernelSums(t, db)
	// the writer keeps its connection open: the committed rows are in the log only
	in := snapshot(t, p, "-wal")
	if st, err := os.Stat(in + "-wal"); err != nil || st.Size() == 0 {
		t.Fatalf("no log beside the copy: %v", err)
	}
	old, err := openDB(in)
	if err != nil {
		t.Fatal(err)
	}
	if got := kernelSums(t, old); got == want {
		t.Fatalf("the main file alone already holds the new rows (%v): the test proves nothing", got)
	}
	old.Close()
	fast, slow, notes := readUnchanged(t, in)
	if fast != want || slow != want {
		t.Errorf("kernels (count, Σstart, Σend): scanner %v, SQL %v; SQLite reads %v", fast, slow, want)
	}
	if !strings.Contains(strings.Join(notes, "\n"), "write-ahead log") {
		t.Errorf("no note of the log: %q", notes)
	}
}

// TestReadRollsBackHotJournal: pages of a transaction that never committed, spilled into the
// main file, are not read: the hot journal beside it restores the committed rows.
func TestReadRollsBackHotJournal(t *testing.T) {
	const trace = "../testdata/traces/go_diffusion.sqlite"
	committed, err := Read(ctx, trace, Options{Mangled: true})
	if err != nil {
		t.Fatal(err)
	}
	want := modelSums(committed.Kernels.Start, committed.Kernels.End)
	db, p := live(t, trace)
	mustExec(t, db, "PRAGMA journal_mode=DELETE", "PRAGMA cache_size=1", "BEGIN",
		`UPDATE CUPTI_ACTIVITY_KIND_KERNEL SET start = start + 1000, "end" = "end" + 3000`,
		`DELETE FROM CUPTI_ACTIVITY_KIND_KERNEL WHERE rowid % 4 = 0`,
		`INSERT INTO StringIds(id, value) SELECT id + 1000000, value || value FROM StringIds`)
	in := snapshot(t, p, "-journal") // mid-transaction, as a crash would leave them
	mustExec(t, db, "ROLLBACK")
	base, _ := os.ReadFile(trace)
	spilled, _ := os.ReadFile(in)
	if slices.Equal(base, spilled) {
		t.Fatal("the transaction spilled nothing into the main file: the test proves nothing")
	}
	if old, err := openDB(in); err == nil { // immutable: the main file alone
		var n int64
		var a, b float64
		err := old.QueryRow(`SELECT count(*), total(start), total("end") FROM CUPTI_ACTIVITY_KIND_KERNEL`).Scan(&n, &a, &b)
		old.Close()
		if err == nil && [3]int64{n, int64(a), int64(b)} == want {
			t.Fatal("the main file alone reads as committed: the test proves nothing")
		}
	}
	fast, slow, notes := readUnchanged(t, in)
	if fast != want || slow != want {
		t.Errorf("kernels (count, Σstart, Σend): scanner %v, SQL %v; committed %v", fast, slow, want)
	}
	if !strings.Contains(strings.Join(notes, "\n"), "hot journal") {
		t.Errorf("no note of the journal: %q", notes)
	}
}

// TestReadWALModeWithoutLog: an export left in WAL mode with its log checkpointed away reads as
// the same rows, through the scanner.
func TestReadWALModeWithoutLog(t *testing.T) {
	const trace = "../testdata/traces/go_diffusion.sqlite"
	db, p := live(t, trace)
	mustExec(t, db, "PRAGMA journal_mode=WAL", `UPDATE CUPTI_ACTIVITY_KIND_KERNEL SET "end" = "end" + 1`, "PRAGMA wal_checkpoint(TRUNCATE)")
	db.Close()
	if b, _ := os.ReadFile(p); b[18] != 2 || b[19] != 2 {
		t.Fatalf("not a WAL-mode file: %v", b[18:20])
	}
	os.Remove(p + "-wal")
	os.Remove(p + "-shm")
	pg, err := openPager(p)
	if err != nil {
		t.Fatalf("the scanner does not read a WAL-mode file: %v", err)
	}
	pg.close()
	before := deferred.Load()
	fast, slow, notes := readUnchanged(t, p)
	want, err := Read(ctx, trace, Options{Mangled: true})
	if err != nil {
		t.Fatal(err)
	}
	sums := modelSums(want.Kernels.Start, want.Kernels.End)
	sums[2] += sums[0]
	if fast != sums || slow != sums || deferred.Load() != before {
		t.Errorf("kernels: scanner %v, SQL %v, want %v (%d tables deferred); notes %q", fast, slow, sums, deferred.Load()-before, notes)
	}
}
