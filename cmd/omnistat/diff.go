package main

import (
	"fmt"
	"github.com/omnistat/omnistat/diff"
	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/summary"
	"github.com/omnistat/omnistat/trace"
	"os"
	"sort"
	"strings"

	"github.com/omnistat/omnistat/render"
	"github.com/spf13/cobra"
)

// gateError means a --fail-on gate tripped (exit 3).
type gateError struct{ tripped []string }

func (g gateError) Error() string {
	return fmt.Sprintf("%d gate(s) tripped: %s", len(g.tripped), strings.Join(g.tripped, "; "))
}

// gateFailure means a --fail-on gate could not be evaluated (its stage or range is not in a
// run, or the runs share no stage): exit 1, never a pass; the gates that tripped are named too.
type gateFailure struct {
	n               int      // gates that could not be evaluated
	failed, tripped []string // "gate, gate (reason)" per reason; "gate (change)"
}

func (g gateFailure) Error() string {
	s := fmt.Sprintf("%d gate(s) could not be evaluated: %s", g.n, strings.Join(g.failed, "; "))
	if len(g.tripped) > 0 {
		s += "; " + gateError{g.tripped}.Error()
	}
	return s
}

// diffOptions are the options of `omnistat diff`.
type diffOptions struct {
	Format    render.Format
	Per       string
	Top       int
	Gates     []string // --fail-on values
	GatesFile string   // --fail-on-file: one gate a line, # comments
	Wide      bool     // never cut names
	// AllowUnlike (--allow-unlike) evaluates the gates even when the runs share no stage
	// (different programs); without it every gate fails then.
	AllowUnlike bool
	gates       []diff.Gate
	Group       groupOptions
	Base        string
	New         string
}

