package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/omnistat/omnistat/render"
	"github.com/omnistat/omnistat/reports"
	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/sqlite"
	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/trace"
	"github.com/spf13/cobra"
)

// statsOptions are the options of `omnistat stats`.
// reportSpec is one parsed --report value.
type reportSpec struct {
	spec   string // as given: "cuda_gpu_kern_sum:base"
	report reports.Report
	opt    reports.Options
}

type statsOptions struct {
	Reports []string // report specs, "name[:arg]"
	specs   []reportSpec
	Format  render.Format
	MemUnit string
	// TimeUnit is --timeunit as ParseTimeUnit returns it: nsec, usec, msec or sec.
	TimeUnit string
	Traces   []string
	Group    groupOptions
	Filter   filterOptions
}

func newStatsCmd(e *env, runF func(*env, *statsOptions) error) *cobra.Command {
	opts := &statsOptions{}
	var format string
	cmd := &cobra.Command{
		Use:   "stats [--report R[,R…]] [--format column|csv|json|markdown] TRACE…",
		Short: "Print nsys stats reports with nsys's exact numbers",
		Long: `stats prints the summary reports of 'nsys stats' from nsys SQLite exports, with the same
columns, rows, rounding and names as nsys 2025.3.1 (see docs/reports.md).

With one --report and --format csv, stdout is exactly the CSV nsys prints (with --timeunit,
that of nsys stats --timeunit: durations in us, ms or sec). With no --report,
it prints the reports of nsys's default set that omnistat has, each under its title. A report
whose data the trace lacks prints nsys's SKIPPED line on stderr and is not an error.

Reports: ` + strings.Join(reports.Names(), ", ") + `
cuda_gpu_kern_sum takes :base (short kernel names) or :mangled.`,
		Example: `  omnistat stats run.sqlite
  omnistat stats --report cuda_api_sum --format csv run.sqlite > cuda_api_sum.csv
  omnistat stats --report cuda_gpu_kern_sum:base,nvtx_sum --format markdown run.sqlite
  omnistat stats --report cuda_gpu_mem_size_sum --mem-unit B run.sqlite
  omnistat stats --report cuda_api_sum --timeunit usec --format csv run.sqlite`,
		Args: minArgs(1, "TRACE: give one or more nsys SQLite exports"),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := render.ParseFormat(format)
			if err != nil {
				return usageError{err}
			}
			opts.Format = f
			switch opts.MemUnit {
			case "B", "KB", "MB", "GB":
			default:
				return usagef("unknown --mem-unit %q (use B, KB, MB or GB)", opts.MemUnit)
			}
			if opts.TimeUnit, err = render.ParseTimeUnit(opts.TimeUnit); err != nil {
				return usageError{err}
			}
			opts.Traces = args
			if err := opts.Group.parse(stage.Bys, "unknown --by %q (use "+byValues(stage.Bys)+")"); err != nil {
				return err
			}
			if err := opts.parseReports(); err != nil {
				return err
			}
			if err := opts.Filter.parse(cmd.Flags(), e.stderr); err != nil {
				return err
			}
			if runF != nil {
				return runF(e, opts)
			}
			return runStats(e, opts)
		},
	}
	cmd.Flags().StringSliceVarP(&opts.Reports, "report", "r", nil, "reports to print, comma-separated (default: nsys's default set)")
	cmd.Flags().StringVarP(&format, "format", "f", "column", "output format: column, csv, json or markdown")
	cmd.Flags().StringVar(&opts.MemUnit, "mem-unit", "MB", "unit of memory sizes: B, KB, MB (nsys's default) or GB")
	cmd.Flags().StringVar(&opts.TimeUnit, "timeunit", "nsec", "unit of durations, as nsys stats --timeunit: nsec, usec, msec or sec\n(a prefix of nsec, nanoseconds, usec, microseconds, msec, milliseconds, seconds: us, ms, s…)")
	opts.Group.addByFlag(cmd.Flags(), stage.ByNone, "group rows by: "+byValues(stage.Bys))
	opts.Group.addRuleFlags(cmd.Flags())
	opts.Filter.addFlags(cmd.Flags())
	return cmd
}

// parseReports looks up every --report (nsys's default set when none is given), once.
func (opts *statsOptions) parseReports() error {
	specs := opts.Reports
	if len(specs) == 0 {
		specs = reports.DefaultSet
	}
	opts.specs = nil
	for _, spec := range specs {
		r, o, err := reports.Lookup(spec)
		if err != nil {
			return usageError{err}
		}
		opts.specs = append(opts.specs, reportSpec{spec, r, o})
	}
	return nil
}

