package main

import (
	"fmt"
	"github.com/omnistat/omnistat/internal/par"
	"github.com/omnistat/omnistat/internal/timing"
	"github.com/omnistat/omnistat/summary"
	"strings"

	"github.com/omnistat/omnistat/render"
	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/trace"
	"github.com/spf13/cobra"
)

// summarizeOptions are the options of `omnistat summarize`.
type summarizeOptions struct {
	Format   render.Format
	Top      int
	Group    groupOptions
	Findings summary.FindingOptions
	Traces   []string
	// ProjectByProcess: --projection process
	ProjectByProcess bool
	// Merge summarizes all inputs as one trace (repeat-capture windows, ranks)
	Merge bool
	// ExplainStages prints how the stages were found instead of the summary
	ExplainStages bool
	// Wide never cuts names to fit the width
	Wide bool
	// Filter is --filter-time/--filter-nvtx: summarize one window or one range instance
	Filter filterOptions
}

// summarizeBys are the sections summarize makes (a device is no section of a summary).
var summarizeBys = []stage.By{stage.ByStage, stage.ByProcess, stage.ByThread, stage.ByNone}

func newSummarizeCmd(e *env, runF func(*env, *summarizeOptions) error) *cobra.Command {
	if runF == nil {
		runF = runSummarize
	}
	o := &summarizeOptions{Findings: summary.DefaultFindingOptions}
	var format string
	var gapMs float64
	cmd := &cobra.Command{
		Use:   "summarize TRACE… [--by stage|process|thread|none] [--format text|markdown|json] [--stage NAME=RULE]…",
		Short: "Per-stage summary: stage overview, NVTX/GPU projection, kernels, CUDA API, memory, findings",
		Long: `summarize finds the stages of a multi-process trace (one per GPU process, named from its
process title such as stage0_talker or DiffusionWorker, else from its NVTX ranges, else
name:pid; override with --stage or --stages) and prints, for the trace and for each stage: a
stage overview (wall time, GPU busy, kernel/memcpy/API time, top NVTX range), the top NVTX ranges
with their GPU projection, top kernels, top CUDA APIs, memory operations, and findings with their
numbers and what to try. Every number comes from the same code as 'omnistat stats', whose
ungrouped output equals nsys's. See docs/summarize.md.`,
		Example: `  omnistat summarize run.sqlite
  omnistat summarize --format markdown run.sqlite > summary.md
  omnistat summarize --format json run.sqlite | jq '.[0].findings'
  omnistat summarize --by process workers.sqlite     # one section per replica
  omnistat summarize --stage vocoder=proc:code2wav --stage lm=nvtx:'^talker\.' run.sqlite`,
		Args: minArgs(1, "TRACE: give one or more nsys SQLite exports"),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := render.ParseFormat(format)
			if err != nil || f == render.CSV {
				return usagef("unknown format %q (use text, markdown or json)", format)
			}
			o.Format, o.Traces = f, args
			if err := o.Group.parse(summarizeBys, "unknown --by %q for summarize (use stage, process, thread or none; stats --by device splits a report by GPU)"); err != nil {
				return err
			}
			if err := checkTop(o.Top); err != nil {
				return err
			}
			if !(gapMs >= 0 && gapMs < 1e9) {
				return usagef("--gap-ms %g: give a duration in ms, 0 or more", gapMs)
			}
			if err := checkPercent("low-util", o.Findings.LowUtil); err != nil {
				return err
			}
			if err := checkPercent("dominant-api", o.Findings.DominantAPI); err != nil {
				return err
			}
			o.Findings.GapNs = int64(gapMs * 1e6)
			if err := o.Filter.parse(cmd.Flags(), e.stderr); err != nil {
				return err
			}
			return runF(e, o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&format, "format", "f", "text", "output format: text, markdown or json")
	f.IntVar(&o.Top, "top", 10, "rows per table")
	o.Group.addByFlag(f, stage.ByStage, "one section per stage, process, thread, or none (the whole trace)")
	o.Group.addRuleFlags(f)
	f.Float64Var(&o.Findings.DominantAPI, "dominant-api", o.Findings.DominantAPI, "share of CUDA API time (%) that makes one API a finding")
	f.Float64Var(&o.Findings.LowUtil, "low-util", o.Findings.LowUtil, "GPU busy (%) under which a stage is reported as underusing the GPU")
	f.Float64Var(&gapMs, "gap-ms", 500, "GPU idle gap (ms) worth reporting (nsys's gpu_gaps default: 500)")
	f.BoolVar(&o.Wide, "wide", false, "never cut names to fit the terminal (the text is as wide as its longest name)")
	f.BoolVar(&o.ExplainStages, "explain-stages", false, "print how the stages were found (titles, roles, behaviour, the comparisons that made replicas) instead of the summary")
	f.BoolVar(&o.Merge, "merge", false, "summarize all inputs as one trace (the windows of a repeat capture, one export per rank); a folder argument holds them")
	f.BoolVar(&o.ProjectByProcess, "project-by-process", false, "attribute GPU work to an NVTX range when any thread of its process launched it while the range was open\n(beyond nsys, which matches the range's own thread only; for pipelines whose ranges and launches are on different threads)")
	o.Filter.addFlags(f)
	return cmd
}

func runSummarize(e *env, o *summarizeOptions) error {
	if o.ExplainStages {
		return explainStages(e, o)
	}
	var all []*summary.Summary
	so := summary.Options{Top: o.Top, Findings: o.Findings, ProjectByProcess: o.ProjectByProcess}
	err := summarizeEach(e, o.Traces, o.Merge, &o.Group, &o.Filter, so, func(i int, _ string, _ *trace.Trace, _ *stage.Assignment, s *summary.Summary) error {
		all = append(all, s)
		if o.Format == render.JSON {
			return nil
		}
		if i > 0 {
			fmt.Fprintln(e.stdout)
		}
		return render.Summary(e.stdout, s, o.Format, e.layout(o.Wide), nil)
	})
	if err != nil {
		return err
	}
	if o.Format == render.JSON {
		return render.SummaryJSON(e.stdout, all)
	}
	return nil
}

// summarizeEach reads each input (or, with merge, all of them as one trace), finds its stages
// with g, cuts it with the filter f (stages are found on the whole trace, then summarized on
// the part the filter keeps; an input without the filter's NVTX range instance is an error)
// and summarizes it, handing each result to fn in input order.
func summarizeEach(e *env, traces []string, merge bool, g *groupOptions, f *filterOptions, so summary.Options,
	fn func(i int, path string, tr *trace.Trace, a *stage.Assignment, s *summary.Summary) error) error {
	inputs, err := expandInputs(traces)
	if err != nil {
		return err
	}
	if merge {
		inputs = []string{strings.Join(inputs, ",")}
	}
	for i, path := range inputs {
		done := timing.Start("load")
		tr, err := loadMerged(e, []string{path})
		done()
		if err != nil {
			return err
		}
		// the launching calls are found while the stages are: of the whole trace beside the
		// assignment (which reads only the columns) when no filter cuts it, else of the cut
		var built par.Group
		whole := tr
		if !f.Filter.Active() {
			built.Go(func() { whole.Launches() })
		}
		done = timing.Start("stages assigned")
		found := g.assign(tr)
		done()
		tr, win, err := f.window(path, tr)
		if err != nil {
			built.Wait()
			return err
		}
		so := so
		so.Window = win
		done = timing.Start("launches + regroup")
		if f.Filter.Active() {
			built.Go(func() { tr.Launches() })
		}
		a, err := found.Regroup(g.By, tr)
		built.Wait()
		done()
		if err != nil {
			return err
		}
		done = timing.Start("summary.Build")
		s, err := summary.Build(tr, a, so)
		done()
		if err != nil {
			return err
		}
		if win != nil && s.Events() == 0 { // the window holds events, but of no stage's process
			return emptyWindow(path, win, whole)
		}
		done = timing.Start("render")
		err = fn(i, path, tr, a, s)
		done()
		if err != nil {
			return err
		}
	}
	return nil
}

// explainStages prints how the stages of each input were found.
func explainStages(e *env, o *summarizeOptions) error {
	inputs, err := expandInputs(o.Traces)
	if err != nil {
		return err
	}
	if o.Merge {
		inputs = []string{strings.Join(inputs, ",")}
	}
	for i, path := range inputs {
		tr, err := loadMerged(e, []string{path})
		if err != nil {
			return err
		}
		a := o.Group.assign(tr)
		ruled := 0
		for _, st := range a.Stages {
			if st.Source == "rule" {
				ruled += len(st.Procs)
			}
		}
		if i > 0 && o.Format != render.JSON {
			fmt.Fprintln(e.stdout)
		}
		if err := render.ExplainStages(e.stdout, path, ruled, a.Explained, o.Format); err != nil {
			return err
		}
	}
	return nil
}