func newDiffCmd(e *env, runF func(*env, *diffOptions) error) *cobra.Command {
	if runF == nil {
		runF = runDiff
	}
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

Runs differ in length, so by default (--per auto) each stage is compared per step: its step
range is the NVTX range family (push/pop or start/end, numbers as N) with the most instances, at
least 2, and a stage is compared per step when both runs have the same one, totals otherwise.
--per RANGE chooses the range, --per none compares totals.

--fail-on EXPR (repeatable; --fail-on-file FILE, one a line) is a CI gate:
  [stage:NAME:]METRIC>+X%      NEW rises more than X% over BASE (<-X%: drops)
  METRIC>+N[unit]              the change exceeds N (a time needs its unit: ns, us, ms, s)
  METRIC>N[unit], METRIC<N     NEW's value is beyond the bound (BASE is not read)
  api:NAME:share>X%            the API's share of CUDA API time in NEW (>+X: a rise in points)
METRIC is wall, gpu_time, kernel_time, memcpy_time, api_time, api_calls, kernels, steps,
range:NAME (mean duration), kernel:REGEX or api:NAME (total time). Changes compare per step
where both runs have the same step range (METRIC_per_step, METRIC_total insist), bounds
compare totals (METRIC_per_step: per step). Blanks are allowed around the comparison (gpu_time >+8%).
Exit 3 when a gate trips; exit 1 when a gate cannot be evaluated (its stage or NVTX range is
not in a run it reads, its per-step values do not exist, or the runs share no stage: different
programs, which --allow-unlike compares anyway); exit 2 for a malformed gate or one that names
nothing in either run. See docs/diff.md.`,
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
			if err := o.parseGates(); err != nil {
				return err
			}
			if err := checkTop(o.Top); err != nil {
				return err
			}
			if err := o.Group.parse([]stage.By{stage.ByStage}, "unknown --by %q"); err != nil {
				return err
			}
			return runF(e, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&format, "format", "f", "text", "output format: text, markdown or json")
	fl.StringVar(&o.Per, "per", "auto", "normalise per instance of this NVTX range (message, domain:message or a family with N); auto: each stage's step range family (push/pop or start/end, the most instances, when both runs have the same); none: totals")
	fl.IntVar(&o.Top, "top", 10, "rows per table")
	fl.BoolVar(&o.Wide, "wide", false, "never cut names to fit the terminal")
	fl.StringVar(&o.GatesFile, "fail-on-file", "", "read gates from a file, one a line (blank lines and # comments allowed, also after a gate)")
	fl.StringArrayVar(&o.Gates, "fail-on", nil, "gate [stage:NAME:]METRIC>+X% or >+N[unit] (repeatable); exit 3 when one trips, 1 when one cannot be evaluated")
	fl.BoolVar(&o.AllowUnlike, "allow-unlike", false, "evaluate the gates even when the runs share no stage (otherwise every gate fails: the runs look like different programs)")
	o.Group.addRuleFlags(fl)
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
	ab, an := o.Group.assign(base), o.Group.assign(nw)
	if err := checkPer(o.Per, base, nw); err != nil {
		return err
	}
	for _, g := range o.gates {
		if err := g.Validate(base, nw, ab, an); err != nil {
			return usageError{err}
		}
	}
	d, err := diff.Compare(base, nw, ab, an, diff.Options{Per: o.Per, Top: o.Top})
	if err != nil {
		return err
	}
	results := diff.CheckAll(o.gates, base, nw, ab, an, d, o.Per, o.AllowUnlike)
	var tripped, failed, reasons []string
	failedBy := map[string][]string{} // gates by the reason they could not be evaluated, named once
	for _, r := range results {
		switch {
		case r.Failed != "":
			if failedBy[r.Failed] == nil {
				reasons = append(reasons, r.Failed)
			}
			failedBy[r.Failed] = append(failedBy[r.Failed], r.Gate)
		case r.Tripped:
			tripped = append(tripped, fmt.Sprintf("%s (%s)", r.Gate, r.Change))
		}
	}
	nFailed := 0
	for _, why := range reasons {
		nFailed += len(failedBy[why])
		failed = append(failed, fmt.Sprintf("%s (%s)", strings.Join(failedBy[why], ", "), why))
	}
	if o.Format == render.JSON {
		err = render.DiffJSON(e.stdout, d, results)
	} else {
		err = render.Diff(e.stdout, d, results, o.Format, e.layout(o.Wide))
	}
	if err != nil {
		return err
	}
	if len(failed) > 0 {
		return gateFailure{nFailed, failed, tripped}
	}
	if len(tripped) > 0 {
		return gateError{tripped}
	}
	return nil
}

// parseGates parses --fail-on and the lines of --fail-on-file, once.
func (o *diffOptions) parseGates() error {
	exprs := append([]string(nil), o.Gates...)
	if o.GatesFile != "" {
		b, err := os.ReadFile(o.GatesFile)
		if err != nil {
			return usagef("%s: cannot read the gate file (--fail-on-file): %v", o.GatesFile, unwrapPath(err))
		}
		before := len(exprs)
		for i, l := range strings.Split(string(b), "\n") {
			if j := strings.Index(l, " #"); j >= 0 { // a comment after the gate
				l = l[:j]
			}
			l = strings.TrimSpace(l)
			if l == "" || strings.HasPrefix(l, "#") {
				continue
			}
			if _, err := diff.ParseGate(l); err != nil {
				return usagef("%s:%d: %v", o.GatesFile, i+1, err)
			}
			exprs = append(exprs, l)
		}
		if len(exprs) == before { // a gate file that gates nothing would pass every build
			return usagef("%s: no gate in the gate file (one a line; # starts a comment)", o.GatesFile)
		}
	}
	for _, s := range exprs {
		g, err := diff.ParseGate(s)
		if err != nil {
			return usageError{err}
		}
		o.gates = append(o.gates, g)
	}
	return nil
}

// checkPer refuses a --per range that neither run has (a typo would compare totals without a
// word), naming the step ranges there are.
func checkPer(per string, base, nw *trace.Trace) error {
	if per == "auto" || per == "none" || per == "" {
		return nil
	}
	if summary.CountFamily(base, per)+summary.CountFamily(nw, per) > 0 {
		return nil
	}
	fams := summary.Families(base)
	for f, n := range summary.Families(nw) {
		fams[f] += n
	}
	names := make([]string, 0, len(fams)+2)
	for f := range fams {
		names = append(names, f)
	}
	sort.Slice(names, func(i, j int) bool {
		if fams[names[i]] != fams[names[j]] {
			return fams[names[i]] > fams[names[j]]
		}
		return names[i] < names[j]
	})
	names = append([]string{"auto", "none"}, names...) // the keywords are candidates too
	return usagef("--per %q: no such range in either trace%s", per, diff.Suggest(per, names))
}
