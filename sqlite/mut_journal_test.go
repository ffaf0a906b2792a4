package sqlite

import (
	"os"
	"strings"
	"testing"
)

const walTrace = "../testdata/traces/foreign_repeat.2.sqlite"

// walSnapshot copies walTrace, commits changes to its kernels into a write-ahead log and
// returns a copy of the file and its log taken while the writer runs, with SQLite's kernel
// sums of it.
func walSnapshot(t *testing.T) (string, [3]int64) {
	t.Helper()
	db, p := live(t, walTrace)
	mustExec(t, db, "PRAGMA journal_mode=WAL", "PRAGMA wal_autocheckpoint=0",
		`DELETE FROM CUPTI_ACTIVITY_KIND_KERNEL WHERE rowid % 3 = 0`,
		`UPDATE CUPTI_ACTIVITY_KIND_KERNEL SET "end" = "end" + 7 WHERE rowid % 5 = 0`)
	want := kernelSums(t, db)
	in := snapshot(t, p, "-wal")
	if st, err := os.Stat(in + "-wal"); err != nil || st.Size() == 0 {
		t.Fatalf("no log beside the copy: %v", err)
	}
	return in, want
}

// emptyTmp points the temporary directory at a fresh empty one and returns it.
func emptyTmp(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	return dir
}

func assertEmptyDir(t *testing.T, dir string) {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		t.Errorf("%s left in the temporary directory", e.Name())
	}
}

// TestReadEmptyWAL: an empty -wal beside an export holds no transaction: the file is read as
// it is, with no note of a log and no private copy.
func TestReadEmptyWAL(t *testing.T) {
	in := snapshot(t, walTrace)
	if err := os.WriteFile(in+"-wal", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := openDB(walTrace)
	if err != nil {
		t.Fatal(err)
	}
	want := kernelSums(t, db)
	db.Close()
	tmp := emptyTmp(t)
	tr, err := Read(ctx, in, Options{Mangled: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := modelSums(tr.Kernels.Start, tr.Kernels.End); got != want {
		t.Errorf("kernels %v, want %v", got, want)
	}
	if notes := strings.Join(tr.Notes, "\n"); strings.Contains(notes, "write-ahead log") {
		t.Errorf("a note of an empty log: %q", tr.Notes)
	}
	if wal, journal := pendingChanges(in); wal != "" || journal != "" {
		t.Errorf("pending changes %q, %q beside a file with an empty log", wal, journal)
	}
	assertEmptyDir(t, tmp)
}

// TestReadRemovesPrivateCopy: the private copy a log is applied in is removed once read.
func TestReadRemovesPrivateCopy(t *testing.T) {
	in, want := walSnapshot(t)
	tmp := emptyTmp(t)
	tr, err := Read(ctx, in, Options{Mangled: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := modelSums(tr.Kernels.Start, tr.Kernels.End); got != want {
		t.Errorf("kernels %v, want %v", got, want)
	}
	if !strings.Contains(strings.Join(tr.Notes, "\n"), "write-ahead log") {
		t.Errorf("no note of the log: %q", tr.Notes)
	}
	assertEmptyDir(t, tmp)
}

// TestApplyPendingLeavesPlainDatabase: applyPending checkpoints the log into the copy and
// leaves it a rollback-journal database (header bytes 18 and 19 are 1) with no log or shared
// memory file beside it, holding the committed rows.
func TestApplyPendingLeavesPlainDatabase(t *testing.T) {
	in, want := walSnapshot(t)
	if b, _ := os.ReadFile(in); b[18] != 2 || b[19] != 2 {
		t.Fatalf("the copy is not in WAL mode: %v", b[18:20])
	}
	if err := applyPending(ctx, in); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	if b[18] != 1 || b[19] != 1 {
		t.Errorf("header read/write versions %v, want [1 1] (journal mode DELETE)", b[18:20])
	}
	for _, s := range []string{"-wal", "-shm", "-journal"} {
		if _, err := os.Stat(in + s); err == nil {
			t.Errorf("%s left beside the copy", s)
		}
	}
	db, err := openDB(in)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := kernelSums(t, db); got != want {
		t.Errorf("kernels of the main file alone %v, want %v", got, want)
	}
}
