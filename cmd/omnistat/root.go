package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/omnistat/omnistat/internal/par"
	"github.com/omnistat/omnistat/internal/tempfiles"
	"github.com/omnistat/omnistat/render"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/cobra"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
	exitGate  = 3
	// exitSIGINT and exitSIGTERM end a run interrupted by Ctrl-C or a termination request
	exitSIGINT  = 130
	exitSIGTERM = 143
)

// env is what a verb may touch: its streams and a context cancelled on Ctrl-C.
type env struct {
	// partial reads damaged exports as far as they are readable (--partial).
	partial bool
	// slowStop: a signal cancels ctx and the verb stops when its child process does (capture)
	slowStop bool
	ctx      context.Context
	stdin    io.Reader
	stdout   io.Writer // escapes control characters (render.Escaper)
	stderr   io.Writer // escapes control characters
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

// layout is how wide text documents are: on a terminal its width ($COLUMNS first, then the
// terminal's own), otherwise render.TextWidth (120) so files and pipes are the same everywhere;
// wide never cuts names.
func (e *env) layout(wide bool) render.Layout {
	l := render.Layout{Wide: wide}
	if !e.terminal {
		return l
	}
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		l.Width = n
	} else if f, ok := e.rawStdout.(*os.File); ok {
		l.Width = ttyColumns(f)
	}
	return l
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
	outEsc, errEsc := render.NewEscaper(stdout), render.NewEscaper(stderr)
	defer outEsc.Flush()
	defer errEsc.Flush()
	stderr = errEsc
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e := &env{ctx: ctx, stdin: stdin, stdout: outEsc, stderr: errEsc, rawStdout: stdout, terminal: isTerminal(stdout)}
	sig := onSignal(e, cancel, errEsc)
	defer sig.stop()
	root := newRootCmd(e)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if s := sig.received(); s != nil && err != nil { // a run that finished anyway succeeded
		tempfiles.RemoveAll()
		fmt.Fprintf(stderr, "omnistat: interrupted (%s)\n", s)
		return signalCode(s)
	}
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

// stopAfter is how long an interrupted run may take to stop by itself (its context is
// cancelled) before it removes its temporary files and exits anyway.
const stopAfter = 250 * time.Millisecond

// signals watches SIGINT and SIGTERM for one run.
type signals struct {
	ch   chan os.Signal
	done chan struct{}
	got  atomic.Value // os.Signal
}

// onSignal makes the first SIGINT or SIGTERM cancel the run's context; a run that has not
// returned stopAfter later (reading or summarising a big trace does not look at the context)
// has its temporary files removed and exits with 130 or 143. Verbs that must let a child finish
// (capture waits for nsys to write its report) set e.slowStop: they stop when their child
// does, or at a second signal.
func onSignal(e *env, cancel func(), stderr io.Writer) *signals {
	s := &signals{ch: make(chan os.Signal, 2), done: make(chan struct{})}
	signal.Notify(s.ch, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		var first os.Signal
		for {
			select {
			case <-s.done:
				return
			case sg := <-s.ch:
				if first == nil {
					first = sg
					s.got.Store(sg)
					cancel()
					if e.slowStop {
						continue // a second signal ends it
					}
					select {
					case <-s.done:
						return
					case <-time.After(stopAfter):
					}
				}
				tempfiles.RemoveAll()
				fmt.Fprintf(stderr, "omnistat: interrupted (%s)\n", first)
				if f, ok := stderr.(interface{ Flush() error }); ok {
					f.Flush()
				}
				exit(signalCode(first))
			}
		}
	}()
	return s
}

// received is the signal that interrupted the run, or nil.
func (s *signals) received() os.Signal {
	if v, ok := s.got.Load().(os.Signal); ok {
		return v
	}
	return nil
}

func (s *signals) stop() {
	signal.Stop(s.ch)
	close(s.done)
}

// signalCode is the shell's exit status for a run ended by sg: 128 + its number.
func signalCode(sg os.Signal) int {
	if sg == syscall.SIGTERM {
		return exitSIGTERM
	}
	return exitSIGINT
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
	root.AddCommand(newStatsCmd(e, nil), newAnalyzeCmd(e, nil), newSummarizeCmd(e, nil), newReportCmd(e, nil), newExportCmd(e, nil), newDiffCmd(e, nil), newCaptureCmd(e), newWorkloadCmd(e))
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
