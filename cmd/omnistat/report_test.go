package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReport: report.md with at least four charts that exist, on a TTS and a diffusion trace,
// and the same tables and findings as summarize (the charts section aside).
func TestReport(t *testing.T) {
	for _, name := range []string{"go_tts_pageable", "go_diffusion_w2"} {
		dir := t.TempDir()
		db := "../../testdata/traces/" + name + ".sqlite"
		_, errOut, code := runCLI(t, "report", db, "-o", dir)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, errOut)
		}
		md, err := os.ReadFile(filepath.Join(dir, "report.md"))
		if err != nil {
			t.Fatal(err)
		}
		links := regexp.MustCompile(`!\[[^\]]+\]\(([^)]+)\)`).FindAllStringSubmatch(string(md), -1)
		if len(links) < 4 {
			t.Errorf("%s: %d charts in report.md, want at least 4", name, len(links))
		}
		for _, l := range links {
			if st, err := os.Stat(filepath.Join(dir, l[1])); err != nil || st.Size() < 5000 {
				t.Errorf("%s: chart %s missing or tiny", name, l[1])
			}
		}
		sum, _, _ := runCLI(t, "summarize", "--format", "markdown", db)
		body := string(md)
		i := strings.Index(body, "## Charts")
		j := i + strings.Index(body[max(i, 0):], "\n## Stage ")
		if i < 0 || j < i {
			t.Fatalf("%s: report.md layout:\n%s", name, body)
		}
		if got := body[:i] + body[j:]; got != sum {
			t.Errorf("%s: report.md without its charts differs from summarize --format markdown", name)
		}
	}
}

func TestReportErrors(t *testing.T) {
	db := "../../testdata/traces/go_tts_pageable.sqlite"
	for _, args := range [][]string{{"report", db}, {"report", db, "-o", "-"}, {"report", db, "-o", t.TempDir(), "--format", "gif"}} {
		if _, _, code := runCLI(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	// markdown on stdout, charts in a folder
	dir := t.TempDir()
	out, _, code := runCLI(t, "report", db, "-o", "-", "--charts", dir, "--format", "svg")
	if code != 0 || !strings.Contains(out, "## Charts") || !strings.Contains(out, ".svg)") {
		t.Errorf("-o -: exit %d\n%s", code, out)
	}
	// an unwritable folder: TestReportUnwritable (as root too)
}
