package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/omnistat/omnistat/workload"
	"github.com/omnistat/omnistat/workload/cuda"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// resultPrefix starts the one stdout line in which a workload reports what it ran (capture
// reads it for run.json).
const resultPrefix = "omnistat-result: "

// StageResult is what one stage process reports.
type StageResult struct {
	Stage      string  `json:"stage"`
	PID        int     `json:"pid"`
	GPU        string  `json:"gpu"`
	Ordinal    int     `json:"gpu_index"`
	Driver     int     `json:"driver_version"`
	NVTX       string  `json:"nvtx"`
	RuntimeAPI bool    `json:"copies_via_cudart"`
	CuBLAS     bool    `json:"gemm_via_cublas"`
	WarmupS    float64 `json:"warmup_s"`
	CapturedS  float64 `json:"captured_s"`
	GEMMTFLOPS float64 `json:"gemm_tflops,omitempty"`
}

// WorkloadResult is the workload's report: its flags and every stage's result.
type WorkloadResult struct {
	Workload string         `json:"workload"`
	Flags    map[string]any `json:"flags"`
	WallS    float64        `json:"wall_s"`
	Stages   []StageResult  `json:"stages"`
}

func newWorkloadCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		// the stage processes stop at their context's cancel, after closing their capture range
		PersistentPreRun: func(*cobra.Command, []string) { e.slowStop = true },
		Use:              "workload tts|diffusion [flags]",
		Short:            "Run a built-in GPU workload (what 'omnistat capture' runs under nsys)",
		Hidden:           true,
	}
	tts := workload.DefaultTTS()
	dif := workload.DefaultDiffusion()
	var stage string
	ttsCmd := &cobra.Command{
		Use:   "tts",
		Short: "Two-stage TTS pipeline: talker (autoregressive) → code2wav (vocoder), one process each",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := tts.Validate(); err != nil {
				return usageError{err}
			}
			if stage != "" {
				return runStage(e, "tts", stage, func(d *cuda.Device, bar workload.Barrier, data *os.File, r *StageResult) error {
					if stage == "talker" {
						return workload.TalkerStage(d, tts, bar, data)
					}
					return workload.Code2WavStage(d, tts, bar, data)
				})
			}
			return runParent(e, cmd, "tts", ttsFlags(tts), func(spawn workload.Spawner) error {
				return workload.RunTTS(e.ctx, spawn)
			})
		},
	}
	f := ttsCmd.Flags()
	addTTSFlags(f, &tts)
	f.StringVar(&stage, "stage", "", "internal: run one stage process")
	f.MarkHidden("stage")

	var rank int
	difCmd := &cobra.Command{
		Use:   "diffusion",
		Short: "Diffusion pipeline: an engine process and --workers GPU worker processes",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := dif.Validate(); err != nil {
				return usageError{err}
			}
			if stage != "" {
				return runStage(e, "diffusion", stage, func(d *cuda.Device, bar workload.Barrier, data *os.File, r *StageResult) error {
					w, err := workload.DiffusionStage(d, dif, bar, data)
					if w != nil {
						r.GEMMTFLOPS = w.GEMMTFLOPS
					}
					return err
				})
			}
			return runParent(e, cmd, "diffusion", diffusionFlags(dif), func(spawn workload.Spawner) error {
				return workload.RunDiffusion(e.ctx, dif, spawn)
			})
		},
	}
	f = difCmd.Flags()
	addDiffusionFlags(f, &dif)
	f.StringVar(&stage, "stage", "", "internal: run one stage process")
	f.IntVar(&rank, "rank", 0, "internal: worker index")
	f.MarkHidden("stage")
	f.MarkHidden("rank")
	cmd.AddCommand(ttsCmd, difCmd)
	return cmd
}

// addTTSFlags registers the TTS workload's flags (shared by `workload tts` and `capture tts`).
func addTTSFlags(f *pflag.FlagSet, c *workload.TTSConfig) {
	f.IntVar(&c.Requests, "requests", c.Requests, "requests served inside the capture range")
	f.IntVar(&c.Tokens, "tokens", c.Tokens, "codec tokens per request")
	f.IntVar(&c.Chunk, "chunk", c.Chunk, "tokens per chunk streamed to code2wav")
	f.IntVar(&c.Layers, "layers", c.Layers, "talker decoder layers")
	f.IntVar(&c.Hidden, "hidden", c.Hidden, "talker width (GEMV weights are hidden² … 4·hidden² fp32)")
	f.IntVar(&c.Vocab, "vocab", c.Vocab, "codec vocabulary")
	f.BoolVar(&c.Pinned, "pinned", false, "copy tokens and audio through pinned host memory (default: pageable)")
	f.BoolVar(&c.Graphs, "graphs", false, "capture the decode step into a CUDA graph once and replay it")
}

// addDiffusionFlags registers the diffusion workload's flags.
func addDiffusionFlags(f *pflag.FlagSet, c *workload.DiffusionConfig) {
	f.IntVar(&c.Workers, "workers", c.Workers, "GPU worker processes (one per GPU, round-robin over the GPUs present)")
	f.IntVar(&c.Requests, "requests", c.Requests, "requests (images), spread over the workers")
	f.IntVar(&c.Steps, "steps", c.Steps, "denoising steps per request")
	f.IntVar(&c.Blocks, "blocks", c.Blocks, "DiT blocks per step")
	f.IntVar(&c.Dim, "dim", c.Dim, "DiT width")
	f.IntVar(&c.Side, "side", c.Side, "latent side (side² latent tokens)")
	f.IntVar(&c.TextLen, "text-len", c.TextLen, "prompt tokens")
	f.Float32Var(&c.Guidance, "guidance", c.Guidance, "classifier-free guidance scale")
}

