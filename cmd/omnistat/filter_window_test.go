package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/summary"
)

// filteredJSON is the part of summarize's JSON a filter changes.
type filteredJSON []struct {
	Filter *struct {
		Flag, Value string
		StartNs     *int64 `json:"start_ns"`
		EndNs       *int64 `json:"end_ns"`
		PID, TID    int64
	}
	Stages []struct {
		Stage   string
		WallNs  int64   `json:"wall_ns"`
		GPUBusy int64   `json:"gpu_busy_ns"`
		GPUPct  float64 `json:"gpu_busy_pct"`
		Devices int     `json:"gpu_count"`
	}
}

// TestSummarizeFilterWindow: under a filter a stage's wall time is clipped to the window (the
// filter keeps the whole 140 ms request ranges that overlap a 20 ms window, and the talker's
// GPU is busy nearly all of that window), and the summary names its window.
func TestSummarizeFilterWindow(t *testing.T) {
	db := "../../testdata/traces/go_tts_pageable.sqlite"
	tr := readGo(t, "go_tts_pageable")
	lo, hi := slices.Min(tr.Kernels.Start), slices.Max(tr.Kernels.End)
	a := lo + (hi-lo)/3
	b := a + 20_000_000
	win := fmt.Sprintf("%d/%d", a, b)
	out, errOut, code := runCLI(t, "summarize", "-f", "json", "--filter-time", win, db)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var s filteredJSON
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatal(err)
	}
	if f := s[0].Filter; f == nil || f.Flag != "--filter-time" || f.Value != win || f.StartNs == nil || *f.StartNs != a {
		t.Errorf("JSON filter %+v; want --filter-time %s from %d", f, win, a)
	}
	talker := false
	for _, st := range s[0].Stages {
		if st.WallNs > b-a || st.GPUBusy > st.WallNs*int64(st.Devices) {
			t.Errorf("stage %s: wall %d ns, GPU busy %d ns in a window of %d ns", st.Stage, st.WallNs, st.GPUBusy, b-a)
		}
		if st.Stage == "talker" {
			talker = true
			if st.WallNs != b-a || st.GPUPct < 90 {
				t.Errorf("talker: wall %d ns, GPU busy %.1f%%; want the whole window, busy over 90%%", st.WallNs, st.GPUPct)
			}
		}
	}
	if !talker {
		t.Error("no talker stage in the window")
	}
	text, errOut, code := runCLI(t, "summarize", "--filter-time", win, db)
	want := fmt.Sprintf("window: --filter-time %s (%s–%s ns).", win, sep(a), sep(b))
	if code != 0 || !strings.Contains(text, want) {
		t.Errorf("exit %d (%s); text lacks %q:\n%s", code, errOut, want, text)
	}
	out, errOut, code = runCLI(t, "summarize", "-f", "json", "--filter-nvtx", "talker.decode_step@omnistat/5", db)
	s = nil
	if code != 0 || json.Unmarshal([]byte(out), &s) != nil || s[0].Filter == nil || s[0].Filter.Flag != "--filter-nvtx" || s[0].Filter.PID == 0 {
		t.Errorf("--filter-nvtx: exit %d (%s), %s", code, errOut, out)
	}
}

func sep(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// TestReportFilterWindow: report.md and report.html say which window they cover, and no caption
// says "the capture window" when a filter cut it.
func TestReportFilterWindow(t *testing.T) {
	db := "../../testdata/traces/go_tts_pageable.sqlite"
	dir := t.TempDir()
	_, errOut, code := runCLI(t, "report", "--format", "svg", "--filter-nvtx", "tts.request@omnistat/1", "-o", dir, db)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	md, _ := os.ReadFile(filepath.Join(dir, "report.md"))
	html, _ := os.ReadFile(filepath.Join(dir, "report.html"))
	if !strings.Contains(string(md), "window: --filter-nvtx tts.request@omnistat/1 (") || strings.Contains(string(md), "capture window") {
		t.Errorf("report.md does not name its filter window, or calls it the capture window:\n%s", md)
	}
	if !strings.Contains(string(html), "window: --filter-nvtx tts.request@omnistat/1 (") {
		t.Error("report.html does not name its filter window")
	}
}

// TestFilterNVTXMissing: summarize and report (omnistat's own verbs) fail on a --filter-nvtx
// range instance the trace lacks, with one line naming the file, the range and the closest
// names, or the instances the range has; nothing is written.
func TestFilterNVTXMissing(t *testing.T) {
	db := "../../testdata/traces/go_tts_pageable.sqlite"
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"summarize", "-f", "json", "--filter-nvtx", "talker.decode_step"},
			`omnistat: ` + db + `: --filter-nvtx "talker.decode_step": no NVTX range talker.decode_step in the trace: did you mean talker.decode_step@omnistat?`},
		{[]string{"summarize", "--filter-nvtx", "talker.decode_step@omnistat/1000"},
			`omnistat: ` + db + `: --filter-nvtx "talker.decode_step@omnistat/1000": range talker.decode_step@omnistat has 128 instances (/0 to /127), not /1000`},
		{[]string{"report", "-o", "DIR", "--filter-nvtx", "nope"}, `omnistat: ` + db + `: --filter-nvtx "nope": no NVTX range nope in the trace`},
	} {
		dir := t.TempDir()
		args := slices.Clone(c.args)
		for i := range args {
			if args[i] == "DIR" {
				args[i] = dir
			}
		}
		out, errOut, code := runCLI(t, append(args, db)...)
		lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
		if code != 1 || out != "" || len(lines) != 1 || !strings.HasPrefix(lines[0], c.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 1 and %q", c.args, code, out, errOut, c.want)
		}
		if _, err := os.Stat(filepath.Join(dir, "report.md")); err == nil {
			t.Errorf("%v: wrote report.md", c.args)
		}
	}
}

