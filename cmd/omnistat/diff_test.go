package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func TestDiffCLI(t *testing.T) {
	p, g := "../../testdata/traces/go_tts_pageable.sqlite", "../../testdata/traces/go_tts_graphs.sqlite"
	// identical inputs trip no gate
	out, errOut, code := runCLI(t, "diff", p, p, "--fail-on", "api_calls>+1%", "--fail-on", "wall>+0%", "--fail-on", "stage:talker:range:talker.decode_step>+0%")
	if code != 0 || strings.Contains(out, "TRIPPED") {
		t.Errorf("identical: exit %d\n%s%s", code, out, errOut)
	}
	// a rise in API calls trips the gate: exit 3, naming it; a fall does not
	_, errOut, code = runCLI(t, "diff", g, p, "--fail-on", "api_calls>+1%")
	if code != exitGate || !strings.Contains(errOut, "api_calls>+1% (+755.0%)") {
		t.Errorf("rise: exit %d: %s", code, errOut)
	}
	if _, _, code = runCLI(t, "diff", p, g, "--fail-on", "api_calls>+1%"); code != 0 {
		t.Errorf("fall: exit %d", code)
	}
	// malformed gates and arguments are usage errors
	for _, args := range [][]string{{"diff", p, g, "--fail-on", "api_calls>1%"}, {"diff", p}, {"diff", p, g, "--format", "csv"}} {
		if _, _, code := runCLI(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	// the text output, and JSON with the per-stage verdicts
	out, _, _ = runCLI(t, "diff", p, g)
	checkOutput(t, "diff_text.txt", out)
	out, _, _ = runCLI(t, "diff", "--format", "json", p, g, "--fail-on", "kernels>+0")
	var d struct {
		Stages []struct{ Stage, Verdict, Per string }
		Gates  []struct {
			Gate    string
			Tripped bool
		}
	}
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Stages) != 2 || d.Stages[0].Per != "omnistat:talker.decode_step" || !strings.Contains(d.Stages[0].Verdict, "cuLaunchKernel vanished") || len(d.Gates) != 1 || d.Gates[0].Tripped {
		t.Errorf("json: %+v", d)
	}
}

// TestReportBase: report --base adds the verdicts and a before/after chart per stage.
func TestReportBase(t *testing.T) {
	dir := t.TempDir()
	p, g := "../../testdata/traces/go_tts_pageable.sqlite", "../../testdata/traces/go_tts_graphs.sqlite"
	if _, errOut, code := runCLI(t, "report", "--base", p, g, "-o", dir); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	md := string(mustRead(t, dir+"/report.md"))
	for _, want := range []string{"## Compared with " + p, "- talker: ", "stage_diff_talker.png", "stage_diff_code2wav.png"} {
		if !strings.Contains(md, want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
}

// TestSeveralFilesPerSide: a side may be a folder of exports (a repeat capture): merged, twice
// the API calls of one of them, so the gate trips.
func TestSeveralFilesPerSide(t *testing.T) {
	p := "../../testdata/traces/go_tts_pageable.sqlite"
	dir := t.TempDir()
	b := mustRead(t, p)
	for _, n := range []string{"run.1.sqlite", "run.2.sqlite"} {
		if err := os.WriteFile(dir+"/"+n, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, errOut, code := runCLI(t, "diff", p, dir, "--per", "none", "--fail-on", "api_calls>+50%")
	if code != exitGate || !strings.Contains(errOut, "merged 2 exports") || !strings.Contains(errOut, "(+100.0%)") {
		t.Errorf("exit %d: %s", code, errOut)
	}
	out, _, code := runCLI(t, "summarize", "--merge", "--format", "json", dir)
	if code != 0 || !strings.Contains(out, `"replicas": 2`) {
		t.Errorf("summarize --merge: exit %d", code)
	}
	// one file given twice (by the same or another name) would count every event twice
	if err := os.Symlink(dir+"/run.1.sqlite", dir+"/link.sqlite"); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{p + "," + p}, {p, p}, {dir + "/run.1.sqlite," + dir + "/link.sqlite"}} {
		out, errOut, code := runCLI(t, append([]string{"summarize", "--merge"}, args...)...)
		if code != exitUsage || out != "" || !strings.Contains(errOut, "are the same file") {
			t.Errorf("summarize --merge %q: exit %d, %q", args, code, errOut)
		}
	}
	if _, errOut, code := runCLI(t, "diff", p+","+p, p); code != exitUsage || !strings.Contains(errOut, "are the same file") {
		t.Errorf("diff with a file twice on one side: exit %d, %q", code, errOut)
	}
}
