package summary

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/omnistat/omnistat/internal/par"

	"github.com/omnistat/omnistat/reports/stat"
	"github.com/omnistat/omnistat/trace"
)

// judge holds what the findings of one scope share: its steps, the steady window (after the
// warm-up steps; the whole trace without a warm-up) and the GPU figures over both windows.
type judge struct {
	tr        *trace.Trace
	scope, in string
	o         FindingOptions
	steps     Steps
	from      int64        // start of the steady window; math.MinInt64 without a warm-up
	spans     []trace.Span // the GPU spans of every device, sorted and disjoint
	gpus      []gpuWindow
	// busy and window sum the GPUs' busy time and windows (first to last GPU operation);
	// sBusy and sWindow the same over the steady window.
	busy, window, sBusy, sWindow int64
	// stepBusy is GPU busy time inside the steady steps, stepTime their host time.
	stepBusy, stepTime int64
	// kernels counts the kernels, graphKernels those launched from CUDA graphs.
	kernels, graphKernels int
	// own keeps the figures that add up over stages, for the trace's judge (nil: not kept);
	// parts are the stages' figures, which a trace made of them sums (nil: its own rows' walks)
	own   *figures
	parts []*figures
}

// gpuWindow is one GPU's operations over the whole window and the steady one.
type gpuWindow struct {
	name        string
	first, last int64
	busy        int64
	sFirst      int64        // start of its steady window: max(first, the first steady step's start)
	sBusy       int64        // busy time in the steady window
	steady      []trace.Span // its spans in the steady window, sorted and disjoint
	hole, sHole int64        // time of the window (of the steady window) that no merged export recorded
	idle        *gapMemo     // its gaps, found once (gaps); nil: found each time
}

// gapMemo keeps a GPU's gaps once found: the gap and launch-bound findings both need them.
type gapMemo struct {
	once sync.Once
	gaps []trace.Span
}

// dur is the GPU's window, less the time between merged exports that nothing recorded.
func (g gpuWindow) dur() int64 { return g.last - g.first - g.hole }

// sDur is the GPU's steady window, less the time nothing recorded.
func (g gpuWindow) sDur() int64 {
	return max(g.last-g.sFirst-g.sHole, 0)
}

func newJudge(tr *trace.Trace, scope string, o FindingOptions, spans []trace.Span, steps Steps) *judge {
	spans = clipSpans(spans, o.window.span()) // a filter's window: the GPU time inside it
	j := &judge{tr: tr, scope: scope, o: o, steps: steps, spans: spans, from: steps.SteadyStart()}
	if scope != "trace" {
		j.in = " in the " + scope + " stage"
	}
	for _, g := range tr.Kernels.GraphNodeID {
		if g != trace.Null && g != 0 {
			j.graphKernels++
		}
	}
	j.kernels = tr.Kernels.Len()
	if len(spans) == 0 {
		return j
	}
	for _, set := range clipSets(trace.SpanSets(tr, spans), o.window.span()) {
		if len(set.Spans) == 0 {
			continue
		}
		sp, busy := disjointBusy(set.Spans)
		g := gpuWindow{name: set.GPU, first: sp[0].Start, last: sp[len(sp)-1].End, busy: busy, idle: &gapMemo{}}
		g.sFirst = max(g.first, j.from)
		// the steady spans are a tail of sp, its first one cut at sFirst: shared, not copied, when
		// nothing is cut (no warm-up, the usual case)
		k, _ := slices.BinarySearchFunc(sp, g.sFirst, func(s trace.Span, t int64) int { return cmp.Compare(s.End, t+1) })
		g.steady = sp[k:]
		if len(g.steady) > 0 && g.steady[0].Start < g.sFirst {
			g.steady = append([]trace.Span{{Start: g.sFirst, End: g.steady[0].End}}, g.steady[1:]...)
		}
		// the steady busy time is the busy time less that of the spans before the steady ones
		// and of the first one's part before sFirst: no second walk of the spans
		g.sBusy = g.busy - trace.SpanTime(sp[:k])
		if len(g.steady) > 0 {
			g.sBusy -= (sp[k].End - sp[k].Start) - (g.steady[0].End - g.steady[0].Start)
		}
		g.hole, g.sHole = tr.UncapturedIn(g.first, g.last), tr.UncapturedIn(g.sFirst, g.last)
		j.busy += g.busy
		j.window += g.dur()
		j.sBusy += g.sBusy
		j.sWindow += g.sDur()
		j.gpus = append(j.gpus, g)
	}
	if steps.Count > 0 {
		ss := steps.stepSpans(j.from)
		for _, s := range ss {
			j.stepTime += s.End - s.Start
		}
		j.stepBusy = trace.Intersect(spans, ss)
	}
	return j
}

// disjoint joins the spans (sorted by start) that overlap or touch, into a new slice.
func disjoint(spans []trace.Span) []trace.Span {
	sp, _ := disjointBusy(spans)
	return sp
}

