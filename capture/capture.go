// Package capture runs a program under Nsight Systems (with a cudaProfilerApi or NVTX capture
// range, or none) and exports what nsys recorded to SQLite. It finds nsys, builds nsys's argument lists (pure
// functions, table-tested) and runs them through a Runner, so everything but the processes
// themselves is tested without nsys or a GPU. It does not analyse traces.
package capture

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ErrNsysNotFound means no nsys binary was found.
var ErrNsysNotFound = errors.New("nsys (Nsight Systems) not found: install it, put it on PATH, or pass --nsys PATH (or set $NSYS)")

// SearchPaths are the install folders FindNsys looks in, after --nsys, $NSYS and PATH. CUDA
// images may carry nsys only inside Nsight Compute's folder.
var SearchPaths = []string{
	"/opt/nvidia/nsight-systems/*/bin/nsys",
	"/opt/nvidia/nsight-systems-cli/*/bin/nsys",
	"/usr/local/cuda/bin/nsys",
	"/usr/local/cuda*/bin/nsys",
	"/opt/nvidia/nsight-compute/*/host/target-linux-x64/nsys",
}

// FindNsys returns the nsys to use: explicit (a --nsys flag), else $NSYS, else nsys on PATH,
// else the newest in SearchPaths.
func FindNsys(explicit string, getenv func(string) string, lookPath func(string) (string, error), glob func(string) ([]string, error)) (string, error) {
	for _, p := range []string{explicit, getenv("NSYS")} {
		if p == "" {
			continue
		}
		if st, err := os.Stat(p); err != nil || st.IsDir() {
			return "", fmt.Errorf("nsys %s: not an executable file", p)
		}
		return p, nil
	}
	if p, err := lookPath("nsys"); err == nil {
		return p, nil
	}
	for _, pat := range SearchPaths {
		m, _ := glob(pat)
		if len(m) > 0 {
			sort.Strings(m)
			return m[len(m)-1], nil
		}
	}
	return "", ErrNsysNotFound
}

// Options are the nsys settings of a capture.
type Options struct {
	Output     string   // report path prefix, without extension (nsys --output)
	Trace      string   // --trace; default cuda,nvtx,osrt
	RangeEnd   string   // --capture-range-end: stop (default) or repeat[:N]
	GraphTrace string   // --cuda-graph-trace: node (default) or graph
	Sample     bool     // CPU sampling and context switches (off by default: smaller traces)
	Range      Range    // where recording starts (default: cudaProfilerApi)
	Delay      int      // --delay: seconds before recording starts (0: none)
	Duration   int      // --duration: seconds recorded (0: until the program ends)
	Extra      []string // more nsys profile options, passed as they are
}

// ProfileArgs is the argv (without the nsys binary) of `nsys profile` running cmd.
func ProfileArgs(o Options, cmd []string) []string {
	def := func(v, d string) string {
		if v == "" {
			return d
		}
		return v
	}
	args := []string{"profile",
		"--output=" + o.Output,
		"--force-overwrite=true",
		"--trace=" + def(o.Trace, "cuda,nvtx,osrt"),
	}
	args = append(args, o.Range.args(def(o.RangeEnd, "stop"))...)
	args = append(args, "--trace-fork-before-exec=true", "--cuda-graph-trace="+def(o.GraphTrace, "node"))
	if o.Delay > 0 {
		args = append(args, "--delay="+strconv.Itoa(o.Delay))
	}
	if o.Duration > 0 {
		args = append(args, "--duration="+strconv.Itoa(o.Duration))
	}
	if !o.Sample {
		args = append(args, "--sample=none", "--cpuctxsw=none")
	}
	args = append(args, o.Extra...)
	return append(args, cmd...)
}

// ExportArgs is the argv of `nsys export` turning one report into SQLite.
func ExportArgs(report, sqlitePath string) []string {
	return []string{"export", "--type=sqlite", "--force-overwrite=true", "--output=" + sqlitePath, report}
}

// Reports lists the reports a profile run wrote for prefix: prefix.nsys-rep, or with a repeat
// capture range prefix.1.nsys-rep, prefix.2.nsys-rep, … in window order.
func Reports(prefix string, glob func(string) ([]string, error)) []string {
	var out []string
	if m, _ := glob(prefix + ".nsys-rep"); len(m) > 0 {
		out = append(out, m...)
	}
	m, _ := glob(prefix + ".*.nsys-rep")
	sort.Slice(m, func(i, j int) bool { return windowIndex(m[i]) < windowIndex(m[j]) })
	return append(out, m...)
}

