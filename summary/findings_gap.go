package summary

import (
	"fmt"
	"strings"

	"github.com/omnistat/omnistat/reports"
	"github.com/omnistat/omnistat/reports/stat"
	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/trace"
)

// gapThreshold is the rule of gpu_gap: with a step range, a gap longer than one steady step
// (at least GapFloorNs) or than GapNs, whichever is shorter; without one, GapNs.
func (j *judge) gapThreshold() (int64, string) {
	step := j.stepNs()
	if step <= 0 {
		return j.o.GapNs, fmt.Sprintf("%s ns (--gap-ms)", WithSep(j.o.GapNs))
	}
	thr := max(step, j.o.GapFloorNs)
	what := fmt.Sprintf("a steady %s step (%s ns)", j.steps.Range, WithSep(step))
	if thr > step {
		what = fmt.Sprintf("%s ns (the floor; a steady %s step takes %s ns)", WithSep(thr), j.steps.Range, WithSep(step))
	}
	if j.o.GapNs < thr {
		return j.o.GapNs, fmt.Sprintf("%s ns (--gap-ms)", WithSep(j.o.GapNs))
	}
	return thr, what
}

// gaps lists a GPU's idle gaps in the steady window longer than the gap threshold.
func (j *judge) gaps(g gpuWindow) []trace.Span {
	if g.idle != nil {
		g.idle.once.Do(func() { g.idle.gaps = j.findGaps(g) })
		return g.idle.gaps
	}
	return j.findGaps(g)
}

// findGaps is gaps, found.
func (j *judge) findGaps(g gpuWindow) []trace.Span {
	thr, _ := j.gapThreshold()
	var gaps []trace.Span
	prev := g.sFirst
	for _, s := range g.steady {
		if s.Start-prev > thr && j.tr.UncapturedIn(prev, s.Start) == 0 { // between windows nothing was recorded
			gaps = append(gaps, trace.Span{Start: prev, End: s.Start})
		}
		prev = max(prev, s.End)
	}
	return gaps
}

// plural is "1 idle gap", "2 idle gaps".
func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return WithSep(int64(n)) + " " + what + "s"
}

// Where a gap falls against the steady steps.
const (
	gapInside  = iota // at least half of it inside steps
	gapBetween        // between two steps
	gapBefore         // before the first step
	gapAfter          // after the last step
)

// gapPlace says where gap x falls against the steady steps ss (sorted, disjoint).
func gapPlace(x trace.Span, ss []trace.Span) int {
	switch {
	case 2*covered(x, ss) >= x.End-x.Start:
		return gapInside
	case x.End <= ss[0].Start:
		return gapBefore
	case x.Start >= ss[len(ss)-1].End:
		return gapAfter
	}
	return gapBetween
}

// gapFinding reports a GPU's idle gaps in the steady window longer than the gap threshold, as
// one finding: how many, their total, the longest and the NVTX range it falls in, and where
// they fall against the steps (which decides the advice).
func (j *judge) gapFinding(g gpuWindow) []Finding {
	_, rule := j.gapThreshold()
	gaps := j.gaps(g)
	if len(gaps) == 0 {
		return nil
	}
	var total int64
	longest := gaps[0]
	for _, x := range gaps {
		total += x.End - x.Start
		if x.End-x.Start > longest.End-longest.Start {
			longest = x
		}
	}
	where := ""
	if j.warm() {
		where = fmt.Sprintf(" in steady state (after %s)", plural(j.steps.Warmup, "warm-up step"))
	}
	during := ""
	if r := j.rangeOver(longest); r != "" {
		during = ", during " + r
	}
	var msg string
	if len(gaps) == 1 {
		msg = fmt.Sprintf("%s is idle for %s ns%s%s (from %s ns after its first operation%s), longer than %s", g.name, WithSep(total), j.in, where, WithSep(longest.Start-g.first), during, rule)
	} else {
		msg = fmt.Sprintf("%s is idle %d times%s%s for longer than %s: %s ns in all, %.1f%% of %s; the longest %s ns from %s ns after its first operation%s",
			g.name, len(gaps), j.in, where, rule, WithSep(total), stat.Percent(total, g.sDur()), j.spanName(), WithSep(longest.End-longest.Start), WithSep(longest.Start-g.first), during)
	}
	advice := "find what the CPU does in that time (NVTX ranges, OS runtime calls): work not overlapped with the GPU"
	if ss := j.steps.stepSpans(j.from); len(ss) > 0 {
		var n [4]int
		var t [4]int64
		for _, x := range gaps {
			p := gapPlace(x, ss)
			n[p]++
			t[p] += x.End - x.Start
		}
		var parts []string
		for p, what := range []string{"inside %s steps", "between %s steps", "before the first %s step", "after the last %s step"} {
			switch {
			case len(gaps) == 1 && n[p] == 1:
				parts = append(parts, "it falls "+strings.Replace(fmt.Sprintf(what, j.steps.Range), "inside "+j.steps.Range+" steps", "inside a "+j.steps.Range+" step", 1))
			case n[p] > 0:
				parts = append(parts, fmt.Sprintf("%d %s", n[p], fmt.Sprintf(what, j.steps.Range)))
			}
		}
		msg += "; " + strings.Join(parts, ", ")
		most := 0
		for p := range t {
			if t[p] > t[most] {
				most = p
			}
		}
		advice = []string{
			"inside its steps the GPU waits for the CPU: find that CPU work (NVTX ranges, OS runtime calls) and overlap it with the GPU",
			"between steps the GPU waits for work: the input (the stage before, or the requests) comes slower than the steps run; overlap the stages or give each step more work",
			"before the steps start the GPU waits for the CPU (start-up, request handling, CPU-side encoding): overlap that work with the GPU or move it off the serving path",
			"after the last step the GPU waits for the CPU: overlap the post-processing with the GPU or move it off the serving path",
		}[most]
	}
	return []Finding{{Scope: j.scope, ID: "gpu_gap", Value: float64(longest.End - longest.Start), ImpactNs: total, cause: idleCause(g.name),
		Message: msg, Advice: advice,
		brief: fmt.Sprintf("%s longer than %s: %s ns (gpu_gap)", plural(len(gaps), "idle gap"), rule, WithSep(total))}}
}

// rangeOver names the shortest NVTX range (not a step) that covers at least half of gap x; ""
// when none does.
func (j *judge) rangeOver(x trace.Span) string {
	n := &j.tr.NVTX
	maxTS, _ := n.MaxTimestamp()
	var names *reports.NVTXNames
	best, bestLen := "", int64(1<<62)
	for i := range n.Start {
		if !trace.IsRange(n.EventType[i]) {
			continue
		}
		s, e := n.Start[i], reports.RangeEnd(n, i, maxTS)
		if e-s >= bestLen || 2*(min(e, x.End)-max(s, x.Start)) < x.End-x.Start {
			continue
		}
		if names == nil {
			names = reports.NewNVTXNames(j.tr)
		}
		if msg, _ := n.Message(&j.tr.Strings, i); stage.Family(msg) == j.steps.family {
			continue
		}
		best, bestLen = names.Name(i), e-s
	}
	return best
}
