package main

import (
	"encoding/json"
	"fmt"
	"github.com/omnistat/omnistat/render"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

type summaryJSON []struct {
	Trace  string
	Stages []struct {
		Stage    string
		PIDs     []int64 `json:"pids"`
		WallNs   int64   `json:"wall_ns"`
		Replicas int
		KernelNs int64 `json:"kernel_ns"`
		MemcpyNs int64 `json:"memcpy_ns"`
		MemsetNs int64 `json:"memset_ns"`
		GPUBusy  int64 `json:"gpu_busy_ns"`
		APINs    int64 `json:"cuda_api_ns"`
		Tables   []struct {
			Report string
			Rows   []map[string]any
		}
		Findings []struct {
			Scope, ID, Message string
			Also               []string
		}
	}
	Findings []struct {
		Scope, ID, Message string
		Value              float64
		Also               []string
	}
}

func summarizeJSON(t *testing.T, name string) summaryJSON {
	t.Helper()
	out, errOut, code := runCLI(t, "summarize", "--format", "json", "../../testdata/traces/"+name+".sqlite")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var s summaryJSON
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// goldenTop is the Time (%) and name of the first row of an nsys golden CSV.
func goldenTop(t *testing.T, name, report string) (string, string) {
	b, err := os.ReadFile("../../testdata/traces/" + name + "/" + report + ".csv")
	if err != nil {
		t.Fatal(err)
	}
	row := strings.Split(strings.Split(string(b), "\n")[1], ",")
	return row[0], row[len(row)-1]
}

func finding(s summaryJSON, scope, id string) (string, float64, bool) {
	// a finding merged into another (it restates that one's cause) is listed in its Also
	for _, f := range s[0].Findings {
		if f.Scope == scope && (f.ID == id || slices.Contains(f.Also, id)) {
			return f.Message, f.Value, true
		}
	}
	for _, st := range s[0].Stages {
		for _, f := range st.Findings {
			if f.Scope == scope && (f.ID == id || slices.Contains(f.Also, id)) {
				return f.Message, 0, true
			}
		}
	}
	return "", 0, false
}

// TestSummarizeTTS: two stages with their own NVTX, API and kernel tables; the pageable trace
// gets the cudaMemcpyAsync finding with the percentage nsys's cuda_api_sum prints.
func TestSummarizeTTS(t *testing.T) {
	for _, name := range []string{"go_tts_pageable", "go_tts_pinned", "go_tts_graphs", "go_tts_graphs_pinned", "tts_pageable"} {
		s := summarizeJSON(t, name)
		if len(s) != 1 || len(s[0].Stages) != 2 || s[0].Stages[0].Stage != "talker" || s[0].Stages[1].Stage != "code2wav" {
			t.Fatalf("%s: stages %+v", name, s)
		}
		var kern, api int64
		for _, st := range s[0].Stages {
			reportsSeen := map[string]bool{}
			for _, tb := range st.Tables {
				if len(tb.Rows) > 0 {
					reportsSeen[tb.Report] = true
				}
			}
			for _, r := range []string{"nvtx_gpu_proj_sum", "nvtx_sum", "cuda_gpu_kern_sum", "cuda_api_sum"} {
				if !reportsSeen[r] {
					t.Errorf("%s: stage %s has no %s rows", name, st.Stage, r)
				}
			}
			kern += st.KernelNs
			api += st.APINs
		}
		// per-stage sums equal the trace's totals (nsys's kernel total is the sum over kernel rows)
		kt, at := traceTotals(t, name)
		if kern != kt || api != at {
			t.Errorf("%s: stage kernel time %d (trace %d), API time %d (trace %d)", name, kern, kt, api, at)
		}
	}
	pct, top := goldenTop(t, "go_tts_pageable", "cuda_api_sum")
	msg, v, ok := finding(summarizeJSON(t, "go_tts_pageable"), "trace", "dominant_api")
	if !ok || top != "cudaMemcpyAsync" || !strings.HasPrefix(msg, "cudaMemcpyAsync takes "+pct+"% of CUDA API time") || strconv.FormatFloat(v, 'f', 1, 64) != pct {
		t.Errorf("pageable: finding %q (%v), nsys says %s %s%%", msg, v, top, pct)
	}
	if _, _, ok := finding(summarizeJSON(t, "go_tts_pageable"), "talker", "pageable_async_memcpy"); !ok {
		t.Error("pageable: no pageable_async_memcpy finding for the talker")
	}
	if !memcpyDominates(summarizeJSON(t, "go_tts_pageable")) {
		t.Error("pageable: no stage reports cudaMemcpyAsync as dominant")
	}
	// the pinned traces, with and without graphs, have no copy finding in any scope
	for _, name := range []string{"go_tts_pinned", "go_tts_graphs_pinned"} {
		s := summarizeJSON(t, name)
		if memcpyDominates(s) {
			t.Errorf("%s: cudaMemcpyAsync reported as dominant", name)
		}
		for _, scope := range []string{"trace", "talker", "code2wav"} {
			if msg, _, ok := finding(s, scope, "pageable_async_memcpy"); ok {
				t.Errorf("%s: pageable copies reported: %q", name, msg)
			}
		}
		if pct, _ := apiShare(readGo(t, name), "cudaMemcpyAsync"); pct >= 5 {
			t.Errorf("%s: cudaMemcpyAsync %.1f%% of CUDA API time", name, pct)
		}
	}
	for _, name := range []string{"go_tts_graphs", "go_tts_graphs_pinned"} {
		if msg, _, ok := finding(summarizeJSON(t, name), "talker", "cuda_graphs"); !ok || !strings.HasPrefix(msg, "100.0% of the kernels in the talker stage run inside CUDA graphs") {
			t.Errorf("%s: %q", name, msg)
		}
	}
}

// memcpyDominates says whether any scope's dominant_api finding names cudaMemcpyAsync.
func memcpyDominates(s summaryJSON) bool {
	for _, f := range s[0].Findings {
		if f.ID == "dominant_api" && strings.HasPrefix(f.Message, "cudaMemcpyAsync") {
			return true
		}
	}
	for _, st := range s[0].Stages {
		for _, f := range st.Findings {
			if f.ID == "dominant_api" && strings.HasPrefix(f.Message, "cudaMemcpyAsync") {
				return true
			}
		}
	}
	return false
}

// TestSummarizeDiffusionReplicas: two diffusion workers (on one GPU, and on two GPUs) form one
// stage with two replicas; the replica table's additive figures sum to the stage's exactly, each
// replica of the 2-GPU run is on its own GPU, and the balance finding names the slower replica.
func TestSummarizeDiffusionReplicas(t *testing.T) {
	for name, wantGPUs := range map[string][]string{"go_diffusion_w2": {"0", "0"}, "go_diffusion_2gpu": {"0", "1"}} {
		s := summarizeJSON(t, name)
		if len(s[0].Stages) != 1 || s[0].Stages[0].Stage != "diffusion" || s[0].Stages[0].Replicas != 2 || len(s[0].Stages[0].PIDs) != 2 {
			t.Fatalf("%s: stages %+v", name, s[0].Stages)
		}
		st := s[0].Stages[0]
		if len(st.Tables) == 0 || st.Tables[0].Report != "stage_replicas" || len(st.Tables[0].Rows) != 2 {
			t.Fatalf("%s: first table %+v", name, st.Tables)
		}
		rows := st.Tables[0].Rows
		num := func(r map[string]any, col string) int64 { return int64(r[col].(float64)) }
		var kern, mem, api, busy int64
		for i, r := range rows {
			kern, mem, api, busy = kern+num(r, "Kernels"), mem+num(r, "MemOps"), api+num(r, "CUDA API"), busy+num(r, "GPU Busy")
			if r["GPUs"] != wantGPUs[i] || num(r, "PID") != st.PIDs[i] {
				t.Errorf("%s: replica %d: PID %v on GPUs %v, want %d on %s", name, i, r["PID"], r["GPUs"], st.PIDs[i], wantGPUs[i])
			}
		}
		if kern != st.KernelNs || mem != st.MemcpyNs+st.MemsetNs || api != st.APINs {
			t.Errorf("%s: replicas sum to kernels %d, memory ops %d, API %d; the stage has %d, %d, %d",
				name, kern, mem, api, st.KernelNs, st.MemcpyNs+st.MemsetNs, st.APINs)
		}
		if wantGPUs[0] != wantGPUs[1] && busy != st.GPUBusy { // busy time adds up over GPUs, not within one
			t.Errorf("%s: replicas busy %d ns, the stage %d ns", name, busy, st.GPUBusy)
		}
		// the balance finding names the slower replica, by its GPU time per DiT block
		slow := rows[0]
		if rows[1]["GPU per Step"].(float64) > rows[0]["GPU per Step"].(float64) {
			slow = rows[1]
		}
		want := fmt.Sprintf("the slowest of 2 replicas (replica %d, pid %d, GPU %s) takes %s ns of GPU time per omnistat:dit.block",
			num(slow, "Replica"), num(slow, "PID"), slow["GPUs"], thousands(slow["GPU per Step"].(float64)))
		msg, _, ok := finding(s, "diffusion", "replica_balance")
		if !ok || !strings.HasPrefix(msg, want) {
			t.Errorf("%s: replica_balance: %q\nwant prefix %q", name, msg, want)
		}
		if msg, _, ok := finding(s, "diffusion", "replica_split"); ok { // one request each
			t.Errorf("%s: replica_split on an even split: %q", name, msg)
		}
	}
	// 3 requests over 2 workers: worker 0 runs two, and the split finding says so from the steps
	s := summarizeJSON(t, "go_diffusion_w2_uneven")
	rows := s[0].Stages[0].Tables[0].Rows
	if len(rows) != 2 || rows[0]["Steps"].(float64) != 2*rows[1]["Steps"].(float64) {
		t.Fatalf("uneven: replica rows %v", rows)
	}
	want := fmt.Sprintf("work is split unevenly over 2 replicas: replica 0 (pid %d, GPU 0) ran %d omnistat:dit.block, replica 1 (pid %d, GPU 0) %d omnistat:dit.block, 2.00× as much",
		int64(rows[0]["PID"].(float64)), int64(rows[0]["Steps"].(float64)), int64(rows[1]["PID"].(float64)), int64(rows[1]["Steps"].(float64)))
	if msg, _, ok := finding(s, "diffusion", "replica_split"); !ok || msg != want {
		t.Errorf("uneven: replica_split %q\nwant %q", msg, want)
	}
}

// TestSummarizeText fits 120 columns on every test trace, per stage and per thread (the longest
// section names) and in --explain-stages; the go_tts_pageable outputs are goldens.
func TestSummarizeText(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/traces/*.sqlite")
	for _, f := range files {
		for _, by := range []string{"stage", "thread", "explain"} {
			args := []string{"summarize", "--by", by, f}
			if by == "explain" { // how the stages were found: the same width
				args = []string{"summarize", "--explain-stages", f}
			}
			out, errOut, code := runCLI(t, args...)
			if code != 0 {
				t.Fatalf("%s: exit %d: %s", f, code, errOut)
			}
			for i, l := range strings.Split(out, "\n") {
				if n := utf8.RuneCountInString(l); n > render.TextWidth {
					t.Errorf("%s --by %s line %d is %d columns: %q", f, by, i+1, n, l)
					break
				}
			}
		}
	}
	for _, f := range []string{"text", "markdown"} {
		out, _, _ := runCLI(t, "summarize", "--format", f, "../../testdata/traces/go_tts_pageable.sqlite")
		checkOutput(t, "summarize_"+f+".txt", out)
	}
	if _, _, code := runCLI(t, "summarize", "--format", "csv", "x.sqlite"); code != exitUsage {
		t.Error("csv accepted")
	}
}

// thousands writes x with one decimal and comma-separated thousands: 5,151,412.3.
func thousands(x float64) string {
	s := strconv.FormatFloat(x, 'f', 1, 64)
	i, f, _ := strings.Cut(s, ".")
	for n := len(i) - 3; n > 0; n -= 3 {
		i = i[:n] + "," + i[n:]
	}
	return i + "." + f
}

// TestSummarizeBy: every level cuts the trace into sections whose kernel and CUDA API times add
// up to the trace's; per process, the two diffusion workers are two sections.
func TestSummarizeBy(t *testing.T) {
	want := map[string]map[string]string{
		"go_diffusion_2gpu": {"stage": "diffusion", "process": "diffusion[0] diffusion[1]", "thread": "diffusion/worker0-main diffusion/worker1-main", "none": "all"},
		"go_tts_pageable":   {"stage": "talker code2wav", "process": "talker code2wav", "none": "all"},
	}
	for name, levels := range want {
		kt, at := traceTotals(t, name)
		for _, by := range []string{"stage", "process", "thread", "none"} {
			out, errOut, code := runCLI(t, "summarize", "--by", by, "--format", "json", "../../testdata/traces/"+name+".sqlite")
			if code != 0 {
				t.Fatalf("%s --by %s: exit %d: %s", name, by, code, errOut)
			}
			var s summaryJSON
			if err := json.Unmarshal([]byte(out), &s); err != nil {
				t.Fatal(err)
			}
			var keys []string
			var kern, api int64
			for _, st := range s[0].Stages {
				keys = append(keys, st.Stage)
				kern += st.KernelNs
				api += st.APINs
			}
			if kern != kt || api != at {
				t.Errorf("%s --by %s: sections sum to kernels %d, API %d; the trace has %d, %d", name, by, kern, api, kt, at)
			}
			if w, ok := levels[by]; ok && strings.Join(keys, " ") != w {
				t.Errorf("%s --by %s: sections %v, want %s", name, by, keys, w)
			}
			// the whole trace is one section of different roles: no replica table or findings
			if by == "none" && name == "go_tts_pageable" && (s[0].Stages[0].Replicas != 0 || strings.Contains(out, "stage_replicas") || strings.Contains(out, "replica_")) {
				t.Errorf("%s --by none: talker and code2wav taken for replicas", name)
			}
		}
	}
	if _, errOut, code := runCLI(t, "summarize", "--by", "device", "../../testdata/traces/go_tts_pageable.sqlite"); code != 2 || !strings.Contains(errOut, `unknown --by "device" for summarize`) {
		t.Errorf("--by device: exit %d, %q", code, errOut)
	}
}

// traceTotals is a test trace's kernel time and CUDA API time, summed over its rows.
func traceTotals(t *testing.T, name string) (kernels, api int64) {
	tr := readGo(t, name)
	for i := range tr.Kernels.Start {
		kernels += tr.Kernels.End[i] - tr.Kernels.Start[i]
	}
	for i := range tr.Runtime.Start {
		api += tr.Runtime.End[i] - tr.Runtime.Start[i]
	}
	return kernels, api
}

// TestSummarizeProjectByProcess: --project-by-process swaps in the labelled projection, which
// counts at least the GPU operations of nsys's for every range (it adds other threads' launches).
func TestSummarizeProjectByProcess(t *testing.T) {
	for _, name := range []string{"go_tts_pageable", "tts_pageable"} {
		ops := map[bool]map[string]float64{}
		for _, byProc := range []bool{false, true} {
			args := []string{"summarize", "--format", "json", "../../testdata/traces/" + name + ".sqlite"}
			if byProc {
				args = append(args, "--project-by-process")
			}
			out, errOut, code := runCLI(t, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var s []struct {
				Stages []struct {
					Stage  string
					Tables []struct {
						Report, Title string
						Rows          []map[string]any
					}
				}
			}
			if err := json.Unmarshal([]byte(out), &s); err != nil {
				t.Fatal(err)
			}
			ops[byProc] = map[string]float64{}
			for _, st := range s[0].Stages {
				for _, tb := range st.Tables {
					if tb.Report != "nvtx_gpu_proj_sum" {
						continue
					}
					if strings.HasSuffix(tb.Title, "not nsys)") != byProc {
						t.Errorf("%s: --project-by-process %v, title %q", name, byProc, tb.Title)
					}
					for _, r := range tb.Rows {
						ops[byProc][st.Stage+" "+r["Range"].(string)] = r["Total GPU Ops"].(float64)
					}
				}
			}
		}
		if len(ops[false]) == 0 {
			t.Fatalf("%s: no projection rows", name)
		}
		for k, v := range ops[false] {
			if ops[true][k] < v {
				t.Errorf("%s: %s: %v GPU ops by process, %v by thread", name, k, ops[true][k], v)
			}
		}
	}
}

// TestSummarizeThresholds: the finding thresholds and --top reach the summary: each flag changes
// the count of what it governs, in the expected direction.
func TestSummarizeThresholds(t *testing.T) {
	const f = "../../testdata/traces/go_tts_pageable.sqlite"
	run := func(args ...string) string {
		out, errOut, code := runCLI(t, append(append([]string{"summarize"}, args...), f)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		return out
	}
	base := run()
	for _, c := range []struct {
		args  []string
		what  string
		fewer bool
	}{
		{[]string{"--dominant-api", "95"}, "[dominant_api] cudaMemcpyAsync takes 89.6%", true}, // no longer dominant
		{[]string{"--low-util", "99.9"}, "[low_gpu_util]", false},
		{[]string{"--gap-ms", "0.001"}, "[gpu_gap]", false},
		{[]string{"--top", "2"}, "more rows", false},
	} {
		b, n := strings.Count(base, c.what), strings.Count(run(c.args...), c.what)
		if (c.fewer && n >= b) || (!c.fewer && n <= b) {
			t.Errorf("%v: %q %d times, %d without the flag", c.args, c.what, n, b)
		}
	}
}