// TestFilterFlagValues: an empty --filter-time or --filter-nvtx is a usage error, not "no
// filter"; with both filters a note says --filter-nvtx wins.
func TestFilterFlagValues(t *testing.T) {
	db := "../../testdata/traces/go_tts_pageable.sqlite"
	for _, args := range [][]string{
		{"summarize", "--filter-time", ""}, {"summarize", "--filter-nvtx", ""}, {"summarize", "--filter-time="},
		{"stats", "-r", "cuda_api_sum", "--filter-nvtx", ""}, {"analyze", "--filter-time", ""},
	} {
		if out, errOut, code := runCLI(t, append(args, db)...); code != 2 || out != "" || !strings.Contains(errOut, "--filter-") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want a usage error", args, code, out, errOut)
		}
	}
	_, errOut, code := runCLI(t, "stats", "-r", "cuda_api_sum", "--filter-time", "1s/", "--filter-nvtx", "tts.request@omnistat", db)
	if code != 0 || !strings.Contains(errOut, "note: --filter-time 1s/ is ignored: --filter-nvtx wins") {
		t.Errorf("both filters: exit %d, stderr %q; want a note that --filter-nvtx wins", code, errOut)
	}
	_, errOut, code = runCLI(t, "stats", "-r", "cuda_api_sum", "--filter-time", "1S/", db)
	if code != 2 || !strings.Contains(errOut, `unknown unit "S"`) {
		t.Errorf("1S/: exit %d, stderr %q; want unknown unit \"S\"", code, errOut)
	}
}

// TestEmptyFilterWindow: a --filter-time window that holds no event of any stage is an error
// (exit 1) for summarize and report, naming the window and the trace's first and last event
// times; stats keeps nsys's behaviour (empty tables, exit 0).
func TestEmptyFilterWindow(t *testing.T) {
	db := "../../testdata/traces/go_tts_pageable.sqlite"
	first, last, ok := summary.EventExtent(readGo(t, "go_tts_pageable"))
	if !ok {
		t.Fatal("no events")
	}
	win := fmt.Sprintf("%d/%d", last+1_000_000_000, last+2_000_000_000)
	want := fmt.Sprintf("holds no event of any stage; the trace's events run from %s ns to %s ns", summary.WithSep(first), summary.WithSep(last))
	for _, args := range [][]string{
		{"summarize", "--filter-time", win, db},
		{"summarize", "-f", "json", "--filter-time", win, db},
		{"report", "--filter-time", win, "-o", t.TempDir(), db},
	} {
		out, errOut, code := runCLI(t, args...)
		if code != 1 || !strings.Contains(errOut, want) || !strings.Contains(errOut, "--filter-time "+win+" (") || out != "" {
			t.Errorf("%s: exit %d, stderr %q, stdout %q; want exit 1 and %q", args[0], code, errOut, out, want)
		}
	}
	if _, errOut, code := runCLI(t, "stats", "-r", "cuda_api_sum", "--filter-time", win, db); code != 0 {
		t.Errorf("stats: exit %d (%s); nsys prints an empty table", code, errOut)
	}
	// a window inside the trace with events is no error
	if _, errOut, code := runCLI(t, "summarize", "--filter-time", fmt.Sprintf("%d/%d", first, last), db); code != 0 {
		t.Errorf("the whole extent: exit %d (%s)", code, errOut)
	}
}
