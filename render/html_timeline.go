package render

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/omnistat/omnistat/plots"
	"github.com/omnistat/omnistat/summary"
	"github.com/omnistat/omnistat/trace"
)

// The timeline of report.html draws aggregated data, not every event: a lane's GPU spans are
// merged where the gap between them is under 1/tlPixels of the whole window (a pixel of the
// window drawn tlPixels wide: finer than a screen, so zooming in still shows structure), with
// tlPixels shared out so that all lanes together hold at most tlIntervals intervals (the busy time
// inside each is kept); a stage's steps are grouped into runs when there are more than its share
// of tlSteps.
const (
	tlPixels    = 16_000 // the most intervals of one lane
	tlIntervals = 32_000 // GPU intervals in all lanes together: more lanes merge coarser
	tlSteps     = 12_000 // step intervals in all stages together
	tlTicks     = 1 << 22
)

// tlLane is one lane of the timeline: a stage on a GPU ("gpu": IV holds gap, length and busy
// per mille of each interval) or a stage's steps ("steps": gap, length, flags 1 warm-up 2
// prefill, and the number of steps in the interval). Gaps count from the previous interval's
// end, in ticks of tlData.Unit ns from the window's start.
type tlLane struct {
	Label string  `json:"label"`
	Color string  `json:"color"`
	Kind  string  `json:"kind"`
	IV    []int64 `json:"iv"`
}

// tlData is the timeline's embedded data.
type tlData struct {
	Unit  int64    `json:"unit"` // ns per tick
	Span  int64    `json:"span"` // the window, in ticks
	Lanes []tlLane `json:"lanes"`
}

func hexColor(i int) string {
	c := plots.StageColor(i)
	return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B)
}

// timelineData aggregates s's GPU spans per stage and GPU, and its steps, for drawing; nil when
// there is nothing to draw or the window does not fit the clock.
func timelineData(s *summary.Summary) *tlData {
	first, last := int64(math.MaxInt64), int64(math.MinInt64)
	lanes := 0
	for _, st := range s.Stages {
		for _, sp := range st.Spans {
			first, last = min(first, sp.Start), max(last, sp.End)
		}
		if st.Steps != nil {
			for _, x := range st.Steps.Instances {
				first, last = min(first, x.Start), max(last, x.End)
			}
		}
		lanes += max(len(st.Sets), 1)
	}
	const limit = 1 << 61
	if last <= first || first < -limit || last > limit {
		return nil
	}
	window := last - first
	d := &tlData{Unit: max((window+tlTicks-1)/tlTicks, 1)}
	d.Span = (window + d.Unit - 1) / d.Unit
	gap := window / int64(max(min(tlPixels, tlIntervals/max(lanes, 1)), 1))
	stepCap := tlSteps / max(len(s.Stages), 1)
	tick := func(t int64, up bool) int64 {
		t -= first
		if up {
			return (t + d.Unit - 1) / d.Unit
		}
		return t / d.Unit
	}
	for i, st := range s.Stages {
		color := hexColor(i)
		if st.Steps != nil && len(st.Steps.Instances) > 0 {
			label := st.Stage + " steps"
			if st.Steps.Range != "" {
				label += " (" + trimDomain(st.Steps.Range) + ")"
			}
			d.Lanes = append(d.Lanes, tlLane{Label: label, Color: color, Kind: "steps", IV: stepIntervals(st.Steps, stepCap, tick)})
		}
		sets := st.Sets
		if len(sets) == 0 && len(st.Spans) > 0 {
			sets = []trace.SpanSet{{GPU: "the GPU", Spans: st.Spans}}
		}
		for _, set := range sets {
			label := st.Stage
			if len(sets) > 1 || set.GPU != "the GPU" {
				label += " · " + set.GPU
			}
			d.Lanes = append(d.Lanes, tlLane{Label: label, Color: color, Kind: "gpu", IV: busyIntervals(set.Spans, gap, tick)})
		}
	}
	return d
}

func trimDomain(r string) string {
	if len(r) > 0 && r[0] == ':' {
		return r[1:]
	}
	return r
}

// busyIntervals merges sorted spans whose gap is under gap ns into intervals of (gap from the
// previous end, length, busy per mille), in ticks.
func busyIntervals(spans []trace.Span, gap int64, tick func(int64, bool) int64) []int64 {
	byStart := func(a, b trace.Span) int { return cmp.Compare(a.Start, b.Start) }
	if !slices.IsSortedFunc(spans, byStart) {
		spans = slices.SortedFunc(slices.Values(spans), byStart)
	}
	var out []int64
	prev := int64(0)
	emit := func(s, e, busy int64) {
		ts, te := tick(s, false), tick(e, true)
		pm := int64(1000)
		if e > s {
			pm = min(busy*1000/(e-s), 1000)
		}
		out = append(out, ts-prev, te-ts, pm)
		prev = te
	}
	var s, e, busy int64
	open := false
	for _, sp := range spans {
		if sp.End < sp.Start {
			continue
		}
		if open && sp.Start-e < gap {
			if sp.End > e {
				busy += sp.End - max(sp.Start, e)
				e = sp.End
			}
			continue
		}
		if open {
			emit(s, e, busy)
		}
		s, e, busy, open = sp.Start, sp.End, sp.End-sp.Start, true
	}
	if open {
		emit(s, e, busy)
	}
	return out
}

// stepIntervals lists the steps as (gap from the previous end, length, flags, count), in ticks;
// above limit steps, runs of consecutive steps of one kind make one interval.
func stepIntervals(st *summary.Steps, limit int, tick func(int64, bool) int64) []int64 {
	inst := st.Instances
	per := max((len(inst)+limit-1)/max(limit, 1), 1)
	var out []int64
	prev := int64(0)
	for i := 0; i < len(inst); {
		flags := func(k int) int64 {
			var f int64
			if k < st.Warmup {
				f |= 1
			}
			if inst[k].Prefill {
				f |= 2
			}
			return f
		}
		f := flags(i)
		j := i + 1
		s, e := inst[i].Start, inst[i].End
		for j < len(inst) && j-i < per && flags(j) == f {
			e = max(e, inst[j].End)
			j++
		}
		ts, te := tick(s, false), tick(e, true)
		out = append(out, ts-prev, te-ts, f, int64(j-i))
		prev = te
		i = j
	}
	return out
}
