package main

import (
	"runtime"
	"strings"
	"testing"
)

// With more than two cores the reports' tables are computed side by side and printed in order:
// stdout, stderr and the exit code equal those of one core, for every report at once (skipped
// ones among them: osrt_sum on traces without OS runtime calls) in CSV and JSON.
func TestStatsConcurrentReportsSameOutput(t *testing.T) {
	all := "cuda_api_gpu_sum,cuda_api_sum,cuda_gpu_kern_gb_sum,cuda_gpu_kern_sum,cuda_gpu_mem_size_sum,cuda_gpu_mem_time_sum," +
		"cuda_gpu_sum,cuda_kern_exec_sum,nvtx_gpu_proj_sum,nvtx_gpu_proj_trace,nvtx_kern_sum,nvtx_pushpop_sum,nvtx_startend_sum,nvtx_sum,osrt_sum,cuda_gpu_trace"
	for _, name := range []string{"foreign_vllm_omni", "go_diffusion_2gpu", "tts_pageable"} {
		db := "../../testdata/traces/" + name + ".sqlite"
		for _, format := range []string{"csv", "json"} {
			old := runtime.GOMAXPROCS(1)
			o1, e1, c1 := runCLI(t, "stats", "-r", all, "-f", format, db)
			runtime.GOMAXPROCS(4)
			o4, e4, c4 := runCLI(t, "stats", "-r", all, "-f", format, db)
			runtime.GOMAXPROCS(old)
			if o1 != o4 || e1 != e4 || c1 != c4 || c1 != 0 || !strings.Contains(o1, "nvtx_gpu_proj") && format == "json" {
				t.Errorf("%s, %s: 4 cores differ from 1 (exit %d and %d; %d and %d bytes out)", name, format, c1, c4, len(o1), len(o4))
			}
		}
	}
}
