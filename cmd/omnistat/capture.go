package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/omnistat/omnistat/internal/safefs"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/omnistat/omnistat/capture"
	"github.com/omnistat/omnistat/render"
	"github.com/omnistat/omnistat/summary"
	"github.com/omnistat/omnistat/workload"
	"github.com/omnistat/omnistat/workload/cuda"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// captureOptions are the options of `omnistat capture`.
type captureOptions struct {
	Dir        string
	Nsys       string
	RangeEnd   string
	GraphTrace string
	Sample     bool
	Force      bool // capture into a folder that is not empty
	// RangeSpec, DelaySpec and DurationSpec are --range, --delay and --duration as given;
	// validate parses them into Range, Delay and Duration.
	RangeSpec, DelaySpec, DurationSpec string
	Range                              capture.Range
	Delay, Duration                    int
}

// validate checks the values nsys would otherwise reject late, after the workload ran.
func (o *captureOptions) validate() error {
	if o.Dir == "" {
		return usagef("-o: give an output folder")
	}
	switch re := o.RangeEnd; {
	case re == "stop", re == "repeat", re == "none":
	case strings.HasPrefix(re, "repeat:") && isPositive(strings.TrimPrefix(re, "repeat:")):
	default:
		return usagef("unknown --range-end %q (use stop, repeat, repeat:N or none)", re)
	}
	if o.GraphTrace != "node" && o.GraphTrace != "graph" {
		return usagef("unknown --graph-trace %q (use node or graph)", o.GraphTrace)
	}
	r, err := capture.ParseRange(o.RangeSpec)
	if err != nil {
		return usageError{err}
	}
	o.Range = r
	if r.Kind == capture.RangeNone && o.RangeEnd != "stop" {
		return usagef("--range-end %s needs a capture range (--range cuda or nvtx:NAME[@DOMAIN]); --range none records the whole run", o.RangeEnd)
	}
	if o.Delay, err = capture.ParseSeconds("delay", o.DelaySpec, 0); err != nil {
		return usageError{err}
	}
	if o.DurationSpec != "" {
		if o.Duration, err = capture.ParseSeconds("duration", o.DurationSpec, 1); err != nil {
			return usageError{err}
		}
	}
	return nil
}

// isPositive says whether s is a decimal integer ≥ 1.
func isPositive(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= 1 && strconv.Itoa(n) == s
}

// RunInfo is one capture in run.json.
type RunInfo struct {
	Name        string          `json:"name"`
	Command     []string        `json:"command"`
	Range       string          `json:"range"` // --range: cuda, nvtx:NAME[@DOMAIN] or none
	Nsys        string          `json:"nsys"`
	NsysVersion string          `json:"nsys_version"`
	Started     time.Time       `json:"started"`
	ProfileS    float64         `json:"profile_s"`
	ExportS     float64         `json:"export_s"`
	Reports     []string        `json:"reports"`
	SQLite      []string        `json:"sqlite"`
	Stats       []string        `json:"stats,omitempty"` // stats, summary and report files
	Workload    *WorkloadResult `json:"workload,omitempty"`
	Error       string          `json:"error,omitempty"`
}