func windowIndex(p string) int {
	base := strings.TrimSuffix(filepath.Base(p), ".nsys-rep")
	i := strings.LastIndex(base, ".")
	n := 0
	fmt.Sscanf(base[i+1:], "%d", &n)
	return n
}

// Runner runs one nsys command.
type Runner interface {
	Run(ctx context.Context, nsys string, args []string, stdout, stderr io.Writer) error
}

// ExecRunner runs nsys as a child process; cancelling ctx (Ctrl-C) sends nsys SIGINT so it
// stops the application and writes what it has, then waits up to a minute before killing it.
type ExecRunner struct{ Env []string }

// Run implements Runner.
func (r ExecRunner) Run(ctx context.Context, nsys string, args []string, stdout, stderr io.Writer) error {
	c := exec.CommandContext(ctx, nsys, args...)
	c.Stdout, c.Stderr = stdout, stderr
	c.Env = r.Env
	c.Cancel = func() error { return c.Process.Signal(syscall.SIGINT) }
	c.WaitDelay = time.Minute
	if err := c.Run(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted: nsys stopped (%v)", err)
		}
		return fmt.Errorf("nsys %s: %w", args[0], err)
	}
	return nil
}

// Result lists what a capture wrote.
type Result struct {
	Reports           []string // .nsys-rep files, one per capture window
	SQLite            []string // their exports, same order
	ProfileS, ExportS float64
}

// Run profiles cmd under nsys and exports every report it produced. Progress goes to log.
func Run(ctx context.Context, r Runner, nsys string, o Options, cmd []string, out, log io.Writer) (*Result, error) {
	if err := os.MkdirAll(filepath.Dir(o.Output), 0o755); err != nil {
		return nil, fmt.Errorf("output folder: %w", err)
	}
	res := &Result{}
	t0 := time.Now()
	fmt.Fprintf(log, "capture: %s %s\n", nsys, strings.Join(ProfileArgs(o, cmd), " "))
	perr := r.Run(ctx, nsys, ProfileArgs(o, cmd), out, log)
	res.ProfileS = time.Since(t0).Seconds()
	res.Reports = writtenSince(Reports(o.Output, filepath.Glob), t0)
	if perr != nil && len(res.Reports) == 0 {
		return res, perr
	}
	if len(res.Reports) == 0 {
		if m, _ := filepath.Glob(o.Output + "*.qdstrm"); len(m) > 0 {
			return res, fmt.Errorf("nsys wrote only %s: its importer failed (on CUDA images it needs libdw.so.1: see docs/capture.md)", m[0])
		}
		return res, noReport(o)
	}
	t1 := time.Now()
	for _, rep := range res.Reports {
		db := strings.TrimSuffix(rep, ".nsys-rep") + ".sqlite"
		fmt.Fprintf(log, "capture: exporting %s\n", db)
		if err := r.Run(ctx, nsys, ExportArgs(rep, db), io.Discard, log); err != nil {
			os.Remove(db) // never leave a partial export looking complete
			return res, fmt.Errorf("export %s: %w", rep, err)
		}
		res.SQLite = append(res.SQLite, db)
	}
	res.ExportS = time.Since(t1).Seconds()
	if durationEnded(o, perr) {
		perr = nil
	}
	return res, perr
}

// durationEnded says whether perr is only nsys ending the program at the end of --duration: nsys
// sends it SIGTERM and exits with its status, 143 (seen with nsys 2025.3.1 on an H200).
func durationEnded(o Options, perr error) bool {
	var ee *exec.ExitError
	return o.Duration > 0 && errors.As(perr, &ee) && ee.ExitCode() == 143
}

// writtenSince keeps the reports modified at or after t0 (with a second's slack for coarse file
// times): a report of an earlier run in the same folder is never exported as part of this one.
func writtenSince(reports []string, t0 time.Time) []string {
	var out []string
	for _, r := range reports {
		if st, err := os.Stat(r); err == nil && !st.ModTime().Before(t0.Add(-time.Second)) {
			out = append(out, r)
		}
	}
	return out
}

// Version asks nsys for its version line.
func Version(ctx context.Context, r Runner, nsys string) string {
	var b strings.Builder
	if err := r.Run(ctx, nsys, []string{"--version"}, &b, io.Discard); err != nil {
		return ""
	}
	return strings.TrimSpace(b.String())
}
