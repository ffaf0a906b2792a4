package main

import (
	"context"
	"slices"
	"strings"

	"github.com/omnistat/omnistat/reports"
	"github.com/omnistat/omnistat/sqlite"
	"github.com/omnistat/omnistat/stage"
	"github.com/spf13/cobra"
)

// addCompletions teaches the shell completion (`omnistat completion bash|zsh|fish|powershell`)
// the values of omnistat's flags: report names and their :args, --by dimensions, formats, memory
// units, and the stage names of the traces already on the command line (for --stage and gates).
// Trace arguments complete to .sqlite, .nsys-rep and .qdrep files.
func addCompletions(root *cobra.Command) {
	fixed := func(vals ...string) cobra.CompletionFunc {
		return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return vals, cobra.ShellCompDirectiveNoFileComp
		}
	}
	traces := func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"sqlite", "nsys-rep", "qdrep"}, cobra.ShellCompDirectiveFilterFileExt
	}
	for _, c := range root.Commands() {
		switch c.Name() {
		case "stats":
			c.ValidArgsFunction = traces
			c.RegisterFlagCompletionFunc("report", completeReports)
			c.RegisterFlagCompletionFunc("by", fixed(byStrings(stage.Bys)...))
			c.RegisterFlagCompletionFunc("format", fixed("column", "csv", "json", "markdown"))
			c.RegisterFlagCompletionFunc("mem-unit", fixed("B", "KB", "MB", "GB"))
			c.RegisterFlagCompletionFunc("timeunit", fixed("nsec", "usec", "msec", "sec"))
		case "analyze":
			c.ValidArgsFunction = traces
			c.RegisterFlagCompletionFunc("rule", fixed(reports.RuleNames()...))
			c.RegisterFlagCompletionFunc("format", fixed("column", "csv", "json", "markdown"))
		case "summarize":
			c.ValidArgsFunction = traces
			c.RegisterFlagCompletionFunc("by", fixed(byStrings(summarizeBys)...))
			c.RegisterFlagCompletionFunc("format", fixed("text", "markdown", "json"))
		case "report":
			c.ValidArgsFunction = traces
			c.RegisterFlagCompletionFunc("format", fixed("png", "svg"))
			c.RegisterFlagCompletionFunc("base", traces)
		case "diff":
			c.ValidArgsFunction = traces
			c.RegisterFlagCompletionFunc("format", fixed("text", "markdown", "json"))
			c.RegisterFlagCompletionFunc("fail-on", completeGates)
		}
		if c.Name() == "capture" {
			c.RegisterFlagCompletionFunc("range", fixed("cuda", "none", "nvtx:"))
			c.RegisterFlagCompletionFunc("range-end", fixed("stop", "repeat", "repeat:", "none"))
			c.RegisterFlagCompletionFunc("graph-trace", fixed("node", "graph"))
		}
		if c.Flags().Lookup("stage") != nil {
			c.RegisterFlagCompletionFunc("stage", completeStageRules)
		}
	}
}

func byStrings(bs []stage.By) []string {
	var out []string
	for _, b := range bs {
		out = append(out, string(b))
	}
	return out
}

// completeReports offers every report and report:arg after the specs already typed in a
// comma-separated --report value.
func completeReports(_ *cobra.Command, _ []string, typed string) ([]string, cobra.ShellCompDirective) {
	prefix := ""
	if i := strings.LastIndex(typed, ","); i >= 0 {
		prefix = typed[:i+1]
	}
	var out []string
	for _, n := range reports.Names() {
		r, _, _ := reports.Lookup(n)
		out = append(out, prefix+n)
		for _, a := range r.Args {
			out = append(out, prefix+n+":"+a)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}

// traceStageNames reads the traces among args (quietly; a file that cannot be read is skipped) and
// returns their stage names.
func traceStageNames(args []string) []string {
	var names []string
	for _, a := range args {
		if !strings.HasSuffix(a, ".sqlite") {
			continue
		}
		tr, err := sqlite.Read(context.Background(), a, sqlite.Options{})
		if err != nil {
			continue
		}
		for _, s := range stage.Assign(tr, nil).Stages {
			if !slices.Contains(names, s.Key) {
				names = append(names, s.Key)
			}
		}
	}
	return names
}

// completeStageRules offers "NAME=" for each stage of the traces given so far, and the rule kinds
// after a NAME=.
func completeStageRules(_ *cobra.Command, args []string, typed string) ([]string, cobra.ShellCompDirective) {
	if name, _, ok := strings.Cut(typed, "="); ok {
		return []string{name + "=pid:", name + "=proc:", name + "=thread:", name + "=nvtx:"}, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
	}
	var out []string
	for _, n := range traceStageNames(args) {
		out = append(out, n+"=")
	}
	return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}

// completeGates offers the gate metrics, and stage:NAME: for the stages of the traces given.
func completeGates(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	out := []string{"wall>", "gpu_time>", "kernel_time>", "memcpy_time>", "api_time>", "api_calls>", "kernels>", "range:", "kernel:", "api:"}
	for _, n := range traceStageNames(args) {
		out = append(out, "stage:"+n+":")
	}
	return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}
