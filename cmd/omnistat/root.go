package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/omnistat/omnistat/internal/par"
	"github.com/omnistat/omnistat/render"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
	exitGate  = 3
)

// env is what a verb may touch: its streams and a context cancelled on Ctrl-C.
type env struct {
	// partial reads damaged exports as far as they are readable (--partial).
	partial bool
	ctx     context.Context
	stdin   io.Reader
	stdout  io.Writer // escapes control characters (render.Escaper)
	stderr  io.Writer // escapes control characters
	// rawStdout is stdout unescaped, for nsys's exact CSV bytes when stdout is no terminal
	rawStdout io.Writer
	terminal  bool // stdout is a terminal
}

// dataOut is where a format's report data goes: exact bytes for CSV written to a file or a pipe
// (nsys parity), escaped text otherwise (see render.Escaper).
func (e *env) dataOut(f render.Format) io.Writer {
	if f == render.CSV && !e.terminal && e.rawStdout != nil {
		return e.rawStdout
	}
	return e.stdout
}

// isTerminal says whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// usageError marks a mistake in the command line (exit 2).
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// run is the whole CLI: argv in, exit code out. Tests call it in-process. A panic (a bug) is
// one line on stderr and exit status 1, never the runtime's status 2 (a usage error's code);
// OMNISTAT_DEBUG=1 adds its stack.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			code = internalError(stderr, r)
		}
	}()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	outEsc, errEsc := render.NewEscaper(stdout), render.NewEscaper(stderr)
	defer outEsc.Flush()
	defer errEsc.Flush()
	stderr = errEsc
	e := &env{ctx: ctx, stdin: stdin, stdout: outEsc, stderr: errEsc, rawStdout: stdout, terminal: isTerminal(stdout)}
	root := newRootCmd(e)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(stderr, "omnistat: %s\n", oneLine(err.Error()))
	var g gateError
	if errors.As(err, &g) {
		return exitGate
	}
	var u usageError
	if errors.As(err, &u) || strings.HasPrefix(err.Error(), "unknown command") {
		fmt.Fprintln(stderr, "Run 'omnistat --help' for usage.")
		return exitUsage
	}
	return exitError
}

// internalError reports a panic: what it was, and that it is omnistat's bug.
func internalError(stderr io.Writer, r any) int {
	stack := debug.Stack()
	if p, ok := r.(par.Panic); ok {
		r, stack = p.Value, p.Stack
	}
	fmt.Fprintf(stderr, "omnistat: internal error (a bug in omnistat, please report it with the command): %s\n", oneLine(fmt.Sprint(r)))
	if os.Getenv("OMNISTAT_DEBUG") != "" {
		stderr.Write(stack)
	}
	return exitError
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

func newRootCmd(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "omnistat",
		Short: "Per-stage statistics for Nsight Systems traces of multi-stage GPU serving workloads",
		Long: `omnistat reads NVIDIA Nsight Systems (nsys) SQLite exports of multi-stage GPU serving
workloads and prints nsys's own reports with nsys's exact numbers (stats), per-stage summaries
with findings (summarize), markdown reports with charts (report) and stage-by-stage comparisons
with CI gates (diff). It captures traces too (capture). One static binary.

An .nsys-rep is exported with nsys once, beside it (or in the cache when that folder is read-only).`,
		Example: `  omnistat stats run.sqlite
  omnistat stats --report cuda_api_sum --format csv run.sqlite
  omnistat summarize run.sqlite
  omnistat report run.sqlite -o report/
  omnistat diff base.sqlite new.sqlite --fail-on 'api_calls>+5%'
  omnistat capture tts -o runs/tts`,
		Version:       versionString(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.SetIn(e.stdin)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.PersistentFlags().BoolVar(&e.partial, "partial", false, "read a damaged export as far as possible: unreadable tables are skipped and named in a note")
	root.AddCommand(newStatsCmd(e, nil), newSummarizeCmd(e, nil), newReportCmd(e, nil), newDiffCmd(e, nil), newCaptureCmd(e), newWorkloadCmd(e))
	addCompletions(root)
	return root
}

// minArgs is cobra.MinimumNArgs with a usage error that says what is missing.
func minArgs(n int, what string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) < n {
			return usagef("missing %s", what)
		}
		return nil
	}
}
