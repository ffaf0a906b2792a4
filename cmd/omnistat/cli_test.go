package main

import (
	"encoding/json"
	"flag"
	"github.com/omnistat/omnistat/internal/testutil"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the output goldens in testdata/")

const pageable = "../../testdata/traces/tts_pageable.sqlite"

// checkOutput compares got with testdata/name; -update rewrites it, a mismatch leaves name.got.
func checkOutput(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if got != string(want) {
		os.WriteFile(p+".got", []byte(got), 0o644)
		t.Errorf("output differs from %s; see %s.got (diff them; -update to accept)", p, p)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"stats"}, "missing TRACE"},
		{[]string{"stats", "--report", "nope", pageable}, `unknown report "nope"`},
		{[]string{"stats", "--report", "cuda_api_sum:base", pageable}, "takes no arguments"},
		{[]string{"stats", "--report", "cuda_gpu_kern_sum:fancy", pageable}, `unknown argument "fancy"`},
		{[]string{"stats", "--format", "xml", pageable}, `unknown format "xml"`},
		{[]string{"stats", "--mem-unit", "TB", pageable}, `unknown --mem-unit "TB"`},
		{[]string{"stats", "--bogus", pageable}, "unknown flag: --bogus"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
	} {
		out, errOut, code := runCLI(t, c.args...)
		if code != exitUsage || out != "" || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and %q", c.args, code, out, errOut, c.want)
		}
	}
}

func TestInputErrors(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	os.WriteFile(text, []byte("not a trace"), 0o644)
	for _, c := range []struct {
		path, want string
	}{
		{filepath.Join(dir, "missing.sqlite"), "no such file"},
		{dir, "is a directory"},
		{text, "not an SQLite database"},
	} {
		out, errOut, code := runCLI(t, "stats", c.path)
		lines := strings.Split(strings.TrimSpace(errOut), "\n")
		if code != exitError || out != "" || len(lines) != 1 || !strings.Contains(errOut, c.path) || !strings.Contains(errOut, c.want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 1 and one line naming the file and %q", c.path, code, out, errOut, c.want)
		}
	}
}

// TestSkipped: a report whose data is absent prints nsys's SKIPPED line on stderr and exits 0.
func TestSkipped(t *testing.T) {
	d := testutil.Samples(t)
	f := filepath.Join(d, "nsys2023.3.1_sc23openmp_report3.sqlite")
	out, errOut, code := runCLI(t, "stats", "--report", "nvtx_sum,osrt_sum", "--format", "csv", f)
	want := "SKIPPED: " + f + " does not contain NV Tools Extension (NVTX) data.\n" +
		"SKIPPED: " + f + " does not contain OS Runtime trace data.\n"
	if code != 0 || out != "" || !strings.Contains(errOut, want) {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 0, no output and\n%s", code, out, errOut, want)
	}
}

// TestDefaultSet prints nsys's default reports under their titles, in nsys's order.
func TestDefaultSet(t *testing.T) {
	out, errOut, code := runCLI(t, "stats", pageable)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var titles []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, " ** ") {
			titles = append(titles, l)
		}
	}
	want := []string{
		" ** NVTX Range Summary (nvtx_sum):", " ** OS Runtime Summary (osrt_sum):", " ** CUDA API Summary (cuda_api_sum):",
		" ** CUDA GPU Kernel Summary (cuda_gpu_kern_sum):", " ** CUDA GPU MemOps Summary (by Time) (cuda_gpu_mem_time_sum):",
		" ** CUDA GPU MemOps Summary (by Size) (cuda_gpu_mem_size_sum):",
	}
	if strings.Join(titles, "\n") != strings.Join(want, "\n") {
		t.Errorf("titles:\n%s\nwant:\n%s", strings.Join(titles, "\n"), strings.Join(want, "\n"))
	}
	// nsys's own console output of the same file carries the same titles
	nsysOut, err := os.ReadFile("../../testdata/traces/tts_pageable/nsys-stats-default.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range want {
		if !strings.Contains(string(nsysOut), w) {
			t.Errorf("nsys's default output lacks %q", w)
		}
	}
	checkOutput(t, "stats_default_column.txt", out)
}

func TestFormats(t *testing.T) {
	for _, f := range []string{"column", "markdown"} {
		out, errOut, code := runCLI(t, "stats", "--report", "cuda_api_sum,cuda_gpu_mem_size_sum", "--format", f, pageable)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", f, code, errOut)
		}
		checkOutput(t, "stats_"+f+".txt", out)
	}
	out, _, code := runCLI(t, "stats", "--report", "cuda_api_sum,nvtx_sum", "--format", "json", pageable)
	if code != 0 {
		t.Fatal("json: exit", code)
	}
	var got []struct {
		Trace, Report string
		Columns       []struct{ Name, Unit string }
		Rows          []map[string]any
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("json does not parse: %v", err)
	}
	if len(got) != 2 || got[0].Report != "cuda_api_sum" || got[1].Report != "nvtx_sum" || got[0].Trace != pageable {
		t.Fatalf("json tables: %+v", got)
	}
	if got[0].Rows[0]["Name"] != "cudaLaunchKernel" || got[0].Columns[1].Unit != "ns" {
		t.Errorf("json first row %v, columns %v", got[0].Rows[0], got[0].Columns)
	}
	// the same numbers as the CSV golden: total time of the top API
	csv, _ := os.ReadFile("../../testdata/traces/tts_pageable/cuda_api_sum.csv")
	top := strings.Split(strings.Split(string(csv), "\n")[1], ",")[1]
	if js, _ := json.Marshal(got[0].Rows[0]["Total Time"]); string(js) != top {
		t.Errorf("json total %s, nsys %s", js, top)
	}
}

// TestMemUnit: --mem-unit B prints raw bytes, as nsys's --format csv:mem=B does.
func TestMemUnit(t *testing.T) {
	out, _, code := runCLI(t, "stats", "--report", "cuda_gpu_mem_size_sum", "--format", "csv", "--mem-unit", "B", pageable)
	if code != 0 || !strings.HasPrefix(out, "Total (B),Count,Avg (B)") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}
