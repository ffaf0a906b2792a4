package main

import (
	"fmt"
	"io"

	"github.com/omnistat/omnistat/diff"
	"github.com/omnistat/omnistat/reports"
	"github.com/omnistat/omnistat/summary"
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
	f.StringVar(&o.time, "filter-time", "", "only events overlapping the window [START]/[END], as nsys's --filter-time: each side a sum of numbers\n"+
		"with units "+reports.UnitList+" (none: ns), e.g. 1s2ms3us4ns, 123.456ms, -1s, 1.5e3us;\n"+
		"either side may be left out")
	f.StringVar(&o.nvtx, "filter-nvtx", "", "only events overlapping one NVTX range instance, RANGE[@DOMAIN][/N] (N from 0), on its thread\n(push/pop) or process (start/end), as nsys's --filter-nvtx; it wins over --filter-time")
}

// parse turns the flag values into the filter (usage errors): a flag given with an empty value
// is a mistake, not "no filter". With both flags, a note on stderr says --filter-nvtx wins.
func (o *filterOptions) parse(f *pflag.FlagSet, stderr io.Writer) error {
	o.Filter = reports.Filter{}
	timeSet, nvtxSet := o.time != "", o.nvtx != ""
	if f != nil {
		timeSet, nvtxSet = f.Changed("filter-time"), f.Changed("filter-nvtx")
	}
	if timeSet {
		if o.time == "" {
			return usagef("--filter-time \"\": give a window START/END, START/ or /END")
		}
		lo, hi, err := reports.ParseTimeWindow(o.time)
		if err != nil {
			return usageError{err}
		}
		o.Filter.Time, o.Filter.Start, o.Filter.End = true, lo, hi
	}
	if nvtxSet {
		if o.nvtx == "" {
			return usagef("--filter-nvtx \"\": give a range, RANGE[@DOMAIN][/N]")
		}
		sp, err := reports.ParseNVTXSpec(o.nvtx)
		if err != nil {
			return usageError{err}
		}
		o.Filter.NVTX = &sp
	}
	if timeSet && nvtxSet && stderr != nil {
		fmt.Fprintf(stderr, "note: --filter-time %s is ignored: --filter-nvtx wins when both are given, as in nsys\n", o.time)
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

// window cuts tr to the filter for summarize and report, and describes the window for the
// summary (nil without a filter). A range instance that is not in tr is an error (missing):
// unlike stats, which copies nsys's SKIPPED line, these verbs are omnistat's own.
func (o *filterOptions) window(path string, tr *trace.Trace) (*trace.Trace, *summary.Window, error) {
	if !o.Filter.Active() {
		return tr, nil, nil
	}
	w, ok := o.Filter.Resolve(tr)
	if !ok {
		return nil, nil, o.missing(path, tr)
	}
	sw := &summary.Window{Flag: "--filter-time", Value: o.time, Start: w.Start, End: w.End}
	if o.Filter.NVTX != nil {
		sw.Flag, sw.Value = "--filter-nvtx", o.nvtx
		sw.PID = trace.PID(w.Process)
		if w.Thread != 0 {
			sw.TID = trace.TID(w.Thread)
		}
	}
	cut := w.Apply(tr)
	if _, _, ok := summary.EventExtent(cut); !ok {
		return nil, nil, emptyWindow(path, sw, tr)
	}
	return cut, sw, nil
}

// emptyWindow is the error for a filter window that holds no event of any stage in the trace
// at path (whole: the trace before the filter): summarize and report say so, with the trace's
// extent, where stats prints nsys's empty tables.
func emptyWindow(path string, w *summary.Window, whole *trace.Trace) error {
	first, last, ok := summary.EventExtent(whole)
	if !ok {
		return fmt.Errorf("%s: %s holds no event of any stage: the trace has no CUDA API calls, GPU operations or NVTX ranges", path, w)
	}
	return fmt.Errorf("%s: %s holds no event of any stage; the trace's events run from %s ns to %s ns (%.3f s to %.3f s)",
		path, w, summary.WithSep(first), summary.WithSep(last), float64(first)/1e9, float64(last)/1e9)
}

// missing is the error for a --filter-nvtx range instance that is not in the trace at path:
// the range's instances when it exists, else the closest range names there are.
func (o *filterOptions) missing(path string, tr *trace.Trace) error {
	sp := *o.Filter.NVTX
	specs, count := reports.RangeSpecs(tr)
	name := reports.NVTXSpec{Range: sp.Range, Domain: sp.Domain, HasDomain: sp.HasDomain && sp.Domain != ""}.String()
	if n := count[name]; n > 0 {
		return fmt.Errorf("%s: --filter-nvtx %q: range %s has %d instances (/0 to /%d), not /%d", path, o.nvtx, name, n, n-1, sp.Index)
	}
	if len(specs) == 0 {
		return fmt.Errorf("%s: --filter-nvtx %q: the trace has no NVTX ranges", path, o.nvtx)
	}
	return fmt.Errorf("%s: --filter-nvtx %q: no NVTX range %s in the trace%s", path, o.nvtx, name, diff.Suggest(name, specs))
}

// skipped writes nsys's line for a report or rule skipped because the --filter-nvtx range
// instance is not in the trace at path.
func (o *filterOptions) skipped(e *env, path string) {
	fmt.Fprintf(e.stderr, "SKIPPED: NVTX range '%s' could not be found in %s.\n", o.nvtx, path)
}