func newCaptureCmd(e *env) *cobra.Command {
	o := &captureOptions{}
	cmd := &cobra.Command{
		Use:   "capture tts|diffusion|all [-o DIR] [flags] | capture -o DIR -- CMD [ARGS…]",
		Short: "Capture a built-in GPU workload, or any command, under nsys and export the trace",
		Long: `capture runs a workload under Nsight Systems with a cudaProfilerApi capture range (opened by
every GPU process itself, after its warm-up) and NVTX ranges per stage and step, then exports the
SQLite trace and writes, into DIR: the .nsys-rep and .sqlite files, run.json (flags, GPU, driver,
nsys version, wall times, achieved GEMM TFLOP/s) and the stats of each trace.

The built-in workloads are a two-stage TTS pipeline (talker → code2wav, one process each) and a
diffusion pipeline (an engine process and GPU worker processes). Any other program can be
captured after "--". With the default --range cuda it must call cudaProfilerStart/Stop
(cuProfilerStart/Stop) in each GPU process, or nsys records nothing; a program without
profiler calls is recorded whole with --range none (--delay/--duration bound it), or from
its first NVTX range of a name with --range nvtx:NAME[@DOMAIN].`,
		Example: `  omnistat capture tts -o runs/tts
  omnistat capture tts --pinned -o runs/tts-pinned
  omnistat capture tts --graphs -o runs/tts-graphs
  omnistat capture diffusion --steps 30 -o runs/diffusion
  omnistat capture all -o runs/all
  omnistat capture -o runs/mine -- python3 serve.py --profile
  omnistat capture --range none --delay 20 --duration 10 -o runs/plain -- python3 train.py
  omnistat capture --range nvtx:step -o runs/step -- python3 train.py`,
		Args: func(cmd *cobra.Command, args []string) error {
			if cmd.ArgsLenAtDash() < 0 || len(args) == 0 {
				return usagef("name a workload (tts, diffusion, all) or give a command after --")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			nsys, err := findNsys(o)
			if err != nil {
				return err
			}
			run := runCapture(e, o, nsys, "trace", args[cmd.ArgsLenAtDash():])
			return writeRunJSON(e, o, []RunInfo{run})
		},
	}
	cmd.PersistentPreRunE = func(*cobra.Command, []string) error {
		e.slowStop = true // nsys writes what it has after a Ctrl-C: let it
		if err := o.validate(); err != nil {
			return err
		}
		// a capture never mixes with an earlier one: replaced files, or leftover windows of a
		// repeat capture exported as this run's
		if err := safefs.CheckEmpty(o.Dir, o.Force); err != nil {
			return err
		}
		return nil
	}
	p := cmd.PersistentFlags()
	p.StringVarP(&o.Dir, "output", "o", "omnistat-capture", "output folder")
	p.StringVar(&o.Nsys, "nsys", "", "nsys binary (default: $NSYS, PATH, then the usual install folders)")
	p.StringVar(&o.RangeSpec, "range", capture.RangeCUDA, "where recording starts: cuda (each process's cudaProfilerStart/Stop), nvtx:NAME[@DOMAIN]\n(an NVTX range of that name; the default domain without @) or none (the whole run)")
	p.StringVar(&o.DelaySpec, "delay", "0", "seconds to wait before recording (nsys --delay)")
	p.StringVar(&o.DurationSpec, "duration", "", "seconds to record, then stop the program (nsys --duration; default: until it ends)")
	p.StringVar(&o.RangeEnd, "range-end", "stop", "what nsys does at cudaProfilerStop: stop (end the capture: one report), repeat (a report per\nstart/stop window), or none (keep recording until the program exits)")
	p.StringVar(&o.GraphTrace, "graph-trace", "node", "CUDA graph tracing: node (each kernel of a graph) or graph (one record per launch)")
	p.BoolVar(&o.Force, "force", false, "capture into an output folder that is not empty (its earlier files are kept, never reported as this run's)")
	p.BoolVar(&o.Sample, "sample", false, "also record CPU samples and context switches (bigger traces)")

	tts := workload.DefaultTTS()
	ttsCmd := &cobra.Command{
		Use:   "tts",
		Short: "Capture the two-stage TTS pipeline",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := tts.Validate(); err != nil {
				return usageError{err}
			}
			nsys, err := preflight(o)
			if err != nil {
				return err
			}
			run := runCapture(e, o, nsys, "tts", workloadArgv("tts", cmd))
			return writeRunJSON(e, o, []RunInfo{run})
		},
	}
	addTTSFlags(ttsCmd.Flags(), &tts)
	dif := workload.DefaultDiffusion()
	difCmd := &cobra.Command{
		Use:   "diffusion",
		Short: "Capture the diffusion pipeline",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := dif.Validate(); err != nil {
				return usageError{err}
			}
			nsys, err := preflight(o)
			if err != nil {
				return err
			}
			run := runCapture(e, o, nsys, "diffusion", workloadArgv("diffusion", cmd))
			return writeRunJSON(e, o, []RunInfo{run})
		},
	}
	addDiffusionFlags(difCmd.Flags(), &dif)
	allCmd := &cobra.Command{
		Use:   "all",
		Short: "Capture both workloads with default sizes (tts, then diffusion)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			nsys, err := preflight(o)
			if err != nil {
				return err
			}
			var runs []RunInfo
			for _, w := range []string{"tts", "diffusion"} {
				runs = append(runs, runCapture(e, o, nsys, w, workloadArgv(w, nil)))
			}
			return writeRunJSON(e, o, runs)
		},
	}
	cmd.AddCommand(ttsCmd, difCmd, allCmd)
	return cmd
}

