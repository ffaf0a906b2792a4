package summary

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/omnistat/omnistat/trace"
)

// Window is the filter a summary's trace was cut to (--filter-time, --filter-nvtx). The filter
// keeps whole events that overlap it, so an NVTX range or an API call may start before it or end
// after it; a stage's wall time runs from its first event to its last, each clipped to the window,
// and its GPU busy time (and every finding's) counts only the GPU time inside the window.
type Window struct {
	Flag  string // "--filter-time" or "--filter-nvtx"
	Value string // the flag's value as given
	// Start and End bound the window on the trace's clock, [Start, End) for --filter-time, the
	// range instance's start and end for --filter-nvtx; math.MinInt64 / math.MaxInt64 when open.
	Start, End int64
	// PID and TID are the process and thread an --filter-nvtx range keeps (TID 0: the whole
	// process); 0 for --filter-time.
	PID, TID int64
}

// span is the window as a span; everything for no window.
func (w *Window) span() trace.Span {
	if w == nil {
		return trace.Span{Start: math.MinInt64, End: math.MaxInt64}
	}
	return trace.Span{Start: w.Start, End: w.End}
}

// Bounds says the window's bounds in ns: "6,000,000,000–7,000,000,000 ns", "from 6,000,000,000 ns".
func (w *Window) Bounds() string {
	switch {
	case w.Start == math.MinInt64 && w.End == math.MaxInt64:
		return "the whole trace"
	case w.Start == math.MinInt64:
		return "until " + WithSep(w.End) + " ns"
	case w.End == math.MaxInt64:
		return "from " + WithSep(w.Start) + " ns"
	}
	return WithSep(w.Start) + "–" + WithSep(w.End) + " ns"
}

// String is the line a summary prints: "--filter-time 6s/7s (6,000,000,000–7,000,000,000 ns)".
func (w *Window) String() string {
	s := fmt.Sprintf("%s %s (%s", w.Flag, w.Value, w.Bounds())
	switch {
	case w.TID != 0:
		s += fmt.Sprintf("; thread %d of pid %d", w.TID, w.PID)
	case w.PID != 0:
		s += fmt.Sprintf("; pid %d", w.PID)
	}
	return s + ")"
}

// MarshalJSON writes the window as {"flag", "value", "start_ns", "end_ns", "pid", "tid"}; an
// open side and a missing pid or tid are left out.
func (w *Window) MarshalJSON() ([]byte, error) {
	type out struct {
		Flag    string `json:"flag"`
		Value   string `json:"value"`
		StartNs *int64 `json:"start_ns,omitempty"`
		EndNs   *int64 `json:"end_ns,omitempty"`
		PID     int64  `json:"pid,omitempty"`
		TID     int64  `json:"tid,omitempty"`
	}
	o := out{Flag: w.Flag, Value: w.Value, PID: w.PID, TID: w.TID}
	if w.Start != math.MinInt64 {
		o.StartNs = &w.Start
	}
	if w.End != math.MaxInt64 {
		o.EndNs = &w.End
	}
	return json.Marshal(o)
}

// clipSpans cuts sorted spans to the window w: spans outside it are dropped, the ones across
// its ends cut at them. The spans come back as they are when they all lie inside.
func clipSpans(spans []trace.Span, w trace.Span) []trace.Span {
	if w.Start == math.MinInt64 && w.End == math.MaxInt64 || !slices.ContainsFunc(spans, func(s trace.Span) bool { return s.Start < w.Start || s.End > w.End }) {
		return spans
	}
	out := make([]trace.Span, 0, len(spans))
	for _, s := range spans {
		s.Start, s.End = max(s.Start, w.Start), min(s.End, w.End)
		if s.End > s.Start {
			out = append(out, s)
		}
	}
	return out
}

// clipSets cuts each device's spans to the window (a device keeps its set, empty or not).
func clipSets(sets []trace.SpanSet, w trace.Span) []trace.SpanSet {
	out := make([]trace.SpanSet, len(sets))
	for i, s := range sets {
		out[i] = trace.SpanSet{GPU: s.GPU, Spans: clipSpans(s.Spans, w)}
	}
	return out
}

// clipDevs cuts each device's spans to the window.
func clipDevs(devs map[int64][]trace.Span, w trace.Span) map[int64][]trace.Span {
	for d, sp := range devs {
		devs[d] = clipSpans(sp, w)
	}
	return devs
}
