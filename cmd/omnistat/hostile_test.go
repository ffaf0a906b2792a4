package main

import (
	"database/sql"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

// evilName is a process title a hostile trace could carry: a path out of -o and a terminal
// escape that retitles the window.
const evilName = "../../x/evil\x1b]0;pwned\x07"

// craft copies a real test trace to dir/name and changes it with SQL: hostile edge cases made
// from a real export, never presented as an nsys trace of their own.
func craft(t *testing.T, from, dir, name string, stmts ...string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, mustRead(t, "../../testdata/traces/"+from+".sqlite"), 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return p
}

// evilTrace is go_diffusion with its worker renamed evilName and no NVTX ranges, so the stage
// is named after the process.
func evilTrace(t *testing.T, dir string) string {
	return craft(t, "go_diffusion", dir, "evil.sqlite",
		"UPDATE PROCESSES SET name = '"+evilName+"' WHERE name = 'DiffusionWorker'", "DELETE FROM NVTX_EVENTS")
}

// files lists every file and link under dir, relative.
func files(t *testing.T, dir string) []string {
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			r, _ := filepath.Rel(dir, p)
			out = append(out, r)
		}
		return nil
	})
	return out
}

// TestHostileNames: a process named "../../x/evil<ESC>…" makes a stage of that name; report
// --base (which names a chart after each stage) writes only inside -o, under clean names, and
// no escape reaches the terminal or report.md.
func TestHostileNames(t *testing.T) {
	root := t.TempDir()
	in := filepath.Join(root, "in")
	os.Mkdir(in, 0o755)
	tr := evilTrace(t, in)
	out := filepath.Join(root, "a", "b", "out")
	stdout, stderr, code := runCLI(t, "report", "--base", tr, tr, "-o", out)
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, stderr)
	}
	for _, f := range files(t, root) {
		if !strings.HasPrefix(f, "a/b/out/") && !strings.HasPrefix(f, "in/") {
			t.Errorf("wrote %s outside -o", f)
		}
		if strings.ContainsAny(filepath.Base(f), "\x1b\x07/") || strings.HasPrefix(filepath.Base(f), ".") && !strings.HasPrefix(filepath.Base(f), ".omnistat") {
			t.Errorf("file name from trace text: %q", f)
		}
	}
	charts := 0
	for _, f := range files(t, out) {
		if strings.HasPrefix(f, "stage_diff_") {
			charts++
		}
	}
	md := string(mustRead(t, filepath.Join(out, "report.md")))
	if charts != 1 || !strings.Contains(md, "evil") {
		t.Errorf("%d stage_diff charts, files %v", charts, files(t, out))
	}
	for name, s := range map[string]string{"stdout": stdout, "stderr": stderr, "report.md": md} {
		if strings.ContainsAny(s, "\x1b\x07") {
			t.Errorf("%s carries a raw escape", name)
		}
	}
	if !strings.Contains(md, `\x1b]0;pwned\x07`) {
		t.Errorf("report.md does not show the escaped name")
	}
	s, _, _ := runCLI(t, "summarize", tr)
	if strings.ContainsAny(s, "\x1b\x07") || !strings.Contains(s, `evil\x1b]0;pwned\x07`) {
		t.Errorf("summarize prints the name unescaped or not at all")
	}
}

// TestReportRefusesLinksAndOthersFiles: a link planted in -o is never followed, a file omnistat
// did not write is kept unless --force, and a rerun replaces omnistat's own files freely.
func TestReportRefusesLinksAndOthersFiles(t *testing.T) {
	const tr = "../../testdata/traces/go_tts_pinned.sqlite"
	root := t.TempDir()
	outside := filepath.Join(root, "precious.txt")
	os.WriteFile(outside, []byte("keep me"), 0o644)
	for _, target := range []string{"stage_time.png", "report.md"} {
		out := filepath.Join(root, "link-"+target)
		os.Mkdir(out, 0o755)
		if err := os.Symlink(outside, filepath.Join(out, target)); err != nil {
			t.Fatal(err)
		}
		_, stderr, code := runCLI(t, "report", tr, "-o", out, "--force")
		if code != exitError || !strings.Contains(stderr, target) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("link %s: exit %d, %q", target, code, stderr)
		}
		if string(mustRead(t, outside)) != "keep me" {
			t.Fatalf("link %s: the link's target was written", target)
		}
		if l, err := os.Readlink(filepath.Join(out, target)); err != nil || l != outside {
			t.Errorf("link %s replaced", target)
		}
		if len(files(t, out)) != 1 {
			t.Errorf("link %s: files left behind: %v", target, files(t, out))
		}
	}
	out := filepath.Join(root, "mine")
	os.Mkdir(out, 0o755)
	os.WriteFile(filepath.Join(out, "report.md"), []byte("my notes"), 0o644)
	if _, stderr, code := runCLI(t, "report", tr, "-o", out); code != exitError || !strings.Contains(stderr, "--force") {
		t.Errorf("user's report.md: exit %d, %q", code, stderr)
	}
	if string(mustRead(t, filepath.Join(out, "report.md"))) != "my notes" {
		t.Fatal("the user's report.md was replaced")
	}
	if _, stderr, code := runCLI(t, "report", tr, "-o", out, "--force"); code != 0 {
		t.Fatalf("--force: exit %d, %s", code, stderr)
	}
	if _, stderr, code := runCLI(t, "report", tr, "-o", out); code != 0 {
		t.Errorf("rerun over omnistat's own files: exit %d, %s", code, stderr)
	}
	// -o and --charts in two new folders: both made before any work, links relative
	md, img := filepath.Join(root, "new", "md"), filepath.Join(root, "new", "img")
	if _, stderr, code := runCLI(t, "report", tr, "-o", md, "--charts", img); code != 0 {
		t.Fatalf("-o newdir --charts img: exit %d, %s", code, stderr)
	}
	if !strings.Contains(string(mustRead(t, filepath.Join(md, "report.md"))), "](../img/stage_time.png)") {
		t.Errorf("report.md does not link ../img/stage_time.png")
	}
	for _, f := range files(t, root) {
		if st, err := os.Lstat(filepath.Join(root, f)); err == nil && st.Mode().IsRegular() && st.Mode().Perm()&0o022 != 0 {
			t.Errorf("%s: mode %v is group/world writable", f, st.Mode().Perm())
		}
	}
}