func findNsys(o *captureOptions) (string, error) {
	return capture.FindNsys(o.Nsys, os.Getenv, exec.LookPath, filepath.Glob)
}

// writeInto writes one file of a capture into folder through safefs (a temporary name renamed
// into place, never through a link); the folder passed CheckEmpty or --force, so files there
// may be replaced. A failed fill leaves nothing.
func writeInto(folder, name string, fill func(io.Writer) error) error {
	d, err := safefs.OpenWith(folder, safefs.Options{Create: true, Force: true})
	if err != nil {
		return err
	}
	defer d.Close()
	f, err := d.Create(name)
	if err != nil {
		return err
	}
	if err := fill(f); err != nil {
		f.Abort()
		return err
	}
	return f.Close()
}

// preflight finds nsys and a GPU driver before anything starts.
func preflight(o *captureOptions) (string, error) {
	nsys, err := findNsys(o)
	if err != nil {
		return "", err
	}
	return nsys, cuda.Probe()
}

// workloadArgv is the command capture runs under nsys: this binary's hidden workload verb with
// the workload flags the user changed (not capture's own, inherited ones).
func workloadArgv(name string, cmd *cobra.Command) []string {
	self, err := os.Executable()
	if err != nil {
		self = os.Args[0]
	}
	argv := []string{self, "workload", name}
	if cmd != nil {
		cmd.Flags().Visit(func(f *pflag.Flag) {
			if cmd.InheritedFlags().Lookup(f.Name) == nil {
				argv = append(argv, "--"+f.Name+"="+f.Value.String())
			}
		})
	}
	return argv
}

