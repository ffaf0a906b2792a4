package main

import (
	"fmt"

	"github.com/omnistat/omnistat/reports"
	"github.com/omnistat/omnistat/trace"
	"github.com/spf13/pflag"
)

// filterOptions are nsys's --filter-time and --filter-nvtx, shared by stats, analyze,
// summarize and report: the part of each trace the verb looks at.
type filterOptions struct {
	time, nvtx string // the flag values
	Filter     reports.Filter
}

// addFlags adds --filter-time and --filter-nvtx.
func (o *filterOptions) addFlags(f *pflag.FlagSet) {
	f.StringVar(&o.time, "filter-time", "", "only events overlapping the window [START]/[END], as nsys's --filter-time:\nnanoseconds or units ns, us, ms, s (1s2ms3us4ns, 123.456ms, -1s); either side may be left out")
	f.StringVar(&o.nvtx, "filter-nvtx", "", "only events overlapping one NVTX range instance, RANGE[@DOMAIN][/N] (N from 0), on its thread\n(push/pop) or process (start/end), as nsys's --filter-nvtx")
}

// parse turns the flag values into the filter (usage errors).
func (o *filterOptions) parse() error {
	o.Filter = reports.Filter{}
	if o.time != "" {
		lo, hi, err := reports.ParseTimeWindow(o.time)
		if err != nil {
			return usageError{err}
		}
		o.Filter.Time, o.Filter.Start, o.Filter.End = true, lo, hi
	}
	if o.nvtx != "" {
		sp, err := reports.ParseNVTXSpec(o.nvtx)
		if err != nil {
			return usageError{err}
		}
		o.Filter.NVTX = &sp
	}
	return nil
}

// needs are the tables the filter itself reads (the NVTX ranges it looks up).
func (o *filterOptions) needs() trace.Tables {
	if o.Filter.NVTX != nil {
		return trace.NVTXTable
	}
	return 0
}

// apply cuts tr to the filter; ok is false when the NVTX range instance is not in the trace:
// nsys then skips every report, and so does the caller (see skipped).
func (o *filterOptions) apply(tr *trace.Trace) (*trace.Trace, bool) {
	return o.Filter.Apply(tr)
}

// skipped writes nsys's line for a report or rule skipped because the --filter-nvtx range
// instance is not in the trace at path.
func (o *filterOptions) skipped(e *env, path string) {
	fmt.Fprintf(e.stderr, "SKIPPED: NVTX range '%s' could not be found in %s.\n", o.nvtx, path)
}
