package capture

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// realSQLite is a real nsys export from the repository's test data (absolute: a test changes
// the working folder).
var realSQLite, _ = filepath.Abs("../testdata/traces/diffusion.sqlite")

// fakeNsys stands in for nsys export: it checks its argv is ExportArgs' and writes what mode
// says to the --output path.
type fakeNsys struct {
	mode    string // "ok", "fail", "garbage", "truncated", "nothing", "block"
	delay   time.Duration
	calls   atomic.Int32
	started chan string // gets the output path when mode is "block"
}

func (f *fakeNsys) Run(ctx context.Context, nsys string, args []string, stdout, stderr io.Writer) error {
	f.calls.Add(1)
	if len(args) != 5 || args[0] != "export" || args[1] != "--type=sqlite" || !strings.HasPrefix(args[3], "--output=") {
		return fmt.Errorf("fake nsys: unexpected argv %q", args)
	}
	out := strings.TrimPrefix(args[3], "--output=")
	if _, err := os.Stat(args[4]); err != nil {
		return fmt.Errorf("fake nsys: %w", err)
	}
	src, err := os.ReadFile(realSQLite)
	if err != nil {
		return err
	}
	time.Sleep(f.delay)
	switch f.mode {
	case "ok":
		return os.WriteFile(out, src, 0o644)
	case "fail":
		os.WriteFile(out, src[:4096], 0o644)
		os.WriteFile(out+"-journal", []byte("j"), 0o644)
		fmt.Fprintln(stderr, "Processing events...\nERROR: report is damaged")
		return errors.New("exit status 1")
	case "garbage":
		return os.WriteFile(out, []byte("not sqlite at all, but no error either"), 0o644)
	case "truncated":
		return os.WriteFile(out, src[:len(src)/2], 0o644)
	case "nothing":
		return os.Remove(out)
	case "block":
		os.WriteFile(out, src[:8192], 0o644)
		f.started <- out
		<-ctx.Done()
		return fmt.Errorf("interrupted: nsys stopped (%w)", ctx.Err())
	}
	return fmt.Errorf("fake nsys: mode %q", f.mode)
}

