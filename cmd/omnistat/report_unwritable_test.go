package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestReportUnwritable: a folder report cannot write to gives one line, exit 1 and nothing
// written, for every user: a folder under a regular file (refused to root too), and a read-only
// folder (refused at its first file), which only binds a user that is not root: as root (CI runs as root), the test runs the
// built command as the unprivileged user nobody instead of skipping.
func TestReportUnwritable(t *testing.T) {
	db := "../../testdata/traces/go_diffusion_w2.sqlite"
	file := filepath.Join(t.TempDir(), "plain-file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	oneLineError(t, "cannot write to", "report", db, "-o", filepath.Join(file, "sub"))

	if os.Geteuid() != 0 {
		ro := filepath.Join(t.TempDir(), "ro")
		os.MkdirAll(ro, 0o555)
		oneLineError(t, "permission denied", "report", db, "-o", ro)
		assertEmpty(t, ro)
		return
	}
	// root: a world-readable copy of the command and the trace, run as nobody
	bin := buildOmnistat(t)
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(bin), filepath.Dir(filepath.Dir(bin)), dir, filepath.Dir(dir)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	trace, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "in.sqlite")
	if err := os.WriteFile(in, trace, 0o644); err != nil {
		t.Fatal(err)
	}
	ro := filepath.Join(dir, "ro")
	if err := os.Mkdir(ro, 0o555); err != nil {
		t.Fatal(err)
	}
	asNobody := func(args ...string) (string, string, int) {
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		cmd.Env = []string{"HOME=" + dir, "PATH=/usr/bin:/bin"}
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("run as nobody: %v", err)
		}
		return out.String(), errb.String(), code
	}
	// the privileges are really dropped: nobody cannot write where root can
	if f, err := os.CreateTemp(ro, "root-probe"); err != nil {
		t.Fatalf("root cannot write to %s: %v", ro, err)
	} else {
		f.Close()
		os.Remove(f.Name())
	}
	if _, errOut, code := asNobody("report", in, "-o", filepath.Join(dir, "rw-check")); code != exitError || !strings.Contains(errOut, "cannot write to") {
		t.Fatalf("as nobody, a folder inside a root-owned 0755 folder: exit %d, %q; want the write refused", code, errOut)
	}
	// (the folder exists, so it is opened; the refusal comes with the first file, after the work:
	// "omnistat: write RO/stage_time.png: openat .stage_time.png.tmp-…: permission denied")
	out, errOut, code := asNobody("report", in, "-o", ro)
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	if code != exitError || out != "" || len(lines) != 1 || !strings.Contains(errOut, "permission denied") || !strings.Contains(errOut, ro) {
		t.Errorf("as nobody, read-only %s: exit %d, stdout %q, stderr %q; want exit 1 and one line naming it", ro, code, out, errOut)
	}
	assertEmpty(t, ro)
	// and with the folder writable, nobody writes the report: the refusal above was the folder's
	if err := os.Chmod(ro, 0o777); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := asNobody("report", in, "-o", ro); code != 0 {
		t.Errorf("as nobody, writable %s: exit %d: %s", ro, code, errOut)
	}
	if _, err := os.Stat(filepath.Join(ro, "report.md")); err != nil {
		t.Errorf("no report.md written as nobody: %v", err)
	}
}

func assertEmpty(t *testing.T, dir string) {
	t.Helper()
	if es, err := os.ReadDir(dir); err != nil || len(es) != 0 {
		t.Errorf("%s: %d entries after a refused report (%v)", dir, len(es), err)
	}
}
