package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildOmnistat builds this command into a temporary folder (signals need a real process).
func buildOmnistat(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "omnistat")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestSignals: the first SIGINT or SIGTERM stops a run within half a second, even one whose
// work does not look at its context (a stand-in nsys that ignores SIGINT while "exporting" an
// .nsys-rep), removes its temporary files, leaves no output in place and exits 130 or 143.
func TestSignals(t *testing.T) {
	bin := buildOmnistat(t)
	for _, c := range []struct {
		sig    syscall.Signal
		code   int
		ignore bool // the stand-in nsys ignores SIGINT
	}{{syscall.SIGINT, 130, true}, {syscall.SIGTERM, 143, true}, {syscall.SIGINT, 130, false}} {
		dir := t.TempDir()
		rep := filepath.Join(dir, "run.nsys-rep")
		os.WriteFile(rep, []byte("not sqlite: a report"), 0o644)
		trap := ""
		if c.ignore {
			trap = "trap '' INT TERM\n"
		}
		fake := filepath.Join(dir, "nsys")
		os.WriteFile(fake, []byte("#!/bin/sh\n"+trap+`echo $$ > `+dir+`/nsys.pid
for a; do case $a in --output=*) echo partial > "${a#--output=}";; esac; done
exec sleep 30
`), 0o755)
		cmd := exec.Command(bin, "stats", rep)
		cmd.Env = append(os.Environ(), "OMNISTAT_NSYS="+fake)
		var errb strings.Builder
		cmd.Stderr = &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// wait until the export's temporary file exists
		deadline := time.Now().Add(10 * time.Second)
		for {
			m, _ := filepath.Glob(filepath.Join(dir, ".run.*.part.sqlite"))
			if len(m) > 0 && fileHas(m[0], "partial") {
				break
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				t.Fatalf("no export started: %s", errb.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
		t0 := time.Now()
		cmd.Process.Signal(c.sig)
		err := cmd.Wait()
		took := time.Since(t0)
		if b, e := os.ReadFile(filepath.Join(dir, "nsys.pid")); e == nil {
			if pid, e := strconv.Atoi(strings.TrimSpace(string(b))); e == nil {
				syscall.Kill(pid, syscall.SIGKILL) // the stand-in that ignored the signal
			}
		}
		code := -1
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		if code != c.code || took > 500*time.Millisecond || !strings.Contains(errb.String(), "interrupted") {
			t.Errorf("%v (nsys ignores it: %v): exit %d after %v, stderr %q", c.sig, c.ignore, code, took, errb.String())
		}
		left, _ := os.ReadDir(dir)
		for _, f := range left {
			if n := f.Name(); n != "run.nsys-rep" && n != "nsys" && n != "nsys.pid" && !strings.HasSuffix(n, ".lock") {
				t.Errorf("%v: %s left behind", c.sig, n)
			}
		}
	}
}

func fileHas(p, s string) bool {
	b, err := os.ReadFile(p)
	return err == nil && strings.Contains(string(b), s)
}
