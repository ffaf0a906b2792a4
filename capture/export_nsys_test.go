package capture

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe for concurrent writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// TestExportRealNsys runs the real nsys export where there is one: eight concurrent calls share
// one export, and a cancelled export leaves no temporary file. Set OMNISTAT_TEST_NSYS_REP to
// an .nsys-rep or .qdrep report to run it.
func TestExportRealNsys(t *testing.T) {
	src := os.Getenv("OMNISTAT_TEST_NSYS_REP")
	if src == "" {
		t.Skip("set OMNISTAT_TEST_NSYS_REP to an .nsys-rep report to run nsys export for real")
	}
	nsys, err := FindNsys("", os.Getenv, exec.LookPath, filepath.Glob)
	if err != nil {
		t.Skip(err)
	}
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	r := ExecRunner{Env: os.Environ()}

	// Cancelled: nothing is left but the report and the lock file.
	dir := t.TempDir()
	rep := filepath.Join(dir, "R"+filepath.Ext(src))
	os.WriteFile(rep, data, 0o644)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	_, _, err = ExportSQLite(ctx, r, nsys, rep, ExportOptions{CacheDir: t.TempDir()})
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Logf("export finished before the deadline (%v): cancellation not exercised", err)
	} else if got := names(t, dir); len(got) != 2 {
		t.Errorf("after cancel the folder holds %q", got)
	}

	dir = t.TempDir()
	rep = filepath.Join(dir, "R"+filepath.Ext(src))
	os.WriteFile(rep, data, 0o644)
	var progress lockedBuffer
	var wg sync.WaitGroup
	paths := make([]string, 8)
	errs := make([]error, 8)
	t0 := time.Now()
	for i := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			paths[i], _, errs[i] = ExportSQLite(context.Background(), r, nsys, rep, ExportOptions{CacheDir: t.TempDir(), Progress: &progress})
		}()
	}
	wg.Wait()
	t.Logf("8 calls in %v with %s", time.Since(t0), nsys)
	for i := range paths {
		if errs[i] != nil || paths[i] != filepath.Join(dir, "R.sqlite") {
			t.Errorf("call %d: %q, %v", i, paths[i], errs[i])
		}
	}
	if err := CheckSQLite(filepath.Join(dir, "R.sqlite")); err != nil {
		t.Error(err)
	}
	if n := strings.Count("\n"+progress.b.String(), "\nexporting "); n != 1 {
		t.Errorf("%d exports:\n%s", n, progress.b.String())
	}
	t.Logf("folder: %q", names(t, dir))
	f, _ := os.Open(filepath.Join(dir, "R.sqlite"))
	head := make([]byte, 16)
	io.ReadFull(f, head)
	f.Close()
	t.Logf("header %q", head)
}
