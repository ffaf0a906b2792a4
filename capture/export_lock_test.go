package capture

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestExportConcurrent(t *testing.T) {
	rep, cache := newReport(t)
	f := &fakeNsys{mode: "ok", delay: 200 * time.Millisecond}
	var wg sync.WaitGroup
	paths := make([]string, 8)
	errs := make([]error, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			paths[i], _, errs[i] = ExportSQLite(context.Background(), f, "nsys", rep, ExportOptions{CacheDir: cache, Poll: 5 * time.Millisecond})
		}()
	}
	wg.Wait()
	for i := range 8 {
		if errs[i] != nil || paths[i] != paths[0] {
			t.Errorf("call %d: %q, %v", i, paths[i], errs[i])
		}
	}
	if n := f.calls.Load(); n != 1 {
		t.Errorf("nsys ran %d times, want 1", n)
	}
	sameAsReal(t, paths[0])
	for _, n := range names(t, filepath.Dir(rep)) {
		if strings.Contains(n, ".part") {
			t.Errorf("temporary file left: %s", n)
		}
	}
}

// TestExportProcesses runs four processes exporting one report with a shell-script nsys and
// ExecRunner: the flock makes them share one export.
func TestExportProcesses(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	rep, cache := newReport(t)
	work := t.TempDir()
	count := filepath.Join(work, "count")
	src := realSQLite
	nsys := filepath.Join(work, "nsys")
	script := "#!/bin/sh\nout=\nfor a in \"$@\"; do case \"$a\" in --output=*) out=\"${a#--output=}\";; esac; done\n" +
		"echo run >> '" + count + "'\nsleep 1\ncp '" + src + "' \"$out\"\n"
	os.WriteFile(nsys, []byte(script), 0o755)
	cmds := make([]*exec.Cmd, 4)
	outs := make([]bytes.Buffer, 4)
	for i := range cmds {
		cmds[i] = exec.Command(os.Args[0], "-test.run=^TestExportHelperProcess$")
		cmds[i].Env = append(os.Environ(), "OMNISTAT_EXPORT_HELPER=1", "HELPER_NSYS="+nsys, "HELPER_REP="+rep, "HELPER_CACHE="+cache)
		cmds[i].Stdout, cmds[i].Stderr = &outs[i], &outs[i]
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Errorf("process %d: %v\n%s", i, err, outs[i].String())
		}
		if !strings.Contains(outs[i].String(), "path="+filepath.Join(filepath.Dir(rep), "X.sqlite")+"\n") {
			t.Errorf("process %d said %q", i, outs[i].String())
		}
	}
	b, _ := os.ReadFile(count)
	if n := strings.Count(string(b), "run"); n != 1 {
		t.Errorf("nsys ran %d times, want 1", n)
	}
	sameAsReal(t, filepath.Join(filepath.Dir(rep), "X.sqlite"))
}

func TestExportHelperProcess(t *testing.T) {
	if os.Getenv("OMNISTAT_EXPORT_HELPER") != "1" {
		return
	}
	p, _, err := ExportSQLite(context.Background(), ExecRunner{Env: os.Environ()}, os.Getenv("HELPER_NSYS"), os.Getenv("HELPER_REP"),
		ExportOptions{CacheDir: os.Getenv("HELPER_CACHE"), Poll: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("path=%s\n", p)
}

func TestExportCancel(t *testing.T) {
	rep, cache := newReport(t)
	f := &fakeNsys{mode: "block", started: make(chan string, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, _, err := ExportSQLite(ctx, f, "nsys", rep, ExportOptions{CacheDir: cache})
		done <- err
	}()
	tmp := <-f.started
	if _, err := os.Stat(tmp); err != nil || filepath.Dir(tmp) != filepath.Dir(rep) {
		t.Fatalf("temporary file %s: %v", tmp, err)
	}
	// A second call waits for the lock; cancelling its own context ends the wait.
	ctx2, cancel2 := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel2()
	t0 := time.Now()
	var progress bytes.Buffer
	_, _, err2 := ExportSQLite(ctx2, f, "nsys", rep, ExportOptions{CacheDir: cache, Progress: &progress})
	if !errors.Is(err2, context.DeadlineExceeded) || time.Since(t0) > 5*time.Second || f.calls.Load() != 1 {
		t.Errorf("waiting call: %v after %v, %d nsys runs", err2, time.Since(t0), f.calls.Load())
	}
	if !strings.Contains(progress.String(), "waiting for another omnistat exporting "+rep) {
		t.Errorf("progress: %q", progress.String())
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled export: %v", err)
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Errorf("temporary file left: %v", err)
	}
	if got := names(t, filepath.Dir(rep)); !slices.Equal(got, []string{".X.sqlite.lock", "X.nsys-rep"}) {
		t.Errorf("folder holds %q", got)
	}
	// The lock was released: a later export runs.
	f.mode = "ok"
	if p, _, err := ExportSQLite(context.Background(), f, "nsys", rep, ExportOptions{CacheDir: cache}); err != nil {
		t.Errorf("after cancel: %q, %v", p, err)
	}
}

// signalWriter reports each write on a channel.
type signalWriter chan string

func (w signalWriter) Write(p []byte) (int, error) { w <- string(p); return len(p), nil }

// A user's file that appears while a call waits for the lock is left alone: the export goes to
// the cache.
func TestExportUserFileAppearsWhileWaiting(t *testing.T) {
	rep, cache := newReport(t)
	sibling := filepath.Join(filepath.Dir(rep), "X.sqlite")
	first := &fakeNsys{mode: "block", started: make(chan string, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, _, err := ExportSQLite(ctx, first, "nsys", rep, ExportOptions{CacheDir: cache})
		done <- err
	}()
	<-first.started
	second := &fakeNsys{mode: "ok"}
	progress := make(signalWriter, 10)
	type result struct{ path, note string }
	res := make(chan result, 1)
	go func() {
		p, note, err := ExportSQLite(context.Background(), second, "nsys", rep, ExportOptions{CacheDir: cache, Progress: progress, Poll: time.Millisecond})
		if err != nil {
			t.Error(err)
		}
		res <- result{p, note}
	}()
	if line := <-progress; !strings.Contains(line, "waiting") {
		t.Fatalf("progress: %q", line)
	}
	os.WriteFile(sibling, []byte("user"), 0o644)
	cancel()
	<-done
	go func() {
		for range progress {
		}
	}()
	r := <-res
	if want := wantCache(t, cache, rep); r.path != want || !strings.Contains(r.note, "appeared while waiting") {
		t.Errorf("%q, %q; want %q", r.path, r.note, want)
	}
	if b, _ := os.ReadFile(sibling); string(b) != "user" {
		t.Errorf("user's file changed: %d bytes, %.20q", len(b), b)
	}
}