func runStats(e *env, opts *statsOptions) error {
	titled := len(opts.Reports) != 1 || len(opts.Traces) > 1
	if opts.specs == nil {
		if err := opts.parseReports(); err != nil {
			return err
		}
	}
	ro := render.Options{MemUnit: opts.MemUnit, TimeUnit: opts.TimeUnit}
	var need trace.Tables
	traceCols, mangled := false, false
	for _, sp := range opts.specs {
		need |= sp.report.Needs
		traceCols = traceCols || sp.report.TraceColumns
		mangled = mangled || sp.opt.KernelName == "mangled"
	}
	if opts.Group.By != stage.ByNone { // stages and devices are found from every table
		need = trace.AllTables
	}
	need |= opts.Filter.needs()
	var all []*table.Table
	paths, err := resolveInputs(e, opts.Traces)
	if err != nil {
		return err
	}
	for _, path := range paths {
		done := progress(e, path)
		tr, err := sqlite.Read(e.ctx, path, sqlite.Options{Only: need, Partial: e.partial, Trace: traceCols, Mangled: mangled})
		done()
		if err != nil {
			return err
		}
		for _, n := range tr.Notes {
			fmt.Fprintf(e.stderr, "note: %s: %s\n", path, n)
		}
		// stages are found on the whole trace, then the filter cuts what the reports see; without
		// --by nothing needs them
		var a *stage.Assignment
		if opts.Group.By != stage.ByNone {
			a = opts.Group.assign(tr)
		}
		full := tr // nsys skips a report on what the export holds, whatever the filter keeps
		tr, ok := opts.Filter.apply(tr)
		if !ok {
			for range opts.specs {
				opts.Filter.skipped(e, path)
			}
			continue
		}
		groups, err := opts.Group.groupingOf(tr, a)
		if err != nil {
			return err
		}
		skips := make([]string, len(opts.specs)) // why a report is skipped ("": it runs)
		for i, sp := range opts.specs {
			skips[i] = sp.report.Skip(full)
		}
		tables := runConcurrently(opts.specs, skips, tr, groups)
		for i, sp := range opts.specs {
			r, ro2 := sp.report, sp.opt
			if why := skips[i]; why != "" {
				fmt.Fprintf(e.stderr, "SKIPPED: %s %s\n", path, why)
				continue
			}
			t := tables[i]
			switch {
			case t != nil:
			case groups != nil:
				t = reports.RunGrouped(r, ro2, tr, groups)
			default:
				t = r.Run(tr, ro2)
			}
			t.Source = path
			if opts.Format == render.JSON {
				all = append(all, t)
				continue
			}
			if err := render.Titled(e.dataOut(opts.Format), t, sp.spec, opts.Format, ro, titled, path, len(opts.Traces) > 1); err != nil {
				return err
			}
			if !opts.Format.WritesNotes() {
				for _, n := range t.Notes {
					fmt.Fprintf(e.stderr, "note: %s: %s: %s\n", path, sp.spec, n)
				}
			}
		}
	}
	if opts.Format == render.JSON {
		return render.WriteJSON(e.stdout, all, ro)
	}
	return nil
}

// readTrace reads one export for summarize and report (its notes: printNotes).
func readTrace(e *env, path string) (*trace.Trace, error) {
	done := progress(e, path)
	tr, err := sqlite.Read(e.ctx, path, sqlite.Options{Partial: e.partial})
	done()
	return tr, err
}

// printNotes says on stderr what the read of path noted (tables skipped with --partial, …).
func printNotes(e *env, path string, tr *trace.Trace) {
	for _, n := range tr.Notes {
		fmt.Fprintf(e.stderr, "note: %s: %s\n", path, n)
	}
}

// progress says on stderr that a large export is being read (and how long it took), so a user
// waiting on a multi-hundred-megabyte trace sees something; small files say nothing. It also
// raises the soft memory limit for the input (see raiseMemLimit).
func progress(e *env, path string) func() {
	st, err := os.Stat(path)
	if err != nil {
		return func() {}
	}
	raiseMemLimit(st.Size())
	if st.Size() < 64<<20 { // the limit stays at the input read so far (or the floor)
		return func() {}
	}
	t0 := time.Now()
	fmt.Fprintf(e.stderr, "reading %s (%d MB)…\n", path, st.Size()>>20)
	return func() {
		raiseMemLimit(0)
		fmt.Fprintf(e.stderr, "read %s in %.1f s\n", path, time.Since(t0).Seconds())
	}
}
