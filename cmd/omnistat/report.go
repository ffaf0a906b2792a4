package main

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/omnistat/omnistat/diff"
	"github.com/omnistat/omnistat/internal/safefs"
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
	Force  bool   // replace files omnistat did not write
	Group  groupOptions
	Traces []string
	Filter filterOptions // --filter-time/--filter-nvtx, on the trace and on --base
}

func newReportCmd(e *env, runF func(*env, *reportOptions) error) *cobra.Command {
	if runF == nil {
		runF = runReport
	}
	o := &reportOptions{}
	cmd := &cobra.Command{
		Use:   "report TRACE… -o DIR [--format png|svg]",
		Short: "Write a markdown and an HTML report with charts: stage overview, findings, per-stage tables",
		Long: `report writes DIR/report.md and its charts: time per stage by category, the top kernels, the
CUDA API time share per stage, the duration distribution of the per-step NVTX ranges, and GPU
utilisation over the capture window per stage and GPU. The tables and findings are those of
'omnistat summarize' (same numbers). Beside report.md it writes report.html: one self-contained
page (nothing fetched) with the same tables (sortable), the charts, and a timeline of each stage's
GPU work and steps that zooms and pans. With -o - the markdown goes to stdout, --charts names
the folder for the images, and no HTML is written.`,
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
			if err := checkTop(o.Top); err != nil {
				return err
			}
			if err := o.Group.parse([]stage.By{stage.ByStage}, "unknown --by %q"); err != nil {
				return err
			}
			if err := o.Filter.parse(cmd.Flags(), e.stderr); err != nil {
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
	f.BoolVar(&o.Force, "force", false, "replace files in the output folders that omnistat did not write (by default they are kept and the run fails)")
	f.BoolVar(&o.Merge, "merge", false, "report all inputs as one trace (repeat-capture windows, ranks)")
	f.StringVar(&o.Base, "base", "", "a base trace to compare with: adds the diff verdicts and a before/after chart per stage")
	o.Group.addRuleFlags(f)
	o.Filter.addFlags(f)
	return cmd
}

func runReport(e *env, o *reportOptions) error {
	// both folders are opened (and made) before any work, and every file is written at the end,
	// each through a temporary name: a failed or interrupted run leaves no partial report
	chartPath, mdFolder := o.Charts, ""
	if o.Out != "-" {
		mdFolder = o.Out
		if chartPath == "" {
			chartPath = o.Out
		}
	}
	open := func(path string) (*safefs.Dir, error) {
		d, err := safefs.OpenWith(path, safefs.Options{Create: true, Force: o.Force})
		if err != nil {
			return nil, fmt.Errorf("cannot write to %s: %w", path, unwrapPath(err))
		}
		return d, nil
	}
	charts, err := open(chartPath)
	if err != nil {
		return err
	}
	defer charts.Close()
	mdDir := charts
	if mdFolder != "" && filepath.Clean(mdFolder) != filepath.Clean(chartPath) {
		if mdDir, err = open(mdFolder); err != nil {
			return err
		}
		defer mdDir.Close()
	}
	var files []outFile
	var names safefs.Namer // chart files are named from stage names, which come from trace text
	names.Reserve("report.md")
	names.Reserve("report.html")
	var md bytes.Buffer
	var page render.HTMLReport
	so := summary.Options{Top: o.Top, Findings: summary.DefaultFindingOptions}
	err = summarizeEach(e, o.Traces, o.Merge, &o.Group, &o.Filter, so, func(i int, path string, tr *trace.Trace, a *stage.Assignment, s *summary.Summary) error {
		var err error
		prefix := ""
		if len(o.Traces) > 1 {
			prefix = fmt.Sprintf("%d_%s_", i+1, strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)))
		}
		cs := render.Charts(s, tr, o.Top)
		var d *diff.Result
		if o.Base != "" {
			if d, err = reportDiff(e, o, tr, a); err != nil {
				return err
			}
			cs = append(cs, render.DiffCharts(d)...)
		}
		rel := chartPath
		if mdFolder != "" {
			rel, _ = filepath.Rel(mdFolder, chartPath)
		}
		var links []string
		for _, c := range cs {
			var b bytes.Buffer
			if err := plots.Write(&b, c, o.Format); err != nil {
				return fmt.Errorf("chart %s: %w", c.Name, err)
			}
			name := names.Name(prefix+c.Name) + "." + o.Format
			files = append(files, outFile{name, b.Bytes()})
			links = append(links, filepath.ToSlash(filepath.Join(rel, name)))
		}
		part := render.ReportPart{Summary: s, Diff: d, Base: o.Base, Path: path, Charts: cs, Links: links}
		if mdFolder != "" {
			if err := page.Add(part); err != nil {
				return err
			}
		}
		return render.Report(&md, i, part)
	})
	if err != nil {
		return err
	}
	if err := e.ctx.Err(); err != nil {
		return err // interrupted: write nothing
	}
	if mdFolder == "" {
		if err := writeAll(charts, files); err != nil {
			return err
		}
		pruneCharts(e, charts, chartPath, files)
		_, err := e.stdout.Write(md.Bytes())
		return err
	}
	var esc bytes.Buffer // names from the trace cannot carry terminal escapes into the file
	w := render.NewEscaper(&esc)
	w.Write(md.Bytes())
	w.Flush()
	var htmlPage bytes.Buffer
	if _, err := page.WriteTo(&htmlPage); err != nil {
		return err
	}
	docs := []outFile{{"report.md", esc.Bytes()}, {"report.html", htmlPage.Bytes()}}
	if mdDir == charts {
		err = writeAll(charts, append(files, docs...))
	} else if err = writeAll(charts, files); err == nil {
		err = writeAll(mdDir, docs)
	}
	if err != nil {
		return err
	}
	pruneCharts(e, charts, chartPath, files)
	for _, f := range files {
		fmt.Fprintf(e.stderr, "wrote %s\n", filepath.Join(chartPath, f.name))
	}
	for _, f := range docs {
		fmt.Fprintf(e.stderr, "wrote %s\n", filepath.Join(mdFolder, f.name))
	}
	return nil
}

