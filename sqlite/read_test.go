package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"github.com/omnistat/omnistat/internal/testutil"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var ctx = context.Background()

func traces(t testing.TB) []string {
	t.Helper()
	fs, _ := filepath.Glob("../testdata/traces/*.sqlite")
	if len(fs) == 0 {
		t.Fatal("no testdata traces")
	}
	return fs
}

func hashFile(t testing.TB, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// TestReadsEveryRow checks the columnar model against plain count(*) queries on each table.
func TestReadsEveryRow(t *testing.T) {
	for _, f := range traces(t) {
		tr, err := Read(ctx, f, Options{Mangled: true})
		if err != nil {
			t.Fatal(err)
		}
		db, err := openDB(f)
		if err != nil {
			t.Fatal(err)
		}
		for table, got := range map[string]int{
			"CUPTI_ACTIVITY_KIND_RUNTIME": tr.Runtime.Len(), "CUPTI_ACTIVITY_KIND_KERNEL": tr.Kernels.Len(),
			"CUPTI_ACTIVITY_KIND_MEMCPY": tr.Memcpy.Len(), "CUPTI_ACTIVITY_KIND_MEMSET": tr.Memset.Len(),
			"NVTX_EVENTS": tr.NVTX.Len(), "OSRT_API": tr.OSRT.Len(), "StringIds": tr.Strings.Len(),
			"ThreadNames": len(tr.Threads), "PROCESSES": len(tr.Processes), "TARGET_INFO_GPU": len(tr.GPUs),
		} {
			var want int
			if err := db.QueryRow("SELECT count(*) FROM " + table).Scan(&want); err != nil {
				t.Fatalf("%s: %v", table, err)
			}
			if got != want || want == 0 {
				t.Errorf("%s: %s has %d rows, the model %d", filepath.Base(f), table, want, got)
			}
		}
		// spot-check one column end to end: the sum of kernel durations
		var want int64
		db.QueryRow(`SELECT sum("end" - start) FROM CUPTI_ACTIVITY_KIND_KERNEL`).Scan(&want)
		var got int64
		for i := range tr.Kernels.Start {
			got += tr.Kernels.End[i] - tr.Kernels.Start[i]
		}
		if got != want {
			t.Errorf("%s: kernel time %d, SQL says %d", f, got, want)
		}
		db.Close()
		if tr.Product == "" || tr.Schema == "" {
			t.Errorf("%s: no version probed (%q, %q)", f, tr.Product, tr.Schema)
		}
	}
}

// TestNeverWrites reads every trace and sample from a read-only copy and checks that nothing
// changed and no journal appeared.
func TestNeverWrites(t *testing.T) {
	files := traces(t)
	if os.Getenv("OMNISTAT_SAMPLES") != "" {
		s, _ := filepath.Glob(filepath.Join(testutil.Samples(t), "*.sqlite"))
		files = append(files, s...)
	}
	dir := t.TempDir()
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, filepath.Base(f))
		if err := os.WriteFile(p, b, 0o444); err != nil {
			t.Fatal(err)
		}
		before := hashFile(t, p)
		os.Chmod(dir, 0o555)
		_, err = Read(ctx, p, Options{Mangled: true})
		os.Chmod(dir, 0o755)
		if err != nil {
			t.Errorf("%s: %v", f, err)
		}
		if hashFile(t, p) != before {
			t.Errorf("%s: file changed by reading", f)
		}
	}
	left, _ := os.ReadDir(dir)
	if len(left) != len(files) {
		t.Errorf("reading left %d files beside %d inputs (journal or WAL?)", len(left), len(files))
	}
}

