package reports

import (
	"sort"

	"github.com/omnistat/omnistat/trace"
)

// Filter is nsys's `--filter-time START/END` and `--filter-nvtx RANGE[@DOMAIN][/N]`: the part of
// a trace every report and rule sees. Apply cuts the trace model itself, before any report runs,
// so every report (and every grouping of it) is filtered the same way.
type Filter struct {
	// Time is set by --filter-time: the window [Start, End) (NoStart/NoEnd when open).
	Time       bool
	Start, End int64
	// NVTX is set by --filter-nvtx: the window is that range instance.
	NVTX *NVTXSpec
}

// Active reports whether the filter cuts anything.
func (f Filter) Active() bool { return f.Time || f.NVTX != nil }

// Window is a filter resolved on one trace: the time window, and for an NVTX range the thread
// or process the rows must belong to.
type Window struct {
	Start, End int64
	// Thread (a globalTid) restricts rows to one thread; Process (a globalPid: the globalTid with
	// the thread bits cleared) to one process; 0 means no restriction.
	Thread, Process int64
}

// Resolve finds the window of f on tr. ok is false when the NVTX range instance does not exist
// (nsys then prints nothing for any report).
func (f Filter) Resolve(tr *trace.Trace) (w Window, ok bool) {
	w = Window{Start: NoStart, End: NoEnd}
	if f.Time {
		w.Start, w.End = f.Start, f.End
	}
	if f.NVTX == nil {
		return w, true
	}
	i, found := FindRange(tr, *f.NVTX)
	if !found {
		return Window{}, false
	}
	n := &tr.NVTX
	maxTS, _ := n.MaxTimestamp()
	w.Start, w.End = n.Start[i], RangeEnd(n, i, maxTS)
	// nsys keeps the rows of the range's thread, or of its whole process when the range is on
	// the process's main thread (TID = PID); GPU rows (which have no thread) of its process
	g := n.GlobalTID[i]
	if trace.TID(g) != trace.PID(g) {
		w.Thread = g
	}
	w.Process = trace.ProcessOf(g)
	return w, true
}

// FindRange returns the NVTX event index of the spec's range instance: the ranges (push/pop
// and start/end) whose message is sp.Range, in sp.Domain when one is given (else in the default
// domain), in order of start (ties by row), the sp.Index-th of them.
func FindRange(tr *trace.Trace, sp NVTXSpec) (int, bool) {
	n := &tr.NVTX
	names := NewNVTXNames(tr)
	var hits []int
	for i := range n.Start {
		if !trace.IsRange(n.EventType[i]) {
			continue
		}
		if msg, _ := n.Message(&tr.Strings, i); msg != sp.Range {
			continue
		}
		if names.Domain(i) != sp.Domain {
			continue
		}
		hits = append(hits, i)
	}
	sort.SliceStable(hits, func(a, b int) bool { return n.Start[hits[a]] < n.Start[hits[b]] })
	if sp.Index < 0 || sp.Index >= len(hits) {
		return 0, false
	}
	return hits[sp.Index], true
}

// Apply returns tr as nsys's filtered views show it: every event table keeps the rows that
// overlap the window (see trace.KeepWindow) and, for an NVTX range, belong to its thread or
// process. ok is false when the NVTX range instance does not exist. An inactive filter
// returns tr itself.
func (f Filter) Apply(tr *trace.Trace) (*trace.Trace, bool) {
	if !f.Active() {
		return tr, true
	}
	w, ok := f.Resolve(tr)
	if !ok {
		return nil, false
	}
	return w.Apply(tr), true
}

// Apply cuts tr to the window (see Filter.Apply).
func (w Window) Apply(tr *trace.Trace) *trace.Trace {
	byTID := func(tid func(int) int64) func(int) bool {
		switch {
		case w.Thread != 0:
			return func(i int) bool { return tid(i) == w.Thread }
		case w.Process != 0:
			return func(i int) bool { return trace.ProcessOf(tid(i)) == w.Process }
		}
		return nil
	}
	byPID := func(pid func(int) int64) func(int) bool {
		if w.Process == 0 {
			return nil
		}
		return func(i int) bool { return trace.ProcessOf(pid(i)) == w.Process }
	}
	column := func(xs []int64) func(int) int64 { return func(i int) int64 { return xs[i] } }
	k := trace.Keep{
		Runtime: trace.KeepWindow(tr.Runtime.Start, tr.Runtime.End, w.Start, w.End, byTID(tr.Runtime.GlobalTID.At)),
		OSRT:    trace.KeepWindow(tr.OSRT.Start, tr.OSRT.End, w.Start, w.End, byTID(tr.OSRT.GlobalTID.At)),
		Kernels: trace.KeepWindow(tr.Kernels.Start, tr.Kernels.End, w.Start, w.End, byPID(tr.Kernels.GlobalPID.At)),
		Memcpy:  trace.KeepWindow(tr.Memcpy.Start, tr.Memcpy.End, w.Start, w.End, byPID(tr.Memcpy.GlobalPID.At)),
		Memset:  trace.KeepWindow(tr.Memset.Start, tr.Memset.End, w.Start, w.End, byPID(tr.Memset.GlobalPID.At)),
		NVTX:    trace.KeepWindow(tr.NVTX.Start, tr.NVTX.End, w.Start, w.End, byTID(column(tr.NVTX.GlobalTID))),
	}
	over := trace.KeepWindow(tr.Overhead.Start, tr.Overhead.End, w.Start, w.End, byTID(column(tr.Overhead.GlobalTID)))
	return tr.Filtered(k, over)
}

// Unfiltered is the trace nsys reads as main.X under a filter: the whole trace tr was cut from,
// or tr when it was not filtered. nsys's memory rules join their copies and memsets (filtered)
// to main.CUPTI_ACTIVITY_KIND_RUNTIME (not filtered).
func Unfiltered(tr *trace.Trace) *trace.Trace {
	if tr.Unfiltered != nil {
		return tr.Unfiltered
	}
	return tr
}

// RangeSpecs lists the NVTX ranges (push/pop and start/end) of tr as --filter-nvtx names them,
// "RANGE@DOMAIN" or "RANGE" in the default domain, the most instances first (then by name),
// with how many instances each has.
func RangeSpecs(tr *trace.Trace) ([]string, map[string]int) {
	n := &tr.NVTX
	names := NewNVTXNames(tr)
	count := map[string]int{}
	for i := range n.Start {
		if !trace.IsRange(n.EventType[i]) {
			continue
		}
		msg, _ := n.Message(&tr.Strings, i)
		sp := NVTXSpec{Range: msg, Domain: names.Domain(i)}
		sp.HasDomain = sp.Domain != ""
		count[sp.String()]++
	}
	specs := make([]string, 0, len(count))
	for s := range count {
		specs = append(specs, s)
	}
	sort.Slice(specs, func(i, j int) bool {
		if count[specs[i]] != count[specs[j]] {
			return count[specs[i]] > count[specs[j]]
		}
		return specs[i] < specs[j]
	})
	return specs, count
}
