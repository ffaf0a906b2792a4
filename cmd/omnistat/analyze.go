package main

import (
	"fmt"
	"strings"

	"github.com/omnistat/omnistat/render"
	"github.com/omnistat/omnistat/reports"
	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/sqlite"
	"github.com/omnistat/omnistat/trace"
	"github.com/spf13/cobra"
)

// ruleSpec is one parsed --rule value.
type ruleSpec struct {
	spec string // as given: "gpu_gaps:gap=100"
	rule reports.Rule
	opt  reports.RuleOptions
}

// analyzeOptions are the options of `omnistat analyze`.
type analyzeOptions struct {
	Rules  []string // rule specs, "name[:key=value…]"
	specs  []ruleSpec
	Format render.Format
	Traces []string
	Filter filterOptions
}

func newAnalyzeCmd(e *env, runF func(*env, *analyzeOptions) error) *cobra.Command {
	opts := &analyzeOptions{}
	var format string
	cmd := &cobra.Command{
		Use:   "analyze [--rule R[:key=value…][,R…]] [--format column|csv|json|markdown] TRACE…",
		Short: "Run nsys analyze's rules with nsys's exact rows",
		Long: `analyze runs the expert-system rules of 'nsys analyze' on nsys SQLite exports: the same rows,
columns and order as nsys 2025.3.1 (see docs/reports.md). With one --rule and --format csv,
stdout is exactly the CSV nsys prints; a rule that finds nothing prints nothing, and a rule
whose data the trace lacks prints nsys's SKIPPED line on stderr (not an error).

Options follow the rule name as nsys takes them: rows=N (default 50, -1 for all) for every rule,
gap=MS (default 500) for gpu_gaps, threshold=PERCENT (default 50) and chunks=N (1-1000, default 30)
for gpu_time_util.

Rules: ` + strings.Join(reports.RuleNames(), ", "),
		Example: `  omnistat analyze run.sqlite
  omnistat analyze --rule cuda_api_sync --format csv run.sqlite > cuda_api_sync.csv
  omnistat analyze --rule gpu_gaps:gap=100,gpu_time_util:threshold=20:chunks=10 run.sqlite`,
		Args: minArgs(1, "TRACE: give one or more nsys SQLite exports"),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := render.ParseFormat(format)
			if err != nil {
				return usageError{err}
			}
			opts.Format = f
			opts.Traces = args
			if err := opts.parseRules(); err != nil {
				return err
			}
			if err := opts.Filter.parse(cmd.Flags(), e.stderr); err != nil {
				return err
			}
			if runF != nil {
				return runF(e, opts)
			}
			return runAnalyze(e, opts)
		},
	}
	cmd.Flags().StringSliceVarP(&opts.Rules, "rule", "r", nil, "rules to run, comma-separated, each with its :key=value options (default: all)")
	cmd.Flags().StringVarP(&format, "format", "f", "column", "output format: column, csv, json or markdown")
	opts.Filter.addFlags(cmd.Flags())
	return cmd
}

// parseRules looks up every --rule (all rules, in nsys's order, when none is given).
func (opts *analyzeOptions) parseRules() error {
	specs := opts.Rules
	if len(specs) == 0 {
		specs = reports.RuleNames()
	}
	opts.specs = nil
	for _, spec := range specs {
		r, o, err := reports.LookupRule(spec)
		if err != nil {
			return usageError{err}
		}
		opts.specs = append(opts.specs, ruleSpec{spec, r, o})
	}
	return nil
}

func runAnalyze(e *env, opts *analyzeOptions) error {
	if opts.specs == nil {
		if err := opts.parseRules(); err != nil {
			return err
		}
	}
	titled := len(opts.Rules) != 1 || len(opts.Traces) > 1
	var need trace.Tables
	for _, sp := range opts.specs {
		need |= sp.rule.Needs
	}
	need |= opts.Filter.needs()
	paths, err := resolveInputs(e, opts.Traces)
	if err != nil {
		return err
	}
	var all []*table.Table
	for _, path := range paths {
		done := progress(e, path)
		tr, err := sqlite.Read(e.ctx, path, sqlite.Options{Only: need, Partial: e.partial, Details: true})
		done()
		if err != nil {
			return err
		}
		for _, n := range tr.Notes {
			fmt.Fprintf(e.stderr, "note: %s: %s\n", path, n)
		}
		full := tr
		tr, ok := opts.Filter.apply(tr)
		if !ok {
			for range opts.specs {
				opts.Filter.skipped(e, path)
			}
			continue
		}
		for _, sp := range opts.specs {
			if why := sp.rule.Skip(full); why != "" {
				fmt.Fprintf(e.stderr, "SKIPPED: %s %s\n", path, why)
				continue
			}
			t := sp.rule.Run(tr, sp.opt)
			t.Source = path
			if opts.Format == render.JSON {
				all = append(all, t)
				continue
			}
			if err := render.Titled(e.dataOut(opts.Format), t, sp.spec, opts.Format, render.Options{}, titled, path, len(opts.Traces) > 1); err != nil {
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
		return render.WriteJSON(e.stdout, all, render.Options{})
	}
	return nil
}