// TestVersionProbe reads the version of each schema generation of the shared samples.
func TestVersionProbe(t *testing.T) {
	d := testutil.Samples(t)
	for file, want := range map[string][2]string{
		"nsys2021.2.1_mordred_report1.sqlite":               {"2021.2.1", ""},
		"nsys2022_hpcsdk22.7_vectoraddition_report4.sqlite": {"2022.2.1.31", "2.9.1"},
		"nsys2023.3.1_sc23openmp_report3.sqlite":            {"2023.3.1.92", "3.4.0"},
		"nsys2025.5.1_balinski_report1.sqlite":              {"2025.5.1.121", "3.23.3"},
		"nsys2026.2.1_nsysai_h100_2gpu_1s.sqlite":           {"2026.2.1.210", "3.25.0"},
	} {
		tr, err := Read(ctx, filepath.Join(d, file), Options{Mangled: true})
		if err != nil {
			t.Fatal(err)
		}
		if tr.Product != want[0] || tr.Schema != want[1] {
			t.Errorf("%s: version %q schema %q, want %q %q", file, tr.Product, tr.Schema, want[0], want[1])
		}
		if file == "nsys2021.2.1_mordred_report1.sqlite" {
			if tr.EnumTables || tr.MemcpyKinds[1] != "Host-to-Device" {
				t.Errorf("2021 export: want built-in enum labels, got %v", tr.MemcpyKinds[1])
			}
			if !strings.Contains(strings.Join(tr.Notes, ";"), "NVTX_EVENTS") {
				t.Errorf("2021 export has no NVTX table: want a note, got %q", tr.Notes)
			}
		}
	}
}

// TestBadFiles: every unreadable input is one error that names the file, never a panic.
func TestBadFiles(t *testing.T) {
	dir := t.TempDir()
	good, _ := os.ReadFile(traces(t)[0])
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	notExport := filepath.Join(dir, "other.sqlite")
	db, err := sql.Open("sqlite", notExport)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE users(id INTEGER, name TEXT); INSERT INTO users VALUES (1, 'a')"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	cases := []struct {
		path, want string
		is         error
	}{
		{filepath.Join(dir, "missing.sqlite"), "no such file", nil},
		{dir, "is a directory", nil},
		{write("empty.sqlite", nil), "empty file", ErrNotSQLite},
		{"/dev/zero", "not a regular file", ErrNotSQLite},
		{write("text.sqlite", []byte("hello, this is text\n")), "not an SQLite database", ErrNotSQLite},
		{write("report.nsys-rep", []byte("QDSTRM\x00\x01 binary report")), ".nsys-rep", ErrNsysRep},
		{write("capture.qdstrm", []byte("\x01\x02 stream")), "QdstrmImporter", nil},
		{write("tiny.sqlite", good[:100]), "truncated", nil},
		{write("half.sqlite", good[:len(good)/2]), "", nil},
		{notExport, "not an nsys SQLite export", ErrNotExport},
	}
	for _, c := range cases {
		_, err := Read(ctx, c.path, Options{Mangled: true})
		if err == nil {
			t.Errorf("%s: read without error", c.path)
			continue
		}
		if !strings.Contains(err.Error(), c.path) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q, want the path and %q", c.path, err, c.want)
		}
		if c.is != nil && !errors.Is(err, c.is) {
			t.Errorf("%s: error %q is not %v", c.path, err, c.is)
		}
	}
}

// FuzzRead mutates a real export (one byte changed, optionally truncated) and reads it with the
// scanner and with SQL: both fail, or both read the same model (checkRead); never a panic, a
// hang or an allocation out of proportion to the file.
func FuzzRead(f *testing.F) {
	base, err := os.ReadFile("../testdata/traces/diffusion.sqlite")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(uint32(100), byte(0xff), uint32(0))
	f.Add(uint32(4096*3+17), byte(0x01), uint32(0))
	f.Add(uint32(28), byte(0x7f), uint32(0))
	f.Add(uint32(0), byte(0), uint32(200000))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, off uint32, x byte, cut uint32) {
		b := append([]byte(nil), base...)
		b[int(off)%len(b)] ^= x
		if cut > 0 {
			b = b[:int(cut)%len(b)]
		}
		p := filepath.Join(dir, "fuzz.sqlite")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		defer watchdog()()
		checkRead(t, p)
	})
}
