package main

import (
	"fmt"
	"os"

	"github.com/omnistat/omnistat/reports"
	"github.com/omnistat/omnistat/reports/stage"
	"github.com/omnistat/omnistat/trace"
	"github.com/spf13/pflag"
)

// groupOptions are the grouping flags shared by stats and summarize.
type groupOptions struct {
	By        string
	Rules     []string
	RulesFile string
	rules     []stage.Rule
}

func (g *groupOptions) addFlags(f *pflag.FlagSet, def string) {
	f.StringVar(&g.By, "by", def, "group rows by: stage, process, thread, device or none")
	f.StringArrayVar(&g.Rules, "stage", nil, "stage rule NAME=pid:N|proc:REGEX|thread:REGEX|nvtx:REGEX (repeatable; first match wins)")
	f.StringVar(&g.RulesFile, "stages", "", "file of stage rules, one NAME=RULE per line (# comments)")
}

// parse validates the flags (usage errors) and reads the rules file.
func (g *groupOptions) parse() error {
	ok := false
	for _, d := range reports.Dimensions {
		ok = ok || g.By == d
	}
	if !ok {
		return usagef("unknown --by %q (use stage, process, thread, device or none)", g.By)
	}
	for _, s := range g.Rules {
		r, err := stage.ParseRule(s)
		if err != nil {
			return usageError{err}
		}
		g.rules = append(g.rules, r)
	}
	if g.RulesFile != "" {
		f, err := os.Open(g.RulesFile)
		if err != nil {
			return fmt.Errorf("--stages: %w", err)
		}
		defer f.Close()
		rs, err := stage.ParseRules(f)
		if err != nil {
			return fmt.Errorf("--stages %s: %w", g.RulesFile, err)
		}
		g.rules = append(g.rules, rs...)
	}
	return nil
}

// grouping returns the trace's grouping, or nil for --by none.
func (g *groupOptions) grouping(tr *trace.Trace) (*reports.Grouping, *stage.Assignment, error) {
	a := stage.Assign(tr, g.rules)
	if g.By == "none" {
		return nil, a, nil
	}
	gr, err := reports.GroupBy(tr, g.By, a)
	return gr, a, err
}