// disjointBusy is disjoint and the time its spans cover, found in the same walk when they are
// disjoint already (the GPU spans of one device usually are: no copy then). The walk is in
// parallel parts, each with the span before it; each part stores its answers once, as parts
// writing one cache line row by row would share it.
func disjointBusy(spans []trace.Span) ([]trace.Span, int64) {
	parts := par.Parts(len(spans))
	type part struct {
		busy   int64
		joined bool
		_      [6]int64 // a cache line a part
	}
	ps := make([]part, parts)
	par.ForParts(len(spans), parts, func(p, lo, hi int) {
		j, busy := false, int64(0)
		if lo < hi && lo > 0 {
			j = spans[lo].Start <= spans[lo-1].End
		}
		for i := lo; i < hi; i++ {
			busy += spans[i].End - spans[i].Start
			if i > lo {
				j = j || spans[i].Start <= spans[i-1].End
			}
		}
		ps[p] = part{busy: busy, joined: j}
	})
	var busy int64
	joined := false
	for _, p := range ps {
		busy += p.busy
		joined = joined || p.joined
	}
	if !joined {
		return spans, busy
	}
	sp := joinInPlace(slices.Clone(spans))
	return sp, trace.SpanTime(sp)
}

// warm says whether the scope has warm-up steps.
func (j *judge) warm() bool { return j.from != math.MinInt64 }

// steadyPct is GPU busy over the steady window, in percent.
func (j *judge) steadyPct() float64 { return stat.Percent(j.sBusy, j.sWindow) }

// gpuBusy says whether the GPU counts as busy in steady state: at least --low-util percent.
func (j *judge) gpuBusy() bool { return j.sWindow > 0 && j.steadyPct() >= j.o.LowUtil }

// busyClause is "busy 95.3% of the time from the first to the last GPU operation", or both
// figures when there is a warm-up: "busy 0.5% of the time from the first to the last GPU
// operation, 23.4% in steady state after 12 warm-up steps". It names its denominator: the
// overview's GPU Busy is over the stage's wall time (first to last event of any kind), which
// is another figure.
func (j *judge) busyClause() string {
	if j.window == 0 {
		return "no GPU work"
	}
	span := "of the time from the first to the last GPU operation"
	if len(j.gpus) > 1 {
		span = "of the time from each GPU's first to its last operation"
	}
	if !j.warm() {
		return fmt.Sprintf("busy %.1f%% %s", stat.Percent(j.busy, j.window), span)
	}
	return fmt.Sprintf("busy %.1f%% %s, %.1f%% in steady state after %s", stat.Percent(j.busy, j.window), span, j.steadyPct(), plural(j.steps.Warmup, "warm-up step"))
}

// stepNs is the steady step's median duration (0 without a step range).
func (j *judge) stepNs() int64 { return int64(math.Round(j.steps.SteadyMedianNs)) }

// warmupFinding says how many leading steps are warm-up, what they cost, and the steady step.
func (j *judge) warmupFinding() []Finding {
	s := j.steps
	if s.Warmup == 0 {
		return nil
	}
	var total int64 // the steps' time (inside a filter's window)
	for _, st := range s.Instances {
		total += s.timeOf(st)
	}
	extra := s.WarmupNs - int64(float64(s.Warmup)*s.SteadyMedianNs)
	first := fmt.Sprintf("the first %d of %s %s steps%s are warm-up (each over %.0f× the median of the later steps): they take", s.Warmup, WithSep(int64(s.Count)), s.Range, j.in, WarmupFactor)
	if s.Warmup == 1 {
		first = fmt.Sprintf("the first of %s %s steps%s is warm-up (over %.0f× the median of the later steps): it takes", WithSep(int64(s.Count)), s.Range, j.in, WarmupFactor)
	}
	msg := fmt.Sprintf("%s %s ns, %.1f%% of the steps' time; in steady state a step takes %s ns (median; p90 %s ns)",
		first, WithSep(s.WarmupNs), stat.Percent(s.WarmupNs, total), FloatSep(s.SteadyMedianNs), WithSep(s.SteadyP90Ns))
	if j.window > 0 {
		msg += "; the GPU is " + j.busyClause()
	}
	return []Finding{{Scope: j.scope, ID: "warmup", Value: float64(s.Warmup), ImpactNs: max(extra, 0), cause: "warmup", Message: msg,
		Advice: "lazy initialisation, autotuning or compilation in the first steps: warm up before serving (or before the capture range opens); the utilisation, gap and launch findings judge the steady state"}}
}

// graphShare is the percentage of kernels launched from CUDA graphs.
func (j *judge) graphShare() float64 { return stat.Percent(int64(j.graphKernels), int64(j.kernels)) }

// stepBusyPct is GPU busy time inside the steady steps over their host time, in percent; ok is
// false without steps.
func (j *judge) stepBusyPct() (float64, bool) {
	if j.stepTime == 0 {
		return 0, false
	}
	return stat.Percent(j.stepBusy, j.stepTime), true
}

// launchAdvice is the launch-bound advice: no CUDA graph advice when graphs already run at
// least graphsDone percent of the kernels.
func (j *judge) launchAdvice() string {
	if j.graphShare() >= graphsDone {
		return fmt.Sprintf("%.1f%% of the kernels already run in CUDA graphs: fuse the kernels still launched one by one, or cut the CPU work between graph launches", j.graphShare())
	}
	return "many short kernels: capture the steady step into a CUDA graph (one launch per step) or fuse kernels (torch.compile)"
}

// covered is how much of span x the sorted, disjoint spans ss cover (a binary search to the
// first that ends after x starts).
func covered(x trace.Span, ss []trace.Span) int64 {
	i, _ := slices.BinarySearchFunc(ss, x.Start, func(s trace.Span, t int64) int { return cmp.Compare(s.End, t+1) })
	var c int64
	for ; i < len(ss) && ss[i].Start < x.End; i++ {
		c += max(min(ss[i].End, x.End)-max(ss[i].Start, x.Start), 0)
	}
	return c
}
