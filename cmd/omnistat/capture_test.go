package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/omnistat/omnistat/reports"
	"github.com/omnistat/omnistat/sqlite"
	"github.com/omnistat/omnistat/trace"
	"github.com/omnistat/omnistat/workload/cuda"
)

// oneLineError runs the CLI and wants exit 1 and a single stderr line containing want.
func oneLineError(t *testing.T, want string, args ...string) {
	t.Helper()
	out, errOut, code := runCLI(t, args...)
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	if code != exitError || out != "" || len(lines) != 1 || !strings.Contains(errOut, want) {
		t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 1 and one line with %q", args, code, out, errOut, want)
	}
}

func TestCaptureWithoutNsys(t *testing.T) {
	t.Setenv("NSYS", "")
	t.Setenv("PATH", t.TempDir())
	if p, err := findNsys(&captureOptions{}); err == nil {
		t.Skipf("this machine has nsys at %s", p)
	}
	for _, w := range []string{"tts", "diffusion", "all"} {
		oneLineError(t, "nsys (Nsight Systems) not found", "capture", w, "-o", t.TempDir())
	}
	oneLineError(t, "nsys (Nsight Systems) not found", "capture", "-o", t.TempDir(), "--", "true")
}

func TestCaptureWithoutGPU(t *testing.T) {
	if cuda.Probe() == nil {
		t.Skip("this machine has an NVIDIA driver")
	}
	fake := filepath.Join(t.TempDir(), "nsys")
	os.WriteFile(fake, []byte("#!/bin/sh\nexit 0\n"), 0o755)
	for _, w := range []string{"tts", "diffusion", "all"} {
		oneLineError(t, "no NVIDIA driver", "capture", w, "--nsys", fake, "-o", t.TempDir())
	}
	oneLineError(t, "no NVIDIA driver", "workload", "tts")
	oneLineError(t, "no NVIDIA driver", "workload", "diffusion", "--workers", "2")
}

