package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/omnistat/omnistat/reports"
	"github.com/omnistat/omnistat/reports/render"
	"github.com/omnistat/omnistat/reports/table"
	"github.com/spf13/cobra"
)

// gateError means a --fail-on gate tripped (exit 3).
type gateError struct{ tripped []string }

func (g gateError) Error() string {
	return fmt.Sprintf("%d gate(s) tripped: %s", len(g.tripped), strings.Join(g.tripped, "; "))
}

// diffOptions are the options of `omnistat diff`.
type diffOptions struct {
	Format render.Format
	Per    string
	Top    int
	Gates  []string
	Group  groupOptions
	Base   string
	New    string
}

func newDiffCmd(e *env) *cobra.Command {
	o := &diffOptions{}
	var format string
	cmd := &cobra.Command{
		Use: "diff BASE NEW [--per RANGE] [--fail-on EXPR]… [--format text|markdown|json]",
		// BASE and NEW may each be several exports: a folder (the windows of a repeat capture) or
		// a comma-separated list (one export per rank); they are merged
		Short: "Compare two traces stage by stage, and gate CI on regressions",
		Long: `diff compares NEW against BASE stage by stage (stages matched by their key, so reruns with
other PIDs compare): the stage figures (wall, GPU busy, kernel, memory and API time, calls,
kernels), then the CUDA APIs, kernels, NVTX ranges and memory operations with absolute and
relative change, entries that appeared or vanished, sorted by impact, a verdict per stage, and
the findings that appeared or vanished. BASE and NEW may each be several exports — a folder
(the windows of a repeat capture) or a comma-separated list (one export per rank) — merged into
one trace per side.

Runs differ in length, so by default each stage is normalised per instance of its per-step range
(the push/pop range with the most instances, e.g. talker.decode_step); --per RANGE chooses it,
--per none compares totals.

--fail-on EXPR (repeatable) is a CI gate: [stage:NAME:]METRIC>+X% or METRIC>+N, METRIC one of
wall, gpu_time, kernel_time, memcpy_time, api_time, api_calls, kernels (totals, in ns or
counts), range:NAME (mean duration), kernel:REGEX (total time), api:NAME (total time). Gates
compare raw values. Exit 3 when any gate trips, 0 otherwise; a malformed gate is exit 2.`,
		Example: `  omnistat diff base.sqlite new.sqlite
  omnistat diff --per talker.decode_step base.sqlite new.sqlite
  omnistat diff base.sqlite new.sqlite --fail-on 'api_calls>+1%' --fail-on 'stage:talker:range:talker.decode_step>+5%'`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 2 {
				return usagef("diff takes two traces, BASE and NEW")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := render.ParseFormat(format)
			if err != nil || f == render.CSV {
				return usagef("unknown format %q (use text, markdown or json)", format)
			}
			o.Format, o.Base, o.New = f, args[0], args[1]
			for _, g := range o.Gates {
				if _, err := reports.ParseGate(g); err != nil {
					return usageError{err}
				}
			}
			o.Group.By = "stage"
			if err := o.Group.parse(); err != nil {
				return err
			}
			return runDiff(e, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&format, "format", "f", "text", "output format: text, markdown or json")
	fl.StringVar(&o.Per, "per", "auto", "normalise per instance of this NVTX range; auto: each stage's most frequent push/pop range; none: totals")
	fl.IntVar(&o.Top, "top", 10, "rows per table")
	fl.StringArrayVar(&o.Gates, "fail-on", nil, "gate [stage:NAME:]METRIC>+X% or >+N (repeatable); exit 3 when one trips")
	fl.StringArrayVar(&o.Group.Rules, "stage", nil, "stage rule NAME=pid:N|proc:REGEX|thread:REGEX|nvtx:REGEX (repeatable)")
	fl.StringVar(&o.Group.RulesFile, "stages", "", "file of stage rules")
	return cmd
}

func runDiff(e *env, o *diffOptions) error {
	base, err := loadMerged(e, []string{o.Base})
	if err != nil {
		return err
	}
	nw, err := loadMerged(e, []string{o.New})
	if err != nil {
		return err
	}
	_, ab, _ := o.Group.grouping(base)
	_, an, _ := o.Group.grouping(nw)
	d, err := reports.Diff(base, nw, ab, an, reports.DiffOptions{Per: o.Per, Top: o.Top})
	if err != nil {
		return err
	}
	var results []reports.GateResult
	var tripped []string
	for _, s := range o.Gates {
		g, _ := reports.ParseGate(s)
		r := g.Check(base, nw, ab, an)
		results = append(results, r)
		if r.Tripped {
			tripped = append(tripped, fmt.Sprintf("%s (%s)", r.Gate, r.Change))
		}
	}
	if o.Format == render.JSON {
		err = writeDiffJSON(e.stdout, d, results)
	} else {
		err = writeDiff(e.stdout, d, results, o.Format == render.Markdown)
	}
	if err != nil {
		return err
	}
	if len(tripped) > 0 {
		return gateError{tripped}
	}
	return nil
}

func writeDiff(w io.Writer, d *reports.DiffResult, gates []reports.GateResult, md bool) error {
	ro := render.Options{MemUnit: "MB", MaxText: 40}
	head := func(s string) {
		if md {
			fmt.Fprintf(w, "\n## %s\n\n", s)
		} else {
			fmt.Fprintf(w, "\n ** %s\n\n", s)
		}
	}
	if md {
		fmt.Fprintf(w, "# omnistat diff\n\nbase: %s  \nnew: %s\n", d.Base, d.New)
	} else {
		fmt.Fprintf(w, "omnistat diff: base %s, new %s\n", d.Base, d.New)
	}
	head("Verdict")
	for _, s := range d.Stages {
		line := "- " + s.Verdict
		if !md {
			line = wrap(s.Verdict, "   - ", "     ")
			fmt.Fprint(w, line)
			continue
		}
		fmt.Fprintln(w, line)
	}
	if len(gates) > 0 {
		head("Gates")
		for _, g := range gates {
			state := "ok"
			if g.Tripped {
				state = "TRIPPED"
			}
			extra := ""
			if g.Missing != "" {
				extra = " (" + g.Missing + ")"
			}
			fmt.Fprintf(w, "   %-7s %s: %s → %s, %s%s\n", state, g.Gate, fmtNum(g.BaseValue), fmtNum(g.NewValue), g.Change, extra)
		}
	}
	for _, s := range d.Stages {
		per := ""
		if s.Per != "" {
			per = fmt.Sprintf(", per %s (%d → %d instances)", s.Per, s.StepsBase, s.StepsNew)
		}
		head(fmt.Sprintf("Stage %s%s", s.Stage, per))
		for _, t := range append([]*table.Table{s.Overview}, s.Tables...) {
			if len(t.Rows) == 0 {
				continue
			}
			tt := shortNames(t)
			if md {
				if err := render.WriteMarkdown(w, tt, ro); err != nil {
					return err
				}
				fmt.Fprintln(w)
				continue
			}
			if err := writeSection(w, tt, ro, false); err != nil { // diff tables are wider than 120 columns
				return err
			}
		}
	}
	if len(d.Findings.Rows) > 0 {
		head("Findings")
		for _, r := range d.Findings.Rows {
			msg := r[3].S
			if msg == "" {
				msg = r[2].S
			}
			if md {
				fmt.Fprintf(w, "- **%s** %s: %s\n", r[0].S, r[1].S, msg)
			} else {
				fmt.Fprint(w, wrap(fmt.Sprintf("[%s] %s: %s", r[0].S, r[1].S, msg), "   - ", "     "))
			}
		}
	}
	return nil
}

func fmtNum(v float64) string {
	if v == float64(int64(v)) {
		return withSepInt(int64(v))
	}
	return fmt.Sprintf("%.1f", v)
}

func withSepInt(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func writeDiffJSON(w io.Writer, d *reports.DiffResult, gates []reports.GateResult) error {
	type stageJSON struct {
		reports.StageDiff
		Figures any `json:"figures"`
		Tables  any `json:"tables"`
	}
	out := struct {
		Base     string               `json:"base"`
		New      string               `json:"new"`
		Stages   []stageJSON          `json:"stages"`
		Findings any                  `json:"findings"`
		Gates    []reports.GateResult `json:"gates"`
	}{Base: d.Base, New: d.New, Findings: render.JSONTables([]*table.Table{d.Findings}), Gates: gates}
	for _, s := range d.Stages {
		out.Stages = append(out.Stages, stageJSON{StageDiff: s, Figures: render.JSONTables([]*table.Table{s.Overview}), Tables: render.JSONTables(s.Tables)})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
