package main

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/omnistat/omnistat/diff"
	"github.com/omnistat/omnistat/summary"
	"os"
	"path/filepath"
	"strings"

	"github.com/omnistat/omnistat/plots"
	"github.com/omnistat/omnistat/render"
	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/trace"
	"github.com/spf13/cobra"
)

// reportOptions are the options of `omnistat report`.
type reportOptions struct {
	Out    string // folder, or "-" for markdown on stdout
	Charts string // chart folder when Out is "-"
	Format string // png or svg
	Top    int
	Base   string // compare against this trace (diff section and chart)
	Merge  bool   // report all inputs as one trace
	Group  groupOptions
	Traces []string
}

func newReportCmd(e *env, runF func(*env, *reportOptions) error) *cobra.Command {
	if runF == nil {
		runF = runReport
	}
	o := &reportOptions{}
	cmd := &cobra.Command{
		Use:   "report TRACE… -o DIR [--format png|svg]",
		Short: "Write a markdown report with charts: stage overview, findings, per-stage tables",
		Long: `report writes DIR/report.md and its charts: time per stage by category, the top kernels, the
CUDA API time share per stage, the duration distribution of the per-step NVTX ranges, and GPU
utilisation over the capture window per stage. The tables and findings are those of
'omnistat summarize' (same numbers). With -o - the markdown goes to stdout and --charts names
the folder for the images.`,
		Example: `  omnistat report run.sqlite -o report/
  omnistat report --format svg run.sqlite -o report/
  omnistat report run.sqlite -o - --charts img/ > report.md`,
		Args: minArgs(1, "TRACE: give one or more nsys SQLite exports"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.Format != "png" && o.Format != "svg" {
				return usagef("unknown --format %q (use png or svg)", o.Format)
			}
			if o.Out == "" {
				return usagef("missing -o DIR (or -o - for markdown on stdout)")
			}
			if o.Out == "-" && o.Charts == "" {
				return usagef("-o - writes markdown to stdout: name a folder for the charts with --charts DIR")
			}
			o.Traces = args
			if err := o.Group.parse([]stage.By{stage.ByStage}, "unknown --by %q"); err != nil {
				return err
			}
			return runF(e, o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Out, "output", "o", "", "output folder for report.md and the charts, or - for stdout")
	f.StringVar(&o.Charts, "charts", "", "folder for the charts when -o is -")
	f.StringVarP(&o.Format, "format", "f", "png", "chart format: png or svg")
	f.IntVar(&o.Top, "top", 10, "rows per table and kernels in the top-kernels chart")
	f.BoolVar(&o.Merge, "merge", false, "report all inputs as one trace (repeat-capture windows, ranks)")
	f.StringVar(&o.Base, "base", "", "a base trace to compare with: adds the diff verdicts and a before/after chart per stage")
	o.Group.addRuleFlags(f)
	return cmd
}

func runReport(e *env, o *reportOptions) error {
	chartDir, mdPath := o.Charts, ""
	if o.Out != "-" {
		if chartDir == "" {
			chartDir = o.Out
		}
		mdPath = filepath.Join(o.Out, "report.md")
	}
	if err := os.MkdirAll(chartDir, 0o755); err != nil {
		return fmt.Errorf("cannot write to %s: %w", chartDir, unwrapPath(err))
	}
	if err := writable(chartDir); err != nil {
		return err
	}
	var md bytes.Buffer
	var written []string
	so := summary.Options{Top: o.Top, Findings: summary.DefaultFindingOptions}
	err := summarizeEach(e, o.Traces, o.Merge, &o.Group, so, func(i int, path string, tr *trace.Trace, a *stage.Assignment, s *summary.Summary) error {
		var err error
		prefix := ""
		if len(o.Traces) > 1 {
			prefix = fmt.Sprintf("%d_%s_", i+1, strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)))
		}
		charts := render.Charts(s, tr, o.Top)
		var d *diff.Result
		if o.Base != "" {
			if d, err = reportDiff(e, o, tr, a); err != nil {
				return err
			}
			charts = append(charts, render.DiffCharts(d)...)
		}
		var files []string
		for _, c := range charts {
			name := prefix + c.Name + "." + o.Format
			if err := writeChart(filepath.Join(chartDir, name), c, o.Format); err != nil {
				return err
			}
			files = append(files, name)
			written = append(written, filepath.Join(chartDir, name))
		}
		rel := chartDir
		if mdPath != "" {
			rel, _ = filepath.Rel(filepath.Dir(mdPath), chartDir)
		}
		var links []string
		for _, f := range files {
			links = append(links, filepath.ToSlash(filepath.Join(rel, f)))
		}
		err = render.Report(&md, i, render.ReportPart{Summary: s, Diff: d, Base: o.Base, Path: path, Charts: charts, Links: links})
		return err
	})
	if err != nil {
		return err
	}
	if mdPath == "" {
		_, err := e.stdout.Write(md.Bytes())
		return err
	}
	tmp := mdPath + ".tmp"
	if err := os.WriteFile(tmp, md.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", mdPath, err)
	}
	if err := os.Rename(tmp, mdPath); err != nil {
		return fmt.Errorf("write %s: %w", mdPath, err)
	}
	for _, w := range written {
		fmt.Fprintf(e.stderr, "wrote %s\n", w)
	}
	fmt.Fprintf(e.stderr, "wrote %s\n", mdPath)
	return nil
}

// reportDiff compares the report's trace with --base.
func reportDiff(e *env, o *reportOptions, tr *trace.Trace, a *stage.Assignment) (*diff.Result, error) {
	base, err := loadMerged(e, []string{o.Base})
	if err != nil {
		return nil, err
	}
	ab := o.Group.assign(base)
	return diff.Compare(base, tr, ab, a, diff.Options{Per: "auto", Top: o.Top})
}

// unwrapPath drops the path an *os.PathError repeats.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// writable checks that files can be created in dir (a clear error before any work).
func writable(dir string) error {
	f, err := os.CreateTemp(dir, ".omnistat-*")
	if err != nil {
		return fmt.Errorf("cannot write to %s: %w", dir, unwrapPath(err))
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// writeChart draws c into path; a partial file is removed on error.
func writeChart(path string, c plots.Chart, format string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = plots.Write(f, c, format)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("chart %s: %w", path, err)
	}
	return nil
}