// newReport makes dir/X.nsys-rep (any bytes: the fake never reads it) and an empty cache.
func newReport(t *testing.T) (rep, cache string) {
	t.Helper()
	dir := t.TempDir()
	rep = filepath.Join(dir, "X.nsys-rep")
	if err := os.WriteFile(rep, []byte("NSYS report stand-in"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	os.Chtimes(rep, old, old)
	return rep, filepath.Join(t.TempDir(), "cache")
}

// names lists a folder's entries, sorted ([] when it is absent).
func names(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	out := []string{}
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func sameAsReal(t *testing.T, p string) {
	t.Helper()
	got, err := os.ReadFile(p)
	want, _ := os.ReadFile(realSQLite)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("%s is not the export (%v)", p, err)
	}
}

// wantCache is the cache name, computed as earlier omnistat versions did.
func wantCache(t *testing.T, cache, rep string) string {
	abs, _ := filepath.Abs(rep)
	st, _ := os.Stat(rep)
	h := sha256.Sum256([]byte(fmt.Sprintf("%s|%d|%d", abs, st.Size(), st.ModTime().UnixNano())))
	return filepath.Join(cache, "X-"+hex.EncodeToString(h[:8])+".sqlite")
}

func TestExportBesideAndReuse(t *testing.T) {
	rep, cache := newReport(t)
	dir := filepath.Dir(rep)
	f := &fakeNsys{mode: "ok"}
	var progress bytes.Buffer
	p, note, err := ExportSQLite(context.Background(), f, "nsys", rep, ExportOptions{CacheDir: cache, Progress: &progress})
	if err != nil || p != filepath.Join(dir, "X.sqlite") || note != "" {
		t.Fatalf("ExportSQLite = %q, %q, %v", p, note, err)
	}
	sameAsReal(t, p)
	if !strings.Contains(progress.String(), "exporting "+rep+" with nsys to "+p) {
		t.Errorf("progress: %q", progress.String())
	}
	if got, want := names(t, dir), []string{".X.sqlite.lock", ".X.sqlite.omnistat", "X.nsys-rep", "X.sqlite"}; !slices.Equal(got, want) {
		t.Errorf("folder holds %q, want %q", got, want)
	}
	if got := names(t, cache); len(got) != 0 {
		t.Errorf("cache used: %q", got)
	}
	// Its own export is reused, also from a relative path…
	t.Chdir(dir)
	p2, _, err := ExportSQLite(context.Background(), f, "nsys", "X.nsys-rep", ExportOptions{CacheDir: cache})
	if err != nil || p2 != "X.sqlite" || f.calls.Load() != 1 {
		t.Errorf("second call: %q, %v, %d nsys runs", p2, err, f.calls.Load())
	}
	// …and replaced when the report changes.
	now := time.Now()
	os.Chtimes(rep, now, now)
	if p3, note, err := ExportSQLite(context.Background(), f, "nsys", rep, ExportOptions{CacheDir: cache}); err != nil || p3 != p || note != "" || f.calls.Load() != 2 {
		t.Errorf("after the report changed: %q, %q, %v, %d nsys runs", p3, note, err, f.calls.Load())
	}
	// A damaged export of its own (same size and time, bad header) is replaced too.
	st, _ := os.Stat(p)
	fh, _ := os.OpenFile(p, os.O_WRONLY, 0)
	fh.WriteAt(make([]byte, 16), 0)
	fh.Close()
	os.Chtimes(p, st.ModTime(), st.ModTime())
	if _, _, err := ExportSQLite(context.Background(), f, "nsys", rep, ExportOptions{CacheDir: cache}); err != nil || f.calls.Load() != 3 {
		t.Errorf("after the export was damaged: %v, %d nsys runs", err, f.calls.Load())
	}
	sameAsReal(t, p)
}

func TestExportFailureLeavesNothing(t *testing.T) {
	for _, c := range []struct{ mode, msg string }{
		{"fail", "exit status 1: ERROR: report is damaged"},
		{"garbage", "nsys wrote no valid SQLite file"},
		{"truncated", "truncated SQLite file"},
		{"nothing", "no such file"},
	} {
		rep, cache := newReport(t)
		f := &fakeNsys{mode: c.mode}
		p, _, err := ExportSQLite(context.Background(), f, "nsys", rep, ExportOptions{CacheDir: cache})
		if err == nil || !strings.Contains(err.Error(), c.msg) || !strings.Contains(err.Error(), rep) {
			t.Errorf("%s: %q, %v; want an error naming the report and saying %q", c.mode, p, err, c.msg)
		}
		// Only the lock file may remain: no export, no marker, no temporary, no journal.
		if got, want := names(t, filepath.Dir(rep)), []string{".X.sqlite.lock", "X.nsys-rep"}; !slices.Equal(got, want) {
			t.Errorf("%s: folder holds %q, want %q", c.mode, got, want)
		}
		if got := names(t, cache); len(got) != 0 {
			t.Errorf("%s: cache holds %q", c.mode, got)
		}
	}
}

func TestExportUserFile(t *testing.T) {
	real, _ := os.ReadFile(realSQLite)
	for _, c := range []struct {
		name, why string
		make      func(sibling, rep string)
	}{
		{"older than the report", "is older than the report", func(s, rep string) {
			os.WriteFile(s, real, 0o644)
			old := time.Now().Add(-2 * time.Hour)
			os.Chtimes(s, old, old)
		}},
		{"not SQLite", "is not a valid SQLite file", func(s, rep string) { os.WriteFile(s, []byte("my notes"), 0o644) }},
		{"a link", "is a symbolic link", func(s, rep string) {
			outside := filepath.Join(filepath.Dir(filepath.Dir(rep)), "outside-"+filepath.Base(filepath.Dir(rep)))
			os.WriteFile(outside, []byte("outside"), 0o644)
			os.Symlink(outside, s)
		}},
		{"a folder", "is a folder", func(s, rep string) { os.Mkdir(s, 0o755) }},
		{"edited after omnistat made it", "is older than the report", func(s, rep string) {
			ExportSQLite(context.Background(), &fakeNsys{mode: "ok"}, "nsys", rep, ExportOptions{CacheDir: t.TempDir()})
			f, _ := os.OpenFile(s, os.O_APPEND|os.O_WRONLY, 0)
			f.Write(make([]byte, 4096))
			f.Close()
			later := time.Now().Add(time.Second)
			os.Chtimes(rep, later, later) // the report changes later: still not omnistat's to replace
		}},
	} {
		rep, cache := newReport(t)
		sibling := filepath.Join(filepath.Dir(rep), "X.sqlite")
		c.make(sibling, rep)
		before := snapshot(t, sibling)
		f := &fakeNsys{mode: "ok"}
		p, note, err := ExportSQLite(context.Background(), f, "nsys", rep, ExportOptions{CacheDir: cache})
		want := wantCache(t, cache, rep)
		if err != nil || p != want {
			t.Errorf("%s: %q, %v; want %q", c.name, p, err, want)
			continue
		}
		for _, s := range []string{sibling + " was not made by omnistat", c.why, "left as it is", want} {
			if !strings.Contains(note, s) {
				t.Errorf("%s: note %q does not say %q", c.name, note, s)
			}
		}
		sameAsReal(t, p)
		if after := snapshot(t, sibling); after != before {
			t.Errorf("%s: the user's file changed:\n%s\n%s", c.name, before, after)
		}
		// The cached export is reused, with the same note.
		p2, note2, err := ExportSQLite(context.Background(), f, "nsys", rep, ExportOptions{CacheDir: cache})
		if err != nil || p2 != p || note2 != note || f.calls.Load() != 1 {
			t.Errorf("%s: second call %q, %q, %v, %d nsys runs", c.name, p2, note2, err, f.calls.Load())
		}
	}
}

// snapshot describes a path without following a link: type, size, time and content.
func snapshot(t *testing.T, p string) string {
	st, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	s := fmt.Sprintf("%v %d %d", st.Mode(), st.Size(), st.ModTime().UnixNano())
	if st.Mode().IsRegular() {
		b, _ := os.ReadFile(p)
		h := sha256.Sum256(b)
		s += " " + hex.EncodeToString(h[:])
	}
	if st.Mode()&os.ModeSymlink != 0 {
		target, _ := os.Readlink(p)
		b, _ := os.ReadFile(target)
		s += " -> " + target + " " + string(b)
	}
	return s
}

func TestExportUsesUsersNewerFile(t *testing.T) {
	rep, cache := newReport(t)
	sibling := filepath.Join(filepath.Dir(rep), "X.sqlite")
	real, _ := os.ReadFile(realSQLite)
	os.WriteFile(sibling, real, 0o644) // newer than the report: the user exported it
	f := &fakeNsys{mode: "ok"}
	p, note, err := ExportSQLite(context.Background(), f, "nsys", rep, ExportOptions{CacheDir: cache})
	if err != nil || p != sibling || note != "" || f.calls.Load() != 0 {
		t.Errorf("%q, %q, %v, %d nsys runs", p, note, err, f.calls.Load())
	}
	// A report that is itself an SQLite export is returned as it is.
	os.WriteFile(rep, real, 0o644)
	if p, _, err := ExportSQLite(context.Background(), f, "nsys", rep, ExportOptions{CacheDir: cache}); err != nil || p != rep || f.calls.Load() != 0 {
		t.Errorf("SQLite report: %q, %v", p, err)
	}
}

// A folder the export cannot be written in sends it to the cache. As root no permission
// stops a write, so a folder where the lock file goes makes it fail.
func TestExportUnwritableFolder(t *testing.T) {
	rep, cache := newReport(t)
	os.Mkdir(filepath.Join(filepath.Dir(rep), ".X.sqlite.lock"), 0o755)
	f := &fakeNsys{mode: "ok"}
	p, note, err := ExportSQLite(context.Background(), f, "nsys", rep, ExportOptions{CacheDir: cache})
	if want := wantCache(t, cache, rep); err != nil || p != want || !strings.Contains(note, "cannot write in "+filepath.Dir(rep)) {
		t.Errorf("%q, %q, %v; want %q", p, note, err, want)
	}
	if got := names(t, filepath.Dir(rep)); !slices.Equal(got, []string{".X.sqlite.lock", "X.nsys-rep"}) {
		t.Errorf("folder holds %q", got)
	}
}

func TestCheckSQLite(t *testing.T) {
	real, _ := os.ReadFile(realSQLite)
	dir := t.TempDir()
	page := make([]byte, 4096)
	copy(page, "SQLite format 3\x00\x10\x00") // 4096-byte pages, no page count
	odd := slices.Clone(page)
	odd[16], odd[17] = 0x03, 0x00 // 768: not a power of two
	for _, c := range []struct {
		name string
		data []byte
		ok   bool
	}{
		{"real", real, true},
		{"one bare page", page, true},
		{"half", real[:len(real)/2], false},
		{"not page-aligned", real[:len(real)-100], false},
		{"header only", real[:100], false},
		{"empty", nil, false},
		{"text", []byte("SQLite format 2\x00 and more text, long enough to read a header from it......................................................"), false},
		{"bad page size", odd, false},
	} {
		p := filepath.Join(dir, c.name)
		os.WriteFile(p, c.data, 0o644)
		if err := CheckSQLite(p); (err == nil) != c.ok {
			t.Errorf("%s: %v, want ok=%v", c.name, err, c.ok)
		}
	}
}
