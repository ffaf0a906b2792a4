package main

import (
	"bytes"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/export"
)

// TestExportDuckDB runs docs/export.sql in a real DuckDB (the npm package @duckdb/node-api,
// which testdata/duckdb/check.sh installs) over the Parquet export of every test trace and
// compares the stage overview and each stage's kernel, CUDA API, NVTX, memory and step tables
// with summarize's JSON, value for value. CI installs node and npm (.ci/run); elsewhere the test
// is skipped without them.
func TestExportDuckDB(t *testing.T) {
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "" {
				t.Skipf("no %s (CI installs it: apt-get install nodejs npm)", tool)
			}
			t.Fatalf("CI is set and %s is missing (.ci/run installs it)", tool)
		}
	}
	traces, _ := filepath.Glob("../../testdata/traces/*.sqlite")
	if len(traces) < 20 {
		t.Fatalf("%d test traces", len(traces))
	}
	dir := t.TempDir()
	if _, errOut, code := runCLI(t, append([]string{"export", "--format", "parquet", "-o", filepath.Join(dir, "runs")}, traces...)...); code != 0 {
		t.Fatalf("export: exit %d: %s", code, errOut)
	}
	out, errOut, code := runCLI(t, append([]string{"summarize", "--format", "json", "--top", "1000000"}, traces...)...)
	if code != 0 {
		t.Fatalf("summarize: exit %d: %s", code, errOut)
	}
	if err := os.WriteFile(filepath.Join(dir, "summary.json"), []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", "../../testdata/duckdb/check.sh", "--data", dir)
	got, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("DuckDB check failed: %v\n%s", err, got)
	}
	if n := strings.Count(string(got), " values compared"); n != len(traces) || !strings.Contains(string(got), "OK: ") {
		t.Fatalf("DuckDB checked %d of %d traces:\n%s", n, len(traces), got)
	}
	t.Logf("%s", got)
}

// TestExportDuckDBNullIDs: on a copy of tts_pinned with NULL correlation ids in the kernel, copy,
// memset and CUDA API tables, DuckDB over the export still reproduces summarize, finds exactly as
// many null correlation_ids as the export has NULL ids, and no BIGINT column holds -2⁶³ (the
// model's NULL written as a number); skipped like TestExportDuckDB without node and npm.
func TestExportDuckDBNullIDs(t *testing.T) {
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "" {
				t.Skipf("no %s (CI installs it: apt-get install nodejs npm)", tool)
			}
			t.Fatalf("CI is set and %s is missing (.ci/run installs it)", tool)
		}
	}
	dir := t.TempDir()
	tables := []string{"CUPTI_ACTIVITY_KIND_KERNEL", "CUPTI_ACTIVITY_KIND_RUNTIME", "CUPTI_ACTIVITY_KIND_MEMCPY", "CUPTI_ACTIVITY_KIND_MEMSET"}
	var stmts []string
	for _, tb := range tables {
		stmts = append(stmts, "UPDATE "+tb+" SET correlationId = NULL WHERE rowid % 7 = 0 OR rowid % 3 = 0")
	}
	p := craft(t, "tts_pinned", dir, "nullcorr.sqlite", stmts...)
	db, err := sql.Open("sqlite", p)
	if err != nil {
		t.Fatal(err)
	}
	nulls := map[string]int{}
	for _, tb := range tables {
		var n int
		if err := db.QueryRow("SELECT count(*) FROM " + tb + " WHERE correlationId IS NULL").Scan(&n); err != nil {
			t.Fatal(err)
		}
		nulls[tb] = n
	}
	db.Close()
	if _, errOut, code := runCLI(t, "export", "--format", "parquet", "-o", filepath.Join(dir, "runs"), p); code != 0 {
		t.Fatalf("export: exit %d: %s", code, errOut)
	}
	out, errOut, code := runCLI(t, "summarize", "--format", "json", "--top", "1000000", p)
	if code != 0 {
		t.Fatalf("summarize: exit %d: %s", code, errOut)
	}
	if err := os.WriteFile(filepath.Join(dir, "summary.json"), []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := exec.Command("bash", "../../testdata/duckdb/check.sh", "--data", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("DuckDB check failed: %v\n%s", err, got)
	}
	want := fmt.Sprintf("%s: null correlation ids: kernels %d, api %d, memops %d", p, nulls[tables[0]], nulls[tables[1]],
		nulls[tables[2]]+nulls[tables[3]])
	if !strings.Contains(string(got), want) || !strings.Contains(string(got), "OK: ") {
		t.Fatalf("DuckDB: want %q:\n%s", want, got)
	}
}

