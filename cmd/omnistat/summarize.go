package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/omnistat/omnistat/reports"
	"github.com/omnistat/omnistat/reports/render"
	"github.com/omnistat/omnistat/reports/stage"
	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/trace"
	"github.com/spf13/cobra"
)

// summarizeOptions are the options of `omnistat summarize`.
type summarizeOptions struct {
	Format   render.Format
	Top      int
	Group    groupOptions
	Findings reports.FindingOptions
	Traces   []string
	// ProjectByProcess: --projection process
	ProjectByProcess bool
	// Merge summarizes all inputs as one trace (repeat-capture windows, ranks)
	Merge bool
}

func newSummarizeCmd(e *env) *cobra.Command {
	o := &summarizeOptions{Findings: reports.DefaultFindingOptions}
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
			if !slices.Contains(stage.Levels, o.Group.By) {
				return usagef("unknown --by %q for summarize (use stage, process, thread or none; stats --by device splits a report by GPU)", o.Group.By)
			}
			by := o.Group.By
			o.Group.By = "stage"
			if err := o.Group.parse(); err != nil {
				return err
			}
			o.Group.By = by
			o.Findings.GapNs = int64(gapMs * 1e6)
			return runSummarize(e, o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&format, "format", "f", "text", "output format: text, markdown or json")
	f.IntVar(&o.Top, "top", 10, "rows per table")
	f.StringVar(&o.Group.By, "by", "stage", "one section per stage, process, thread, or none (the whole trace)")
	f.StringArrayVar(&o.Group.Rules, "stage", nil, "stage rule NAME=pid:N|proc:REGEX|thread:REGEX|nvtx:REGEX (repeatable; first match wins)")
	f.StringVar(&o.Group.RulesFile, "stages", "", "file of stage rules, one NAME=RULE per line (# comments)")
	f.Float64Var(&o.Findings.DominantAPI, "dominant-api", o.Findings.DominantAPI, "share of CUDA API time (%) that makes one API a finding")
	f.Float64Var(&o.Findings.LowUtil, "low-util", o.Findings.LowUtil, "GPU busy (%) under which a stage is reported as underusing the GPU")
	f.Float64Var(&gapMs, "gap-ms", 500, "GPU idle gap (ms) worth reporting (nsys's gpu_gaps default: 500)")
	f.BoolVar(&o.Merge, "merge", false, "summarize all inputs as one trace (the windows of a repeat capture, one export per rank); a folder argument holds them")
	f.BoolVar(&o.ProjectByProcess, "project-by-process", false, "attribute GPU work to an NVTX range when any thread of its process launched it while the range was open\n(beyond nsys, which matches the range's own thread only; for pipelines whose ranges and launches are on different threads)")
	return cmd
}

func runSummarize(e *env, o *summarizeOptions) error {
	var all []*reports.Summary
	so := reports.SummaryOptions{Top: o.Top, Findings: o.Findings, ProjectByProcess: o.ProjectByProcess}
	err := summarizeEach(e, o.Traces, o.Merge, &o.Group, so, func(i int, _ string, _ *trace.Trace, _ *stage.Assignment, s *reports.Summary) error {
		all = append(all, s)
		if o.Format == render.JSON {
			return nil
		}
		if i > 0 {
			fmt.Fprintln(e.stdout)
		}
		return writeSummary(e.stdout, s, o.Format, nil)
	})
	if err != nil {
		return err
	}
	if o.Format == render.JSON {
		return writeSummaryJSON(e.stdout, all)
	}
	return nil
}

