// Package reports is the nsys mirror: it turns a *trace.Trace into tables, one file per report,
// named after the nsys report it mirrors (cuda_api_sum.go, …), registered by name (registry.go)
// and runnable on any row grouping (group.go). With no grouping, every report's numbers equal
// what `nsys stats --report NAME` (nsys 2025.3.1) prints on the same file.
//
// Reports never format (package render), never decide stages (package stage) and hold no
// findings or comparisons (packages summary and diff); they import only trace.
package reports

import (
	"fmt"
	"sort"
	"strings"

	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/trace"
)

// Options are the report arguments nsys accepts after the name (cuda_gpu_kern_sum:base).
type Options struct {
	// KernelName picks the kernel name column: "" (demangled), "base" (shortName) or "mangled".
	KernelName string
	// NVTXName prefixes kernel names with their innermost enclosing NVTX range ("nvtx-name").
	NVTXName bool
}

// Report is one registered report.
type Report struct {
	Name  string
	Title string
	// Args are the accepted ":arg" options.
	Args []string
	// Needs are the event tables the report reads.
	Needs trace.Tables
	// NeedsWith, when set, adds the tables an option makes the report read (cuda_gpu_trace's
	// nvtx-name reads NVTX ranges and API calls): Lookup adds them to Needs.
	NeedsWith func(opt Options) trace.Tables
	// TraceColumns says the report prints columns read only on demand (sqlite.Options.Trace).
	TraceColumns bool
	// Skip returns nsys's reason for skipping the report on tr ("does not contain …"), or "".
	Skip func(tr *trace.Trace) string
	// SkipWith, when set, is Skip for reports whose options change what they need
	// (cuda_gpu_trace:nvtx-name needs NVTX data): Lookup binds it to the options as Skip.
	SkipWith func(tr *trace.Trace, opt Options) string
	Run      func(tr *trace.Trace, opt Options) *table.Table
}

var registry = map[string]Report{}

func register(r Report) { registry[r.Name] = r }

// DefaultSet is nsys stats' default report list, restricted to the reports omnistat has, in
// nsys's order.
var DefaultSet = []string{"nvtx_sum", "osrt_sum", "cuda_api_sum", "cuda_gpu_kern_sum", "cuda_gpu_mem_time_sum", "cuda_gpu_mem_size_sum"}

// Names lists the registered reports, sorted.
func Names() []string {
	var out []string
	for n := range registry {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Lookup parses a report spec "name[:arg…]" into its report and options.
func Lookup(spec string) (Report, Options, error) {
	parts := strings.Split(spec, ":")
	r, ok := registry[parts[0]]
	if !ok {
		return Report{}, Options{}, fmt.Errorf("unknown report %q (known: %s)", parts[0], strings.Join(Names(), ", "))
	}
	var opt Options
	for _, a := range parts[1:] {
		if !contains(r.Args, a) {
			if len(r.Args) == 0 {
				return Report{}, Options{}, fmt.Errorf("report %s takes no arguments, got %q", r.Name, a)
			}
			return Report{}, Options{}, fmt.Errorf("report %s: unknown argument %q (accepted: %s)", r.Name, a, strings.Join(r.Args, ", "))
		}
		switch a {
		case "base", "mangled":
			opt.KernelName = a
		case "nvtx-name":
			opt.NVTXName = true
		}
	}
	if r.NeedsWith != nil {
		r.Needs |= r.NeedsWith(opt)
	}
	if r.SkipWith != nil {
		skip := r.SkipWith
		r.Skip = func(tr *trace.Trace) string { return skip(tr, opt) }
	}
	return r, opt, nil
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