func TestCaptureUsage(t *testing.T) {
	for _, args := range [][]string{{"capture"}, {"capture", "tts", "--hidden", "33"}, {"capture", "diffusion", "--dim", "20"}, {"capture", "tts", "extra"}} {
		if _, _, code := runCLI(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

func readGo(t *testing.T, name string) *trace.Trace {
	t.Helper()
	tr, err := sqlite.Read(context.Background(), "../../testdata/traces/"+name+".sqlite", sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// apiShare is a function's Time (%) in cuda_api_sum, and its call count.
func apiShare(tr *trace.Trace, name string) (float64, int64) {
	for _, r := range reports.CUDAAPISum(tr).Rows {
		if r[8].S == name {
			return r[0].F, r[2].I
		}
	}
	return 0, 0
}

// TestGoCaptures checks the traces `omnistat capture` made on an H200 (testdata/gen/capture-go.sh):
// every GPU process has kernels, API calls and NVTX ranges inside its capture range, nothing of
// the warm-up was recorded, and the copy mode shows where the CPU waits.
func TestGoCaptures(t *testing.T) {
	wantProcs := map[string][]string{
		"go_tts_pageable": {"stage0_talker", "stage1_code2wav"}, "go_tts_pinned": {"stage0_talker", "stage1_code2wav"},
		"go_tts_graphs": {"stage0_talker", "stage1_code2wav"}, "go_diffusion": {"DiffusionWorker"},
		"go_diffusion_w2": {"DiffusionWorker", "DiffusionWorker"}, "go_diffusion_2gpu": {"DiffusionWorker", "DiffusionWorker"},
		"go_tts_graphs_pinned": {"stage0_talker", "stage1_code2wav"}, "go_diffusion_w2_uneven": {"DiffusionWorker", "DiffusionWorker"},
	}
	for name, procs := range wantProcs {
		tr := readGo(t, name)
		gpuProcs := map[int64]bool{}
		perKernel := map[string]int{}
		for i := range tr.Kernels.Start {
			gpuProcs[tr.Kernels.GlobalPID.At(i)] = true
			perKernel[tr.Strings.Get(int64(tr.Kernels.Demangled[i]))]++
		}
		// exactly the configured work, nothing of the warm-up: 2 requests × 64 tokens, 4 layers
		// (argmax once per token); diffusion: one scheduler step per request and step
		want := map[string]int{"argmax_f32": 2 * 64, "gemv_f32": 2 * 64 * (4*4 + 1), "conv1d_f32": 8 * 4}
		if strings.HasPrefix(name, "go_diffusion") {
			want = map[string]int{"cfg_step_f32": 2 * 20, "conv2d_f32": 2 * 4}
			switch name {
			case "go_diffusion_w2", "go_diffusion_2gpu":
				want["cfg_step_f32"] = 2 * 10
			case "go_diffusion_w2_uneven": // 3 requests of 10 steps
				want["cfg_step_f32"], want["conv2d_f32"] = 3*10, 3*4
			}
		}
		for k, n := range want {
			if perKernel[k] != n {
				t.Errorf("%s: %d %s kernels in the capture, want %d", name, perKernel[k], k, n)
			}
		}
		var names []string
		for gp := range gpuProcs {
			for _, p := range tr.Processes {
				if p.GlobalPID == gp {
					names = append(names, p.Name)
				}
			}
			var api, ranges int
			start := int64(-1)
			for i := range tr.Runtime.Start {
				if trace.ProcessOf(tr.Runtime.GlobalTID.At(i)) == gp {
					api++
					if strings.HasPrefix(tr.Strings.Get(int64(tr.Runtime.NameID[i])), "cuProfilerStart") {
						start = tr.Runtime.Start[i]
					}
				}
			}
			for i := range tr.NVTX.Start {
				if trace.ProcessOf(tr.NVTX.GlobalTID[i]) == gp && trace.IsRange(tr.NVTX.EventType[i]) {
					ranges++
				}
			}
			if api == 0 || ranges == 0 || start < 0 {
				t.Errorf("%s: process %d has %d API calls, %d NVTX ranges, cuProfilerStart at %d", name, trace.PID(gp), api, ranges, start)
			}
			for i := range tr.Runtime.Start {
				if trace.ProcessOf(tr.Runtime.GlobalTID.At(i)) == gp && tr.Runtime.Start[i] < start {
					t.Errorf("%s: %s before the capture range opened", name, tr.Strings.Get(int64(tr.Runtime.NameID[i])))
					break
				}
			}
			for i := range tr.Kernels.Start {
				if tr.Kernels.GlobalPID.At(i) == gp && tr.Kernels.Start[i] < start {
					t.Errorf("%s: kernel %s before the capture range opened", name, tr.Strings.Get(int64(tr.Kernels.Demangled[i])))
					break
				}
			}
		}
		if strings.Join(sorted(names), ",") != strings.Join(procs, ",") {
			t.Errorf("%s: GPU processes %v, want %v", name, names, procs)
		}
	}
	// one worker per GPU: each process's kernels all run on its own device, both devices busy
	tr := readGo(t, "go_diffusion_2gpu")
	devs := map[int64]map[int64]int{}
	for i := range tr.Kernels.Start {
		if devs[tr.Kernels.GlobalPID.At(i)] == nil {
			devs[tr.Kernels.GlobalPID.At(i)] = map[int64]int{}
		}
		devs[tr.Kernels.GlobalPID.At(i)][tr.Kernels.Device.At(i)]++
	}
	seen := map[int64]bool{}
	for gp, d := range devs {
		if len(d) != 1 {
			t.Errorf("2gpu: process %d runs kernels on %d devices", trace.PID(gp), len(d))
		}
		for dev, n := range d {
			seen[dev] = true
			if n < 100 {
				t.Errorf("2gpu: process %d has %d kernels on device %d", trace.PID(gp), n, dev)
			}
		}
	}
	if len(devs) != 2 || !seen[0] || !seen[1] || len(tr.GPUs) != 2 {
		t.Errorf("2gpu: kernels by process and device %v, %d GPUs in the trace", devs, len(tr.GPUs))
	}
	pageable, _ := apiShare(readGo(t, "go_tts_pageable"), "cudaMemcpyAsync")
	pinned, _ := apiShare(readGo(t, "go_tts_pinned"), "cudaMemcpyAsync")
	syncPinned, _ := apiShare(readGo(t, "go_tts_pinned"), "cuStreamSynchronize")
	graphs := readGo(t, "go_tts_graphs")
	_, graphLaunches := apiShare(graphs, "cuGraphLaunch")
	_, launchesG := apiShare(graphs, "cuLaunchKernel")
	_, launchesP := apiShare(readGo(t, "go_tts_pageable"), "cuLaunchKernel")
	if pageable < 50 || pinned > 5 || syncPinned < 50 {
		t.Errorf("cudaMemcpyAsync share: pageable %.1f%%, pinned %.1f%% (sync %.1f%%)", pageable, pinned, syncPinned)
	}
	if graphLaunches != 128 || launchesG*20 > launchesP {
		t.Errorf("graphs: %d graph launches, %d kernel launches (pageable: %d)", graphLaunches, launchesG, launchesP)
	}
}

func sorted(xs []string) []string {
	out := append([]string(nil), xs...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// TestCaptureAnyCommand runs `capture -- CMD` with a stand-in nsys (profile writes a report,
// export writes a real testdata export) and checks every file capture promises.
func TestCaptureAnyCommand(t *testing.T) {
	good, _ := filepath.Abs("../../testdata/traces/go_tts_pageable.sqlite")
	fake := filepath.Join(t.TempDir(), "nsys")
	script := `#!/bin/sh
case "$1" in
--version) echo "NVIDIA Nsight Systems version 0.0-test";;
profile) for a; do case $a in --output=*) echo rep > "${a#--output=}.nsys-rep";; esac; done;;
export) for a; do case $a in --output=*) cp ` + good + ` "${a#--output=}";; esac; done;;
esac
`
	os.WriteFile(fake, []byte(script), 0o755)
	dir := t.TempDir()
	_, errOut, code := runCLI(t, "capture", "--nsys", fake, "-o", dir, "--", "true")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, f := range []string{"trace.nsys-rep", "trace.sqlite", "trace.stats.txt", "trace.summary.txt", "trace-report/report.md", "trace-report/stage_time.png", "run.json"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s missing or empty", f)
		}
	}
	run := string(mustRead(t, filepath.Join(dir, "run.json")))
	if !strings.Contains(run, `"nsys_version": "NVIDIA Nsight Systems version 0.0-test"`) || !strings.Contains(run, `"true"`) {
		t.Errorf("run.json: %s", run)
	}
	// a second capture into the same folder is refused; with --force it writes, and a leftover
	// window of an earlier repeat capture is not taken for one of this run
	if _, errOut, code := runCLI(t, "capture", "--nsys", fake, "-o", dir, "--", "true"); code != exitError || !strings.Contains(errOut, "is not empty") {
		t.Errorf("capture into a used folder: exit %d, %q", code, errOut)
	}
	old := filepath.Join(dir, "trace.2.nsys-rep")
	os.WriteFile(old, []byte("rep"), 0o644)
	past := time.Now().Add(-time.Hour)
	os.Chtimes(old, past, past)
	if _, errOut, code := runCLI(t, "capture", "--force", "--nsys", fake, "-o", dir, "--", "true"); code != 0 {
		t.Fatalf("--force: exit %d: %s", code, errOut)
	}
	run = string(mustRead(t, filepath.Join(dir, "run.json")))
	if strings.Contains(run, "trace.2") || !strings.Contains(run, "trace.nsys-rep") {
		t.Errorf("run.json after --force names files of an earlier run: %s", run)
	}
	if _, err := os.Stat(filepath.Join(dir, "trace.2.sqlite")); err == nil {
		t.Error("the leftover window was exported")
	}
}