// summarizeEach reads each input (or, with merge, all of them as one trace), finds its stages
// with g and summarizes it, handing each result to fn in input order.
func summarizeEach(e *env, traces []string, merge bool, g *groupOptions, so reports.SummaryOptions,
	fn func(i int, path string, tr *trace.Trace, a *stage.Assignment, s *reports.Summary) error) error {
	inputs, err := expandInputs(traces)
	if err != nil {
		return err
	}
	if merge {
		inputs = []string{strings.Join(inputs, ",")}
	}
	for i, path := range inputs {
		tr, err := loadMerged(e, []string{path})
		if err != nil {
			return err
		}
		built := make(chan struct{}) // the call index, built while the stages are found
		go func() { tr.Calls(); close(built) }()
		a, err := stage.Assign(tr, g.rules).Regroup(g.By, tr)
		<-built
		if err != nil {
			return err
		}
		s, err := reports.Summarize(tr, a, so)
		if err != nil {
			return err
		}
		if err := fn(i, path, tr, a, s); err != nil {
			return err
		}
	}
	return nil
}

// textWidth is the width summarize's text output keeps to.
const textWidth = 120

// writeSummary writes s as text or markdown; afterFindings, when not nil, writes more (the
// report's charts) after the whole-trace findings.
func writeSummary(w io.Writer, s *reports.Summary, f render.Format, afterFindings func(io.Writer) error) error {
	ro := render.Options{MemUnit: "MB", MaxText: 40}
	md := f == render.Markdown
	head := func(level int, title string) {
		if md {
			fmt.Fprintf(w, "\n%s %s\n\n", strings.Repeat("#", level), title)
		} else {
			fmt.Fprintf(w, "\n ** %s\n\n", title)
		}
	}
	gpus := strings.Join(s.GPUModels, ", ")
	nst := fmt.Sprintf("%d stages", len(s.Stages))
	if len(s.Stages) == 1 {
		nst = "1 stage"
	}
	window := fmt.Sprintf("events of the stages span %.1f ms; GPU processes: %s", float64(s.WindowNs)/1e6, orDash(strings.Join(s.Processes, ", ")))
	if md {
		fmt.Fprintf(w, "# omnistat summary: %s\n\nnsys %s; GPUs: %s; %s.\n\n%s.\n", s.Trace, s.Product, orDash(gpus), nst, window)
	} else {
		fmt.Fprint(w, wrap(fmt.Sprintf("omnistat summary: %s (nsys %s; GPUs: %s; %s)", s.Trace, s.Product, orDash(gpus), nst), "", "  "))
		fmt.Fprint(w, wrap(window+".", "", "  "))
	}
	head(2, "Stage overview")
	if err := writeTable(w, f, s.Overview, ro); err != nil {
		return err
	}
	head(2, "Findings")
	writeFindings(w, s.Findings, md)
	if afterFindings != nil {
		if err := afterFindings(w); err != nil {
			return err
		}
	}
	for _, st := range s.Stages {
		head(2, fmt.Sprintf("Stage %s (PIDs %s, found by %s)", st.Stage, joinInts(st.PIDs), st.Source))
		for _, t := range st.Tables {
			if len(t.Rows) == 0 {
				continue
			}
			t = shortNames(t)
			if md {
				if err := render.WriteMarkdown(w, t, ro); err != nil {
					return err
				}
				fmt.Fprintln(w)
				continue
			}
			if err := writeSection(w, t, ro, true); err != nil {
				return err
			}
		}
		if md {
			fmt.Fprintf(w, "#### %s: findings\n\n", st.Stage)
		} else {
			fmt.Fprintf(w, " %s: findings\n\n", st.Stage)
		}
		writeFindings(w, st.Findings, md)
	}
	return nil
}

// writeSection writes a titled table as text: its title, its columns (within textWidth when fit)
// and its notes ("3 more rows: …").
func writeSection(w io.Writer, t *table.Table, ro render.Options, fit bool) error {
	fmt.Fprintf(w, " %s\n\n", t.Title)
	var err error
	if fit {
		err = writeTable(w, render.Column, t, ro)
	} else {
		err = render.WriteColumn(w, t, ro)
	}
	if err != nil {
		return err
	}
	for _, n := range t.Notes {
		fmt.Fprintf(w, "   (%s)\n", n)
	}
	_, err = fmt.Fprintln(w)
	return err
}

