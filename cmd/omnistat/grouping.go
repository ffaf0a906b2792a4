package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/trace"
	"github.com/spf13/pflag"
)

// groupOptions are the stage flags every analysing verb shares (--stage, --stages) and, for
// stats and summarize, the --by dimension. parse turns the flag values into rules and a stage.By.
type groupOptions struct {
	By        stage.By
	by        string // the --by flag's value
	Rules     []string
	RulesFile string
	rules     []stage.Rule
}

// addRuleFlags adds --stage and --stages.
func (g *groupOptions) addRuleFlags(f *pflag.FlagSet) {
	f.StringArrayVar(&g.Rules, "stage", nil, "stage rule NAME=pid:N|proc:REGEX|thread:REGEX|nvtx:REGEX (repeatable; first match wins)")
	f.StringVar(&g.RulesFile, "stages", "", "file of stage rules, one NAME=RULE per line (# comments)")
}

// addByFlag adds --by with its default and help.
func (g *groupOptions) addByFlag(f *pflag.FlagSet, def stage.By, help string) {
	f.StringVar(&g.by, "by", string(def), help)
}

// byValues lists dimensions for a help text or an error: "stage, process, thread or none".
func byValues(bs []stage.By) string {
	var s []string
	for _, b := range bs {
		s = append(s, string(b))
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// parse validates --by against the dimensions the verb takes (usage errors; unknown gives the
// verb's message) and reads the rules.
func (g *groupOptions) parse(allowed []stage.By, unknown string) error {
	if g.by == "" {
		g.by = string(stage.ByStage)
	}
	by, ok := stage.ParseBy(g.by, allowed...)
	if !ok {
		return usagef(unknown, g.by)
	}
	g.By = by
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

// assign finds tr's stages with the rules: the one path from a trace to its stages that every
// verb takes.
func (g *groupOptions) assign(tr *trace.Trace) *stage.Assignment { return stage.Assign(tr, g.rules) }

// grouping returns tr's row grouping along --by (nil for none) and its stage assignment.
func (g *groupOptions) grouping(tr *trace.Trace) (*trace.Grouping, *stage.Assignment, error) {
	a := g.assign(tr)
	if g.By == stage.ByNone {
		return nil, a, nil
	}
	gr, err := stage.Group(tr, g.By, a)
	return gr, a, err
}

// groupingOf returns tr's row grouping along --by (nil for none) by the stages a found (on tr,
// or on the whole trace tr was filtered from).
func (g *groupOptions) groupingOf(tr *trace.Trace, a *stage.Assignment) (*trace.Grouping, error) {
	if g.By == stage.ByNone {
		return nil, nil
	}
	return stage.Group(tr, g.By, a)
}

// checkTop validates --top (rows per table).
func checkTop(n int) error {
	if n < 1 {
		return usagef("--top %d: give 1 or more rows per table", n)
	}
	return nil
}

// checkPercent validates a flag that is a share in percent.
func checkPercent(flag string, v float64) error {
	if !(v >= 0 && v <= 100) {
		return usagef("--%s %g: give a percentage from 0 to 100", flag, v)
	}
	return nil
}