// runCapture profiles argv into DIR/name.*, exports it and writes the stats beside it. Errors
// are recorded in the RunInfo (and returned through writeRunJSON) so run.json says what happened.
func runCapture(e *env, o *captureOptions, nsys, name string, argv []string) RunInfo {
	ri := RunInfo{Name: name, Command: argv, Range: o.Range.String(), Nsys: nsys, Started: time.Now().UTC()}
	r := capture.ExecRunner{Env: os.Environ()}
	ri.NsysVersion = capture.Version(e.ctx, r, nsys)
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		ri.Error = fmt.Sprintf("output folder %s: %v", o.Dir, err)
		return ri
	}
	opt := capture.Options{Output: filepath.Join(o.Dir, name), RangeEnd: o.RangeEnd, GraphTrace: o.GraphTrace, Sample: o.Sample,
		Range: o.Range, Delay: o.Delay, Duration: o.Duration}
	fmt.Fprintf(e.stderr, "capture: %s under %s (%s)\n", name, nsys, ri.NsysVersion)
	var appOut bytes.Buffer
	app, logw := prefixWriter(e.stderr, "  | "), prefixWriter(e.stderr, "  ")
	res, err := capture.Run(e.ctx, r, nsys, opt, argv, io.MultiWriter(&appOut, app), logw)
	app.Close()
	logw.Close()
	if res != nil {
		ri.ProfileS, ri.ExportS, ri.Reports, ri.SQLite = res.ProfileS, res.ExportS, res.Reports, res.SQLite
	}
	sc := bufio.NewScanner(&appOut)
	for sc.Scan() {
		if js, ok := strings.CutPrefix(sc.Text(), resultPrefix); ok {
			var w WorkloadResult
			if json.Unmarshal([]byte(js), &w) == nil {
				ri.Workload = &w
			}
		}
	}
	if err != nil {
		ri.Error = err.Error()
		return ri
	}
	for _, db := range ri.SQLite {
		stem := strings.TrimSuffix(filepath.Base(db), ".sqlite")
		serr := writeInto(filepath.Dir(db), stem+".stats.txt", func(w io.Writer) error {
			return runStats(&env{ctx: e.ctx, stdout: w, stderr: io.Discard}, &statsOptions{Format: render.Column, MemUnit: "MB", Traces: []string{db}, Group: groupOptions{By: "none"}})
		})
		if serr != nil {
			ri.Error = serr.Error()
			return ri
		}
		ri.Stats = append(ri.Stats, strings.TrimSuffix(db, ".sqlite")+".stats.txt")
		serr = writeInto(filepath.Dir(db), stem+".summary.txt", func(w io.Writer) error {
			return runSummarize(&env{ctx: e.ctx, stdout: w, stderr: io.Discard}, &summarizeOptions{Format: render.Column, Top: 10,
				Findings: summary.DefaultFindingOptions, Traces: []string{db}, Group: groupOptions{By: "stage"}})
		})
		if serr == nil {
			ri.Stats = append(ri.Stats, strings.TrimSuffix(db, ".sqlite")+".summary.txt")
		}
		// the markdown report with its charts, in NAME-report/ beside the trace
		rdir := strings.TrimSuffix(db, ".sqlite") + "-report"
		rerr := runReport(&env{ctx: e.ctx, stdout: io.Discard, stderr: io.Discard}, &reportOptions{Out: rdir, Format: "png", Top: 10, Force: o.Force,
			Group: groupOptions{By: "stage"}, Traces: []string{db}})
		if rerr == nil {
			ri.Stats = append(ri.Stats, filepath.Join(rdir, "report.md"))
		}
	}
	return ri
}

// writeRunJSON writes DIR/run.json and returns the first capture error.
func writeRunJSON(e *env, o *captureOptions, runs []RunInfo) error {
	js, _ := json.MarshalIndent(map[string]any{"runs": runs}, "", "  ")
	p := filepath.Join(o.Dir, "run.json")
	if err := writeInto(o.Dir, "run.json", func(w io.Writer) error { _, err := w.Write(append(js, '\n')); return err }); err != nil {
		return err
	}
	for _, r := range runs {
		if r.Error != "" {
			return fmt.Errorf("capture %s: %s", r.Name, r.Error)
		}
	}
	for _, r := range runs {
		for _, f := range append(append(append([]string(nil), r.Reports...), r.SQLite...), r.Stats...) {
			fmt.Fprintf(e.stderr, "wrote %s\n", f)
		}
	}
	fmt.Fprintf(e.stderr, "wrote %s\n", p)
	return nil
}

// prefixWriter prefixes each line written through it (progress of child processes on stderr);
// Close flushes the last line.
func prefixWriter(w io.Writer, prefix string) *lineWriter {
	pr, pw := io.Pipe()
	lw := &lineWriter{pw: pw, done: make(chan struct{})}
	go func() {
		defer close(lw.done)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if i := strings.LastIndexByte(line, '\r'); i >= 0 { // nsys progress bars
				line = line[i+1:]
			}
			if strings.TrimSpace(line) != "" && !strings.HasPrefix(line, resultPrefix) {
				fmt.Fprintln(w, prefix+line)
			}
		}
		io.Copy(io.Discard, pr)
	}()
	return lw
}

// lineWriter is the writing end of prefixWriter.
type lineWriter struct {
	pw   *io.PipeWriter
	done chan struct{}
}

func (l *lineWriter) Write(p []byte) (int, error) { return l.pw.Write(p) }

// Close ends the stream and waits until every line is out.
func (l *lineWriter) Close() error {
	l.pw.Close()
	<-l.done
	return nil
}
