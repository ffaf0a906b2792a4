package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/trace"
)

// statsTotals runs `stats ARGS --by stage -r REPORT -f json` and sums Total Time per stage.
func statsTotals(t *testing.T, db, report string, args []string) map[string]int64 {
	t.Helper()
	all := append(append([]string{"stats", "--by", "stage", "-r", report, "-f", "json"}, args...), db)
	out, errOut, code := runCLI(t, all...)
	if code != 0 {
		t.Fatalf("%v: exit %d: %s", all, code, errOut)
	}
	var tables []struct {
		Rows []map[string]any
	}
	if err := json.Unmarshal([]byte(out), &tables); err != nil {
		t.Fatalf("%v: %v", all, err)
	}
	sums := map[string]int64{}
	for _, tb := range tables {
		for _, r := range tb.Rows {
			op, _ := r["Operation"].(string)
			if report == "cuda_gpu_mem_time_sum" && op == "[CUDA memset]" {
				continue
			}
			sums[r["Stage"].(string)] += int64(r["Total Time"].(float64))
		}
	}
	return sums
}

// bruteSums is, per stage, the kernel, memcpy and CUDA API time of the rows that overlap
// [lo, hi) and belong to the process pid (0: any), written from the overlap rule's cases:
// a row that starts in the window, ends in it, or covers it.
func bruteSums(tr *trace.Trace, a *stage.Assignment, lo, hi, pid int64) (kern, cp, api map[string]int64) {
	in := func(s, e int64) bool {
		return (lo <= s && s < hi) || (lo <= e && e < hi) || (s < lo && e >= hi)
	}
	name := func(st int) string {
		if st < 0 {
			return stage.Other
		}
		return a.Stages[st].Key
	}
	kern, cp, api = map[string]int64{}, map[string]int64{}, map[string]int64{}
	for i, s := range tr.Kernels.Start {
		if e, p := tr.Kernels.End[i], tr.Kernels.GlobalPID.At(i); in(s, e) && (pid == 0 || trace.ProcessOf(p) == pid) {
			kern[name(a.OfProcess(trace.ProcessOf(p)))] += e - s
		}
	}
	for i, s := range tr.Memcpy.Start {
		if e, p := tr.Memcpy.End[i], tr.Memcpy.GlobalPID.At(i); in(s, e) && (pid == 0 || trace.ProcessOf(p) == pid) {
			cp[name(a.OfProcess(trace.ProcessOf(p)))] += e - s
		}
	}
	for i, s := range tr.Runtime.Start {
		if e, g := tr.Runtime.End[i], tr.Runtime.GlobalTID.At(i); in(s, e) && (pid == 0 || trace.ProcessOf(g) == pid) {
			api[name(a.Of(g))] += e - s
		}
	}
	return kern, cp, api
}

// TestSummarizeFiltered: under --filter-time, summarize's per-stage kernel, memcpy and CUDA API
// times equal `stats --by stage` under the same filter and a brute-force sum over the rows that
// overlap the window; the stages add up to the ungrouped stats report. There is no nsys golden
// for summarize: this ties it to the reports that have one. A window after the trace is an error
// for summarize, and empty tables for stats.
func TestSummarizeFiltered(t *testing.T) {
	for _, name := range []string{"go_tts_pageable", "go_diffusion_2gpu", "tts_pageable"} {
		db := "../../testdata/traces/" + name + ".sqlite"
		tr := readGo(t, name)
		a := stage.Assign(tr, nil)
		lo, hi := tr.Kernels.Start[0], tr.Kernels.Start[0]
		for i, s := range tr.Kernels.Start {
			lo, hi = min(lo, s), max(hi, tr.Kernels.End[i])
		}
		a3, b3 := lo+(hi-lo)/3, lo+2*(hi-lo)/3
		for _, w := range [][2]int64{{a3, b3}, {hi + 1e9, hi + 2e9}, {-1e9, a3}} {
			args := []string{"--filter-time", fmt.Sprintf("%d/%d", w[0], w[1])}
			t.Run(fmt.Sprintf("%s/%d-%d", name, w[0], w[1]), func(t *testing.T) {
				out, errOut, code := runCLI(t, append(append([]string{"summarize", "--format", "json"}, args...), db)...)
				if w[0] == hi+1e9 { // after the trace: no event of any stage, an error; stats prints nsys's empty tables
					if code != 1 || !strings.Contains(errOut, "holds no event of any stage") {
						t.Errorf("a window after the trace: exit %d, %s", code, errOut)
					}
					for _, r := range []string{"cuda_gpu_kern_sum", "cuda_gpu_mem_time_sum", "cuda_api_sum"} {
						if sums := statsTotals(t, db, r, args); len(sums) != 0 {
							t.Errorf("stats %s in a window after the trace: %v", r, sums)
						}
					}
					return
				}
				if code != 0 {
					t.Fatalf("exit %d: %s", code, errOut)
				}
				var s summaryJSON
				if err := json.Unmarshal([]byte(out), &s); err != nil {
					t.Fatal(err)
				}
				kern, cp, api := bruteSums(tr, a, w[0], w[1], 0)
				sk := statsTotals(t, db, "cuda_gpu_kern_sum", args)
				sm := statsTotals(t, db, "cuda_gpu_mem_time_sum", args)
				sa := statsTotals(t, db, "cuda_api_sum", args)
				var tk, ta int64
				for _, st := range s[0].Stages {
					if st.KernelNs != kern[st.Stage] || st.KernelNs != sk[st.Stage] {
						t.Errorf("stage %s: summarize kernels %d, stats --by stage %d, rows in the window %d", st.Stage, st.KernelNs, sk[st.Stage], kern[st.Stage])
					}
					if st.MemcpyNs != cp[st.Stage] || st.MemcpyNs != sm[st.Stage] {
						t.Errorf("stage %s: summarize memcpy %d, stats --by stage %d, rows in the window %d", st.Stage, st.MemcpyNs, sm[st.Stage], cp[st.Stage])
					}
					if st.APINs != api[st.Stage] || st.APINs != sa[st.Stage] {
						t.Errorf("stage %s: summarize CUDA API %d, stats --by stage %d, rows in the window %d", st.Stage, st.APINs, sa[st.Stage], api[st.Stage])
					}
					tk += st.KernelNs
					ta += st.APINs
				}
				var wk, wa int64
				for _, v := range kern {
					wk += v
				}
				for _, v := range api {
					wa += v
				}
				if w[0] == a3 && (tk == 0 || ta == 0 || len(s[0].Stages) == 0) {
					t.Errorf("the middle third holds no kernels or calls (%d, %d): the test compares nothing", tk, ta)
				}
				if tk != wk || ta != wa {
					t.Errorf("stages add up to kernels %d, API %d; the window holds %d, %d", tk, ta, wk, wa)
				}
			})
		}
	}
}