// TestExportSameName: two inputs of one file name, from two folders, get two folders (the
// second numbered), each holding what exporting that input alone writes: the second no longer
// replaces the first. One file given twice (by its path, or through a link) is a usage error,
// and nothing is written: its events would be counted twice over the folders.
func TestExportSameName(t *testing.T) {
	link := filepath.Join(t.TempDir(), "again.sqlite")
	abs, _ := filepath.Abs(pageable)
	if err := os.Symlink(abs, link); err != nil {
		t.Fatal(err)
	}
	for _, second := range []string{pageable, link} {
		out := filepath.Join(t.TempDir(), "runs")
		_, errOut, code := runCLI(t, "export", "-o", out, pageable, second)
		if _, err := os.Stat(out); code != exitUsage || !strings.Contains(errOut, "are the same file") || err == nil {
			t.Errorf("%s twice: exit %d, %q, output folder made: %v", second, code, errOut, err == nil)
		}
	}
	other := filepath.Join(t.TempDir(), filepath.Base(pageable)) // another trace under pageable's name
	b, err := os.ReadFile("../../testdata/traces/go_tts_pinned.sqlite")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(other, b, 0o644); err != nil {
		t.Fatal(err)
	}
	both, alone1, alone2 := t.TempDir(), t.TempDir(), t.TempDir()
	for _, args := range [][]string{{"-o", both, pageable, other}, {"-o", alone1, pageable}, {"-o", alone2, other}} {
		if _, errOut, code := runCLI(t, append([]string{"export"}, args...)...); code != 0 {
			t.Fatalf("export %v: exit %d: %s", args, code, errOut)
		}
	}
	name := strings.TrimSuffix(filepath.Base(pageable), ".sqlite")
	for _, c := range []struct{ folder, alone string }{{name, alone1}, {name + "-2", alone2}} {
		for _, f := range export.Files {
			got, err := os.ReadFile(filepath.Join(both, c.folder, f))
			want, _ := os.ReadFile(filepath.Join(c.alone, name, f))
			if err != nil || len(want) == 0 || !bytes.Equal(got, want) {
				t.Errorf("%s/%s: %d bytes (%v), %d exporting its input alone", c.folder, f, len(got), err, len(want))
			}
		}
	}
}

// TestExportFiles: one folder of files per input, named from the input; a rerun replaces its
// own files; a file omnistat did not write and a planted link are refused, and nothing of that
// input is written.
func TestExportFiles(t *testing.T) {
	dir := t.TempDir()
	args := []string{"export", "-o", dir, pageable, "../../testdata/traces/go_diffusion_2gpu.sqlite"}
	for range 2 { // the second run replaces the first one's files
		if _, errOut, code := runCLI(t, args...); code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
	}
	for _, folder := range []string{"tts_pageable", "go_diffusion_2gpu"} {
		for _, f := range export.Files {
			if st, err := os.Stat(filepath.Join(dir, folder, f)); err != nil || st.Size() == 0 {
				t.Errorf("%s/%s: %v", folder, f, err)
			}
		}
	}
	// a user's file in the way
	user := filepath.Join(dir, "tts_pageable", "nvtx.parquet")
	os.WriteFile(user, []byte("mine"), 0o644)
	_, errOut, code := runCLI(t, args...)
	if code != exitError || !strings.Contains(errOut, "refusing to replace") || !strings.Contains(errOut, "--force") {
		t.Errorf("over a user's file: exit %d, %q", code, errOut)
	}
	if b, _ := os.ReadFile(user); string(b) != "mine" {
		t.Errorf("the user's file was replaced")
	}
	if _, errOut, code := runCLI(t, append(args, "--force")...); code != 0 {
		t.Errorf("--force: exit %d: %s", code, errOut)
	}
	// a link planted in the folder
	target := filepath.Join(t.TempDir(), "elsewhere")
	os.WriteFile(target, []byte("keep"), 0o644)
	link := filepath.Join(dir, "tts_pageable", "kernels.parquet")
	os.Remove(link)
	if err := os.Symlink(target, link); err != nil {
		t.Skip(err)
	}
	_, errOut, code = runCLI(t, append(args, "--force")...)
	if code != exitError || !strings.Contains(errOut, "symbolic link") {
		t.Errorf("over a link: exit %d, %q", code, errOut)
	}
	if b, _ := os.ReadFile(target); string(b) != "keep" {
		t.Errorf("the link's target was written")
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"export", pageable}, "missing -o DIR"},
		{[]string{"export", "-o", "-", pageable}, "missing -o DIR"},
		{[]string{"export", "--format", "csv", "-o", dir, pageable}, `unknown --format "csv"`},
		{[]string{"export", "-o", dir}, "missing TRACE"},
	} {
		out, errOut, code := runCLI(t, c.args...)
		if code != exitUsage || out != "" || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and %q", c.args, code, out, errOut, c.want)
		}
	}
}