// shortNames is t with readable kernel names (the text views only; JSON keeps full names).
func shortNames(t *table.Table) *table.Table {
	c := t.Col("Name")
	if c < 0 || (t.Name != "cuda_gpu_kern_sum" && t.Name != "cuda_gpu_kern_sum_diff") {
		return t
	}
	out := *t
	out.Rows = nil
	for _, r := range t.Rows {
		nr := append([]table.Value(nil), r...)
		nr[c] = table.Str(reports.ShortKernelName(r[c].S))
		out.Rows = append(out.Rows, nr)
	}
	return &out
}

func writeTable(w io.Writer, f render.Format, t *table.Table, o render.Options) error {
	if f == render.Markdown {
		t2 := *t
		return writeMarkdownBody(w, &t2, o)
	}
	// text keeps within textWidth: long names (thread sections, kernels) are cut shorter until it does
	var b strings.Builder
	for {
		b.Reset()
		if err := render.WriteColumn(&b, t, o); err != nil {
			return err
		}
		if o.MaxText <= 16 || widest(b.String()) <= textWidth {
			break
		}
		o.MaxText -= 4
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// widest is the width of the longest line of s, in runes.
func widest(s string) int {
	n := 0
	for _, l := range strings.Split(s, "\n") {
		n = max(n, utf8.RuneCountInString(l))
	}
	return n
}

// writeMarkdownBody writes a markdown table without its heading (the caller wrote one).
func writeMarkdownBody(w io.Writer, t *table.Table, o render.Options) error {
	var b strings.Builder
	if err := render.WriteMarkdown(&b, t, o); err != nil {
		return err
	}
	_, body, _ := strings.Cut(b.String(), "\n\n")
	_, err := io.WriteString(w, body)
	return err
}

func writeFindings(w io.Writer, fs []reports.Finding, md bool) {
	if len(fs) == 0 {
		fmt.Fprintln(w, "   none")
		return
	}
	for _, f := range fs {
		if md {
			fmt.Fprintf(w, "- **%s** (%s): %s. *Try:* %s.\n", f.ID, f.Scope, f.Message, f.Advice)
			continue
		}
		fmt.Fprint(w, wrap(fmt.Sprintf("[%s] %s.", f.ID, f.Message), "   - ", "     "))
		fmt.Fprint(w, wrap("try: "+f.Advice+".", "     ", "     "))
	}
	fmt.Fprintln(w)
}

// wrap breaks s into lines of at most textWidth characters.
func wrap(s, first, rest string) string {
	var b strings.Builder
	line := first
	for _, word := range strings.Fields(s) {
		if len([]rune(line))+len([]rune(word))+1 > textWidth && strings.TrimSpace(line) != "" {
			b.WriteString(strings.TrimRight(line, " ") + "\n")
			line = rest
		}
		line += word + " "
	}
	b.WriteString(strings.TrimRight(line, " ") + "\n")
	return b.String()
}

func joinInts(xs []int64) string {
	var s []string
	for _, x := range xs {
		s = append(s, fmt.Sprint(x))
	}
	return strings.Join(s, ",")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// writeSummaryJSON writes the stable JSON form (docs/summarize.md).
func writeSummaryJSON(w io.Writer, all []*reports.Summary) error {
	type stageJSON struct {
		reports.StageOverview
		Tables   any               `json:"tables"`
		Findings []reports.Finding `json:"findings"`
	}
	type traceJSON struct {
		Trace    string            `json:"trace"`
		Product  string            `json:"nsys_version,omitempty"`
		GPUs     []string          `json:"gpus,omitempty"`
		Stages   []stageJSON       `json:"stages"`
		Findings []reports.Finding `json:"findings"`
	}
	var out []traceJSON
	for _, s := range all {
		tj := traceJSON{Trace: s.Trace, Product: s.Product, GPUs: s.GPUs, Findings: s.Findings, Stages: []stageJSON{}}
		for _, st := range s.Stages {
			tj.Stages = append(tj.Stages, stageJSON{StageOverview: st.StageOverview, Tables: render.JSONTables(st.Tables), Findings: st.Findings})
		}
		out = append(out, tj)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
