package main

import (
	"fmt"
	"github.com/omnistat/omnistat/trace"
	"io"
	"os"
	"strings"
	"time"

	"github.com/omnistat/omnistat/reports"
	"github.com/omnistat/omnistat/reports/render"
	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/sqlite"
	"github.com/spf13/cobra"
)

// statsOptions are the options of `omnistat stats`.
type statsOptions struct {
	Reports []string // report specs, "name[:arg]"
	Format  render.Format
	MemUnit string
	Traces  []string
	Group   groupOptions
}

func newStatsCmd(e *env, runF func(*env, *statsOptions) error) *cobra.Command {
	opts := &statsOptions{}
	var format string
	cmd := &cobra.Command{
		Use:   "stats [--report R[,R…]] [--format column|csv|json|markdown] TRACE…",
		Short: "Print nsys stats reports with nsys's exact numbers",
		Long: `stats prints the summary reports of 'nsys stats' from nsys SQLite exports, with the same
columns, rows, rounding and names as nsys 2025.3.1 (see docs/reports.md).

With one --report and --format csv, stdout is exactly the CSV nsys prints. With no --report,
it prints the reports of nsys's default set that omnistat has, each under its title. A report
whose data the trace lacks prints nsys's SKIPPED line on stderr and is not an error.

Reports: ` + strings.Join(reports.Names(), ", ") + `
cuda_gpu_kern_sum takes :base (short kernel names) or :mangled.`,
		Example: `  omnistat stats run.sqlite
  omnistat stats --report cuda_api_sum --format csv run.sqlite > cuda_api_sum.csv
  omnistat stats --report cuda_gpu_kern_sum:base,nvtx_sum --format markdown run.sqlite
  omnistat stats --report cuda_gpu_mem_size_sum --mem-unit B run.sqlite`,
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
			opts.Traces = args
			if err := opts.Group.parse(); err != nil {
				return err
			}
			for _, spec := range opts.Reports {
				if _, _, err := reports.Lookup(spec); err != nil {
					return usageError{err}
				}
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
	opts.Group.addFlags(cmd.Flags(), "none")
	return cmd
}

func runStats(e *env, opts *statsOptions) error {
	specs := opts.Reports
	titled := len(specs) != 1 || len(opts.Traces) > 1
	if len(specs) == 0 {
		specs = reports.DefaultSet
	}
	ro := render.Options{MemUnit: opts.MemUnit}
	var need trace.Tables
	for _, spec := range specs {
		r, _, _ := reports.Lookup(spec)
		need |= r.Needs
	}
	if opts.Group.By != "none" { // stages and devices are found from every table
		need = trace.AllTables
	}
	var all []*table.Table
	paths, err := resolveInputs(e, opts.Traces)
	if err != nil {
		return err
	}
	for _, path := range paths {
		done := progress(e, path)
		tr, err := sqlite.Read(e.ctx, path, sqlite.Options{Only: need, Partial: e.partial})
		done()
		if err != nil {
			return err
		}
		for _, n := range tr.Notes {
			fmt.Fprintf(e.stderr, "note: %s: %s\n", path, n)
		}
		groups, _, err := opts.Group.grouping(tr)
		if err != nil {
			return err
		}
		for _, spec := range specs {
			r, ro2, _ := reports.Lookup(spec)
			if why := r.Skip(tr); why != "" {
				fmt.Fprintf(e.stderr, "SKIPPED: %s %s\n", path, why)
				continue
			}
			var t *table.Table
			if groups != nil {
				t = reports.RunGrouped(r, ro2, tr, groups)
			} else {
				t = r.Run(tr, ro2)
			}
			t.Source = path
			if opts.Format == render.JSON {
				all = append(all, t)
				continue
			}
			if err := writeTitled(e.stdout, t, spec, opts.Format, ro, titled, path, len(opts.Traces) > 1); err != nil {
				return err
			}
			if opts.Format != render.Markdown {
				for _, n := range t.Notes {
					fmt.Fprintf(e.stderr, "note: %s: %s: %s\n", path, spec, n)
				}
			}
		}
	}
	if opts.Format == render.JSON {
		return render.WriteJSON(e.stdout, all, ro)
	}
	return nil
}

// readTrace reads one export for summarize and report, with notes on stderr.
func readTrace(e *env, path string) (*trace.Trace, error) {
	done := progress(e, path)
	tr, err := sqlite.Read(e.ctx, path, sqlite.Options{Partial: e.partial})
	done()
	if err != nil {
		return nil, err
	}
	for _, n := range tr.Notes {
		fmt.Fprintf(e.stderr, "note: %s: %s\n", path, n)
	}
	return tr, nil
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
	if st.Size() < 64<<20 {
		return func() { raiseMemLimit(0) }
	}
	t0 := time.Now()
	fmt.Fprintf(e.stderr, "reading %s (%d MB)…\n", path, st.Size()>>20)
	return func() {
		raiseMemLimit(0)
		fmt.Fprintf(e.stderr, "read %s in %.1f s\n", path, time.Since(t0).Seconds())
	}
}

// writeTitled writes one table, under nsys's " ** Title (name):" line when several are printed.
func writeTitled(w io.Writer, t *table.Table, spec string, f render.Format, o render.Options, titled bool, path string, manyTraces bool) error {
	if titled && f != render.Markdown {
		src := ""
		if manyTraces {
			src = " [" + path + "]"
		}
		fmt.Fprintf(w, "\n ** %s (%s)%s:\n\n", t.Title, spec, src)
	}
	if f == render.Markdown && manyTraces {
		fmt.Fprintf(w, "\n_%s_\n\n", path)
	}
	if err := render.Write(w, f, t, o); err != nil {
		return err
	}
	if titled && f == render.Markdown {
		fmt.Fprintln(w)
	}
	return nil
}