func ttsFlags(c workload.TTSConfig) map[string]any {
	return map[string]any{"requests": c.Requests, "tokens": c.Tokens, "chunk": c.Chunk, "layers": c.Layers,
		"hidden": c.Hidden, "vocab": c.Vocab, "pinned": c.Pinned, "graphs": c.Graphs}
}

func diffusionFlags(c workload.DiffusionConfig) map[string]any {
	return map[string]any{"workers": c.Workers, "requests": c.Requests, "steps": c.Steps, "blocks": c.Blocks,
		"dim": c.Dim, "side": c.Side, "text-len": c.TextLen, "guidance": c.Guidance}
}

// stageNames are the process names (comm) of the stage processes, as serving frameworks set them.
var stageNames = map[string]string{"talker": "stage0_talker", "code2wav": "stage1_code2wav"}

// runParent starts the stage processes (this binary again, with --stage) and reports the result.
func runParent(e *env, cmd *cobra.Command, name string, flags map[string]any, run func(workload.Spawner) error) error {
	if err := cuda.Probe(); err != nil {
		return err
	}
	exit = cuda.Exit
	self, err := os.Executable()
	if err != nil {
		return err
	}
	if name == "diffusion" {
		workload.SetProcessName("DiffusionEngine")
	} else {
		workload.SetProcessName("tts_engine")
	}
	args := []string{"workload", name}
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if f.Name != "stage" && f.Name != "rank" {
			args = append(args, "--"+f.Name+"="+f.Value.String())
		}
	})
	var mu sync.Mutex
	res := WorkloadResult{Workload: name, Flags: flags}
	var readers sync.WaitGroup
	spawn := func(stage string) *exec.Cmd {
		a := append(append([]string(nil), args...), "--stage="+stage)
		if r, ok := strings.CutPrefix(stage, "worker"); ok {
			a = append(a, "--rank="+r)
		}
		c := exec.Command(self, a...)
		c.Stderr = e.stderr
		out, err := c.StdoutPipe()
		if err == nil {
			readers.Add(1)
			go func() {
				defer readers.Done()
				sc := bufio.NewScanner(out)
				for sc.Scan() {
					line := sc.Text()
					if js, ok := strings.CutPrefix(line, resultPrefix); ok {
						var r StageResult
						if json.Unmarshal([]byte(js), &r) == nil {
							mu.Lock()
							res.Stages = append(res.Stages, r)
							mu.Unlock()
							continue
						}
					}
					fmt.Fprintln(e.stdout, line)
				}
			}()
		}
		return c
	}
	t0 := time.Now()
	err = run(spawn)
	readers.Wait()
	res.WallS = time.Since(t0).Seconds()
	if err != nil {
		return err
	}
	js, _ := json.Marshal(res)
	fmt.Fprintf(e.stdout, "%s%s\n", resultPrefix, js)
	return nil
}

// runStage is the body of one stage process: lock the OS thread (the CUDA context and NVTX
// push/pop ranges belong to it), open the GPU, name the process and thread, run, report.
func runStage(e *env, name, stage string, body func(*cuda.Device, workload.Barrier, *os.File, *StageResult) error) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	exit = cuda.Exit // let nsys's injection flush its CUDA buffers at exit
	pname := stageNames[stage]
	ordinal := 0
	if r, ok := strings.CutPrefix(stage, "worker"); ok {
		pname = "DiffusionWorker"
		ordinal, _ = strconv.Atoi(r)
	}
	workload.SetProcessName(pname)
	t0 := time.Now()
	d, err := cuda.Open(ordinal)
	if err != nil {
		return err
	}
	d.NameThread(stage + "-main")
	bar := &timedBarrier{b: workload.PipeBarrier{From: os.NewFile(workload.FDFromParent, "from-parent"), To: os.NewFile(workload.FDToParent, "to-parent")}}
	data := os.NewFile(workload.FDData, "data")
	r := StageResult{Stage: stage, PID: os.Getpid(), GPU: d.Name(), Ordinal: d.Ordinal(), Driver: d.DriverVersion,
		NVTX: d.NVTXMode(), RuntimeAPI: d.CopiesThroughRuntime(), CuBLAS: d.BLAS()}
	if err := body(d, bar, data, &r); err != nil {
		return fmt.Errorf("%s stage %s: %w", name, stage, err)
	}
	if len(bar.at) == 2 {
		r.WarmupS = bar.at[0].Sub(t0).Seconds()
		r.CapturedS = bar.at[1].Sub(bar.at[0]).Seconds()
	}
	js, _ := json.Marshal(r)
	fmt.Fprintf(e.stdout, "%s%s\n", resultPrefix, js)
	return d.Close()
}

// timedBarrier records when each barrier opened: the capture range lies between the two.
type timedBarrier struct {
	b  workload.Barrier
	at []time.Time
}

func (t *timedBarrier) Wait() error {
	err := t.b.Wait()
	t.at = append(t.at, time.Now())
	return err
}