// pruneCharts removes the charts an earlier report wrote into the folder that this one did not
// (another trace's, another stage's): unchanged files omnistat's manifest lists, charts only.
func pruneCharts(e *env, d *safefs.Dir, folder string, files []outFile) {
	var keep []string
	for _, f := range files {
		keep = append(keep, f.name)
	}
	isChart := func(n string) bool { return strings.HasSuffix(n, ".png") || strings.HasSuffix(n, ".svg") }
	gone, err := d.Prune(keep, isChart)
	for _, n := range gone {
		fmt.Fprintf(e.stderr, "removed %s (a chart of an earlier report)\n", filepath.Join(folder, n))
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "note: %v\n", err)
	}
}

// outFile is one output file of a report, rendered before anything is written.
type outFile struct {
	name string
	data []byte
}

// writeAll writes the files into d only when every one of them may be written: all targets are
// checked (links, files omnistat did not write) before the first is replaced.
func writeAll(d *safefs.Dir, files []outFile) error {
	var open []*safefs.File
	for _, f := range files {
		h, err := d.Create(f.name)
		if err != nil {
			for _, o := range open {
				o.Abort()
			}
			return err
		}
		open = append(open, h)
	}
	var first error
	for i, h := range open {
		if first != nil {
			h.Abort()
			continue
		}
		if _, err := h.Write(files[i].data); err != nil {
			h.Abort()
			first = err
			continue
		}
		first = h.Close()
	}
	return first
}

// reportDiff compares the report's trace with --base.
func reportDiff(e *env, o *reportOptions, tr *trace.Trace, a *stage.Assignment) (*diff.Result, error) {
	base, err := loadMerged(e, []string{o.Base})
	if err != nil {
		return nil, err
	}
	ab := o.Group.assign(base)
	if base, _, err = o.Filter.window(o.Base, base); err != nil {
		return nil, fmt.Errorf("--base %w", err)
	}
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
