package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
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
	if len(d.Stages) != 2 || d.Stages[0].Per != "talker.decode_step" || !strings.Contains(d.Stages[0].Verdict, "cuLaunchKernel gone") || len(d.Gates) != 1 || d.Gates[0].Tripped {
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
	// copies of one export are windows of one run (one host, one clock): a PID in both is one
	// process, not two replicas
	out, _, code := runCLI(t, "summarize", "--merge", "--format", "json", dir)
	if code != 0 || strings.Contains(out, `"replicas": 2`) || !strings.Contains(out, `"windows"`) {
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

// TestDiffJSONKeys: every JSON key of a diff is unique within its object and named for its
// unit; empty lists are [], not null.
func TestDiffJSONKeys(t *testing.T) {
	p := "../../testdata/traces/foreign_tts_a.sqlite"
	out, _, code := runCLI(t, "diff", "-f", "json", p, "../../testdata/traces/foreign_tts_slow.sqlite")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	// a decoder that fails on a repeated key in any object
	var walk func(dec *json.Decoder) error
	walk = func(dec *json.Decoder) error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'):
			seen := map[string]bool{}
			for dec.More() {
				k, _ := dec.Token()
				if seen[k.(string)] {
					return fmt.Errorf("key %q twice in one object", k)
				}
				seen[k.(string)] = true
				if err := walk(dec); err != nil {
					return err
				}
			}
			_, err = dec.Token()
		case json.Delim('['):
			for dec.More() {
				if err := walk(dec); err != nil {
					return err
				}
			}
			_, err = dec.Token()
		}
		return err
	}
	if err := walk(json.NewDecoder(strings.NewReader(out))); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"change_ns"`, `"change_pct"`, `"base_ns"`, `"gates": []`, `"per": "decode_step"`, `"steps_base": 78`, `"status": "changed"`} {
		if !strings.Contains(out, want) {
			t.Errorf("diff JSON lacks %s", want)
		}
	}
	if strings.Contains(out, "null,") && strings.Contains(out, `"gates": null`) {
		t.Error("null list")
	}
}

// TestGateTyposAndFiles: a gate or --per that matches nothing in either run is a usage error
// naming the closest names; gates can come from a file; a slower build trips the per-step gate
// that two captures of one build pass.
func TestGateTyposAndFiles(t *testing.T) {
	a, b, slow := "../../testdata/traces/foreign_tts_a.sqlite", "../../testdata/traces/foreign_tts_b.sqlite", "../../testdata/traces/foreign_tts_slow.sqlite"
	for args, want := range map[string]string{
		"--fail-on|stage:talker:wall>+5%":        `no stage "talker" in either trace: did you mean tts-talker?`,
		"--fail-on|api:cudaMemcpyasync>+5%":      "did you mean cudaMemcpyAsync?",
		"--fail-on|range:decode_stp>+5%":         "did you mean decode_step",
		"--per|decode_stpe":                      `--per "decode_stpe": no such range in either trace: did you mean decode_step?`,
		"--fail-on|stage:tts-talker:wall>5%":     "a bound in % is for shares",
		"--fail-on|stage:tts-talker:steps>-10%":  "a rise is >+X, a drop <-X",
		"--fail-on|kernel:nope_nothing_here>+1%": `no kernel matching "nope_nothing_here"`,
	} {
		flag, val, _ := strings.Cut(args, "|")
		out, errOut, code := runCLI(t, "diff", a, b, flag, val)
		if code != exitUsage || out != "" || !strings.Contains(errOut, want) {
			t.Errorf("%s %s: exit %d, %q, want exit 2 and %q", flag, val, code, errOut, want)
		}
	}
	gates := filepath.Join(t.TempDir(), "gates.txt")
	os.WriteFile(gates, []byte("# decode step, per step by default\nstage:tts-talker:wall>+10%\n\nstage:tts-talker:steps<-10%\n"), 0o644)
	if _, errOut, code := runCLI(t, "diff", a, b, "--fail-on-file", gates); code != 0 {
		t.Errorf("a → b (same build): exit %d: %s", code, errOut)
	}
	_, errOut, code := runCLI(t, "diff", a, slow, "--fail-on-file", gates)
	if code != exitGate || !strings.Contains(errOut, "stage:tts-talker:wall>+10%") || strings.Contains(errOut, "steps<-10%") {
		t.Errorf("a → slow: exit %d: %s", code, errOut)
	}
	// the gate file of docs/diff.md's CI recipe: the same build passes, the slower one trips
	os.WriteFile(gates, []byte("stage:tts-talker:gpu_time>+8%\nstage:tts-talker:range:decode_step>+10%\nstage:tts-talker:steps<-10%             # a drop\nstage:tts-talker:api:cudaMemcpyAsync:share>+10%\n"), 0o644)
	if _, errOut, code := runCLI(t, "diff", a, b, "--fail-on-file", gates); code != 0 {
		t.Errorf("CI recipe, same build: exit %d: %s", code, errOut)
	}
	if _, errOut, code := runCLI(t, "diff", b, slow, "--fail-on-file", gates); code != exitGate || !strings.Contains(errOut, "2 gate(s) tripped") {
		t.Errorf("CI recipe, slower build: exit %d: %s", code, errOut)
	}
	os.WriteFile(gates, []byte("wall>+1%\nnot a gate\n"), 0o644)
	if _, errOut, code := runCLI(t, "diff", a, b, "--fail-on-file", gates); code != exitUsage || !strings.Contains(errOut, "gates.txt:2") {
		t.Errorf("bad line: exit %d: %s", code, errOut)
	}
}

// TestRepeatWindows: the two windows of a real repeat capture (foreign_repeat.1 and .2, one run,
// nsys 2025.3.1) merge onto one clock from their session starts (4,147.6 ms apart) and the same
// processes stay one process each; without the clock they would overlap.
func TestRepeatWindows(t *testing.T) {
	w1, w2 := "../../testdata/traces/foreign_repeat.1.sqlite", "../../testdata/traces/foreign_repeat.2.sqlite"
	out, errOut, code := runCLI(t, "summarize", "--merge", w1+","+w2)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"2 exports merged on one clock", "foreign_repeat.2.sqlite (+4147.6 ms)", "win-encoder  523 ", "win-decoder  524 "} {
		if !strings.Contains(out, want) {
			t.Errorf("merged summary lacks %q", want)
		}
	}
	s := summarizeJSON(t, "foreign_repeat.1")
	one := 0
	for _, st := range s[0].Stages {
		one += len(st.PIDs)
	}
	var m summaryJSON
	js, _, _ := runCLI(t, "summarize", "--merge", "-f", "json", w1+","+w2)
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		t.Fatal(err)
	}
	both := 0
	for i, st := range m[0].Stages {
		both += len(st.PIDs)
		// the 4.1 s between the windows was not recorded: it is neither in the wall time nor an
		// idle gap, and the merged wall is more than one window's
		if w1 := s[0].Stages[i].WallNs; st.WallNs <= w1 || st.WallNs > 2*w1+10_000_000 {
			t.Errorf("%s: merged wall %d ns, one window %d ns", st.Stage, st.WallNs, w1)
		}
		for _, f := range st.Findings {
			if f.ID == "gpu_gap" {
				t.Errorf("%s: a gap between the windows: %s", st.Stage, f.Message)
			}
		}
	}
	if one != 2 || both != 2 {
		t.Errorf("processes: one window %d, merged %d; want 2 and 2", one, both)
	}
}

// TestPerStepWithMoreSteps: a run with twice the vocoder chunks (two captures of one build merged
// as one side: 16 start/end decode_chunk ranges, ended on another thread, against 8) is compared
// per chunk: about the same per step, where totals would say twice as slow; and a --per gate on the
// chunks does not trip.
func TestPerStepWithMoreSteps(t *testing.T) {
	a, b := "../../testdata/traces/foreign_tts_a.sqlite", "../../testdata/traces/foreign_tts_b.sqlite"
	out, errOut, code := runCLI(t, "diff", "-f", "json", a, a+","+b, "--fail-on", "stage:tts-vocoder:gpu_time>+10%", "--fail-on", "stage:tts-vocoder:gpu_time_total>+50%")
	if code != exitGate {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var d struct {
		Stages []struct {
			Stage               string
			Per                 string
			StepsBase, StepsNew int64   `json:"-"`
			SB                  int64   `json:"steps_base"`
			SN                  int64   `json:"steps_new"`
			WallChange          float64 `json:"wall_change_pct"`
		}
		Gates []struct {
			Gate    string
			Tripped bool
		}
	}
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range d.Stages {
		// the two captures of the merged side ran minutes apart: the time between them was not
		// recorded and is no wall time (it would make each step ~17× slower)
		if s.WallChange > 10 || s.WallChange < -10 {
			t.Errorf("%s: wall per step changes %.1f%% between captures of one build", s.Stage, s.WallChange)
		}
		if s.Stage == "tts-vocoder" {
			found = true
			if s.Per != "decode_chunk" || s.SB != 8 || s.SN != 16 {
				t.Errorf("vocoder compared per %q, %d → %d steps", s.Per, s.SB, s.SN)
			}
		}
	}
	if !found || len(d.Gates) != 2 || d.Gates[0].Tripped || !d.Gates[1].Tripped {
		t.Errorf("stages %+v gates %+v: the per-step gate must pass, the totals gate trip", d.Stages, d.Gates)
	}
}

// TestGateLines: gate values carry their unit, rounded (ns with separators, shares in %, their
// changes in percentage points), and markdown lists the gates one a line.
func TestGateLines(t *testing.T) {
	a, slow := "../../testdata/traces/foreign_tts_a.sqlite", "../../testdata/traces/foreign_tts_slow.sqlite"
	args := []string{"diff", a, slow, "--fail-on", "stage:tts-talker:api:cudaMemcpyAsync:share>+10%", "--fail-on", "wall>1ms",
		"--fail-on", "gpu_time>+8ns", "--fail-on", "stage:tts-talker:range:decode_step>+10%"}
	out, _, _ := runCLI(t, args...)
	for _, want := range []string{"+13.4 pp (totals)", "568,791,096 ns, bound > 1,000,000 ns (totals)", "+1,045,407 ns (per step of decode_step, 78 → 78 steps)", "(mean per range instance)"} {
		if !strings.Contains(out, want) {
			t.Errorf("gates lack %q", want)
		}
	}
	if regexp.MustCompile(`\d\.\d{4,}|e\+0`).MatchString(out[strings.Index(out, "Gates"):]) {
		t.Error("an unrounded or scientific value in the gates")
	}
	md, _, _ := runCLI(t, append(args, "-f", "markdown")...)
	if !strings.Contains(md, "\n- **TRIPPED** stage:tts-talker:api:cudaMemcpyAsync:share>+10%") {
		t.Error("markdown gates are not a list")
	}
}

// TestGateCannotBeEvaluated: a gate whose stage is not in the run it reads fails (exit 1, the
// line says why), a bound on NEW included; runs with no stage in common fail every gate unless
// --allow-unlike; a time without a unit and a misplaced blank are usage errors that say so.
func TestGateCannotBeEvaluated(t *testing.T) {
	p, g, d := "../../testdata/traces/go_tts_pageable.sqlite", "../../testdata/traces/go_tts_graphs.sqlite", "../../testdata/traces/go_diffusion.sqlite"
	both := p + "," + d // a base with a diffusion stage that NEW lacks
	out, errOut, code := runCLI(t, "diff", both, p, "--fail-on", "stage:diffusion:gpu_time>+5%",
		"--fail-on", "stage:diffusion:api:cuLaunchKernel:share>10%", "--fail-on", "api_calls>+1%")
	if code != exitError || !strings.Contains(errOut, "2 gate(s) could not be evaluated: stage:diffusion:gpu_time>+5%, stage:diffusion:api:cuLaunchKernel:share>10% (stage diffusion is not in the new trace (its stages: talker, code2wav))") {
		t.Errorf("missing stage: exit %d: %s", code, errOut)
	}
	if i := strings.Index(out, "Gates"); i < 0 || !strings.Contains(out, "FAILED  stage:diffusion:api:cuLaunchKernel:share>10%: cannot be evaluated: stage diffusion is not in the new trace") ||
		strings.Contains(out, "ok      stage:diffusion") || !strings.Contains(out, "ok      api_calls>+1%") {
		t.Errorf("missing stage, gate lines:\n%s", out)
	}
	// a bound reads NEW alone: a stage only NEW has is evaluated; a change needs it in BASE
	_, errOut, code = runCLI(t, "diff", p, both, "--fail-on", "stage:diffusion:api:cuLaunchKernel:share>99.9%")
	if code != 0 {
		t.Errorf("bound on a stage NEW has: exit %d: %s", code, errOut)
	}
	_, errOut, code = runCLI(t, "diff", p, both, "--fail-on", "stage:diffusion:gpu_time>+5%")
	if code != exitError || !strings.Contains(errOut, "stage diffusion is not in the base trace (its stages: talker, code2wav)") {
		t.Errorf("change on a stage BASE lacks: exit %d: %s", code, errOut)
	}
	js, _, _ := runCLI(t, "diff", "-f", "json", both, p, "--fail-on", "stage:diffusion:gpu_time>+5%")
	if !strings.Contains(js, `"failed": "stage diffusion is not in the new trace`) {
		t.Errorf("json lacks the failure: %s", js)
	}
	// unlike runs: the whole-trace gate fails too, with the reason; --allow-unlike compares
	_, errOut, code = runCLI(t, "diff", p, d, "--fail-on", "wall>+1000%")
	if code != exitError || !strings.Contains(errOut, "the runs share no stage (base: talker, code2wav; new: diffusion)") {
		t.Errorf("unlike: exit %d: %s", code, errOut)
	}
	if _, errOut, code = runCLI(t, "diff", p, d, "--fail-on", "wall>+1000%", "--allow-unlike"); code != 0 {
		t.Errorf("--allow-unlike: exit %d: %s", code, errOut)
	}
	if _, errOut, code = runCLI(t, "diff", p, d); code != 0 { // no gate: a report, exit 0
		t.Errorf("unlike without gates: exit %d: %s", code, errOut)
	}
	for gate, want := range map[string]string{
		"stage:talker:gpu_time>+8":  "gpu_time is a time: give the unit (stage:talker:gpu_time>+8ms, or ns, us, s) or a relative change (stage:talker:gpu_time>+8%)",
		"stage:talker:gpu time>+8%": "no METRIC after the stage name (blanks are allowed only around the comparison",
	} {
		if _, errOut, code := runCLI(t, "diff", p, g, "--fail-on", gate); code != exitUsage || !strings.Contains(errOut, want) {
			t.Errorf("%s: exit %d: %s", gate, code, errOut)
		}
	}
	if _, errOut, code := runCLI(t, "diff", p, p, "--fail-on", "stage:talker:gpu_time >+8%"); code != 0 {
		t.Errorf("a blank before the comparison: exit %d: %s", code, errOut)
	}
}
