package diff

import (
	"fmt"
	"github.com/omnistat/omnistat/reports"
	"github.com/omnistat/omnistat/summary"
	"regexp"
	"strconv"
	"strings"

	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/trace"
)

// Gate is a CI regression gate: METRIC (optionally of one stage) may rise by at most Limit,
// in percent of the base value or in absolute units.
type Gate struct {
	Text    string // as written
	Stage   string // "" for the whole trace
	Metric  string // wall, gpu_time, kernel_time, memcpy_time, api_time, api_calls, kernels, range, kernel, api
	Arg     string // the range name, kernel regex or API name
	Limit   float64
	Percent bool
	re      *regexp.Regexp
}

// Metrics a gate can watch.
var Metrics = []string{"wall", "gpu_time", "kernel_time", "memcpy_time", "api_time", "api_calls", "kernels", "range:NAME", "kernel:REGEX", "api:NAME"}

var gateRe = regexp.MustCompile(`^(?:stage:([^:]+):)?([a-z_]+)(?::(.+?))?>\+([0-9]+(?:\.[0-9]+)?)(%?)$`)

// ParseGate parses "[stage:NAME:]METRIC>+X%" or "…>+N".
func ParseGate(s string) (Gate, error) {
	m := gateRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return Gate{}, fmt.Errorf("gate %q: want [stage:NAME:]METRIC>+X%% or METRIC>+N, METRIC one of %s", s, strings.Join(Metrics, ", "))
	}
	g := Gate{Text: s, Stage: m[1], Metric: m[2], Arg: m[3], Percent: m[5] == "%"}
	g.Limit, _ = strconv.ParseFloat(m[4], 64)
	switch g.Metric {
	case "wall", "gpu_time", "kernel_time", "memcpy_time", "api_time", "api_calls", "kernels":
		if g.Arg != "" {
			return Gate{}, fmt.Errorf("gate %q: %s takes no argument", s, g.Metric)
		}
	case "range", "api":
		if g.Arg == "" {
			return Gate{}, fmt.Errorf("gate %q: %s needs a name (%s:NAME)", s, g.Metric, g.Metric)
		}
	case "kernel":
		re, err := regexp.Compile(g.Arg)
		if g.Arg == "" || err != nil {
			return Gate{}, fmt.Errorf("gate %q: kernel needs a valid regular expression (kernel:REGEX)", s)
		}
		g.re = re
	default:
		return Gate{}, fmt.Errorf("gate %q: unknown metric %q (use %s)", s, g.Metric, strings.Join(Metrics, ", "))
	}
	return g, nil
}

// Value is the gate's metric on one trace (ns, or a count), and whether it exists there.
func (g Gate) Value(tr *trace.Trace, a *stage.Assignment) (float64, bool) {
	if g.Stage != "" {
		gr, err := stage.Group(tr, stage.ByStage, a)
		if err != nil {
			return 0, false
		}
		found := false
		for i, l := range gr.Labels {
			if l == g.Stage {
				tr, found = tr.Subset(gr.Keep[i]), true
			}
		}
		if !found {
			return 0, false
		}
	}
	sum := func(start, end []int64, keep func(i int) bool) (t int64) {
		for i := range start {
			if keep == nil || keep(i) {
				t += end[i] - start[i]
			}
		}
		return t
	}
	switch g.Metric {
	case "wall":
		first, last := int64(1<<63-1), int64(-1<<63)
		for _, sp := range trace.GPUSpans(tr) {
			first, last = min(first, sp.Start), max(last, sp.End)
		}
		for i := range tr.Runtime.Start {
			first, last = min(first, tr.Runtime.Start[i]), max(last, tr.Runtime.End[i])
		}
		if last < first {
			return 0, false
		}
		return float64(last - first), true
	case "gpu_time":
		busy, _ := trace.BusyTime(tr, trace.GPUSpans(tr))
		return float64(busy), true
	case "kernel_time":
		return float64(sum(tr.Kernels.Start, tr.Kernels.End, nil)), true
	case "memcpy_time":
		return float64(sum(tr.Memcpy.Start, tr.Memcpy.End, nil) + sum(tr.Memset.Start, tr.Memset.End, nil)), true
	case "api_time":
		return float64(sum(tr.Runtime.Start, tr.Runtime.End, nil)), true
	case "api_calls":
		return float64(tr.Runtime.Len()), true
	case "kernels":
		return float64(tr.Kernels.Len()), true
	case "api":
		is := summary.ByName(tr, func(n string) bool { return n == g.Arg })
		n := 0
		t := sum(tr.Runtime.Start, tr.Runtime.End, func(i int) bool {
			ok := is(tr.Runtime.NameID[i])
			if ok {
				n++
			}
			return ok
		})
		return float64(t), n > 0
	case "kernel":
		names := map[int64]bool{}
		n := 0
		t := sum(tr.Kernels.Start, tr.Kernels.End, func(i int) bool {
			id := tr.Kernels.Demangled[i]
			ok, seen := names[id]
			if !seen {
				ok = g.re.MatchString(tr.Strings.Get(id))
				names[id] = ok
			}
			if ok {
				n++
			}
			return ok
		})
		return float64(t), n > 0
	case "range": // mean duration of the range (name as nvtx_sum prints it, or the message alone)
		names := reports.NewNVTXNames(tr)
		maxTS, _ := tr.NVTX.MaxTimestamp()
		var t, n int64
		for i := range tr.NVTX.Start {
			if !trace.IsRange(tr.NVTX.EventType[i]) {
				continue
			}
			full := names.Name(i)
			if full == g.Arg || strings.SplitN(full, ":", 2)[1] == g.Arg {
				t += reports.RangeEnd(&tr.NVTX, i, maxTS) - tr.NVTX.Start[i]
				n++
			}
		}
		if n == 0 {
			return 0, false
		}
		return float64(t) / float64(n), true
	}
	return 0, false
}

// GateResult is a gate checked on a pair of traces.
type GateResult struct {
	Gate      string  `json:"gate"`
	Base, New float64 `json:"-"`
	BaseValue float64 `json:"base"`
	NewValue  float64 `json:"new"`
	Change    string  `json:"change"`
	Tripped   bool    `json:"tripped"`
	Missing   string  `json:"missing,omitempty"`
}

// Check evaluates the gate on base and new.
func (g Gate) Check(base, nw *trace.Trace, ab, an *stage.Assignment) GateResult {
	r := GateResult{Gate: g.Text}
	b, okb := g.Value(base, ab)
	n, okn := g.Value(nw, an)
	r.BaseValue, r.NewValue = b, n
	switch {
	case !okb && !okn:
		r.Missing = "in neither trace"
		return r
	case !okb:
		r.Missing = "not in the base trace"
		r.Tripped = n > 0 // something that appeared is a rise
		r.Change = "appeared"
		return r
	case !okn:
		r.Missing = "not in the new trace"
		r.Change = "vanished"
		return r
	}
	if g.Percent {
		if b == 0 {
			r.Tripped = n > 0
			r.Change = "from 0"
			return r
		}
		pct := (n - b) * 100 / b
		r.Change = fmt.Sprintf("%+.1f%%", pct)
		r.Tripped = pct > g.Limit
	} else {
		r.Change = fmt.Sprintf("%+g", n-b)
		r.Tripped = n-b > g.Limit
	}
	return r
}