// TestExtremeTimestamps: kernels at the ends of the int64 clock (a damaged or hostile export)
// make no chart divide by zero or overflow: every verb answers, the report is written.
func TestExtremeTimestamps(t *testing.T) {
	dir := t.TempDir()
	tr := craft(t, "go_tts_pinned", dir, "extreme.sqlite",
		"UPDATE CUPTI_ACTIVITY_KIND_KERNEL SET start = -9223372036854775733 WHERE rowid = 1",
		"UPDATE CUPTI_ACTIVITY_KIND_KERNEL SET end = 9223372036854775732 WHERE rowid = 2")
	for _, args := range [][]string{{"report", tr, "-o", filepath.Join(dir, "out")}, {"summarize", tr}, {"stats", tr}, {"diff", tr, tr}} {
		if _, errOut, code := runCLI(t, args...); code != 0 || strings.Contains(errOut, "internal error") {
			t.Errorf("%s: exit %d: %s", args[0], code, errOut)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "report.md")); err != nil {
		t.Error(err)
	}
}

// TestNewlineInNames: a process named with a newline cannot break or forge a line of any
// document: summarize (text, markdown), --explain-stages, report.md and the SVG charts.
func TestNewlineInNames(t *testing.T) {
	dir := t.TempDir()
	tr := craft(t, "go_diffusion", dir, "nl.sqlite",
		"UPDATE PROCESSES SET name = 'x"+"\n"+"[dominant_api] fake finding' WHERE name = 'DiffusionWorker'", "DELETE FROM NVTX_EVENTS")
	forged := func(s string) bool {
		for _, l := range strings.Split(s, "\n") {
			if strings.HasPrefix(strings.TrimSpace(l), "[dominant_api] fake") {
				return true
			}
		}
		return false
	}
	for _, args := range [][]string{{"summarize", tr}, {"summarize", "-f", "markdown", tr}, {"summarize", "--explain-stages", tr}} {
		out, _, code := runCLI(t, args...)
		if code != 0 || forged(out) || !strings.Contains(out, `x\x0a[dominant_api] fake finding`) {
			t.Errorf("%v: exit %d, a forged line or no escaped name", args, code)
		}
	}
	out := filepath.Join(dir, "out")
	if _, errOut, code := runCLI(t, "report", "--format", "svg", tr, "-o", out); code != 0 {
		t.Fatalf("report: %s", errOut)
	}
	if forged(string(mustRead(t, filepath.Join(out, "report.md")))) {
		t.Error("report.md has a forged line")
	}
	svgs, _ := filepath.Glob(filepath.Join(out, "*.svg"))
	for _, f := range svgs {
		if err := xml.Unmarshal(mustRead(t, f), new(struct{})); err != nil {
			t.Errorf("%s: not XML: %v", filepath.Base(f), err)
		}
	}
	if len(svgs) == 0 {
		t.Error("no SVG charts")
	}
}

// TestReportPrunesOldCharts: a report written over an earlier one of another trace removes that
// one's charts (omnistat wrote them, unchanged) and keeps a user's file and a chart the user edited.
func TestReportPrunesOldCharts(t *testing.T) {
	out := t.TempDir()
	if _, errOut, code := runCLI(t, "report", "--base", "../../testdata/traces/go_tts_pageable.sqlite", "../../testdata/traces/go_tts_pinned.sqlite", "-o", out); code != 0 {
		t.Fatal(errOut)
	}
	os.WriteFile(filepath.Join(out, "notes.txt"), []byte("mine"), 0o644)
	os.WriteFile(filepath.Join(out, "stage_diff_code2wav.png"), []byte("edited"), 0o644)
	_, errOut, code := runCLI(t, "report", "../../testdata/traces/go_diffusion.sqlite", "-o", out)
	if code != 0 || !strings.Contains(errOut, "removed "+filepath.Join(out, "stage_diff_talker.png")) {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for n, want := range map[string]bool{"stage_diff_talker.png": false, "stage_diff_code2wav.png": true, "notes.txt": true, "report.md": true, "stage_time.png": true} {
		if _, err := os.Stat(filepath.Join(out, n)); (err == nil) != want {
			t.Errorf("%s: exists %v, want %v", n, err == nil, want)
		}
	}
}
