package summary

import (
	"cmp"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/omnistat/omnistat/reports"
	"github.com/omnistat/omnistat/reports/stat"
	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/trace"
)

// The rules of the step model (docs/summarize.md, "Steps and steady state").
const (
	// MinSteps is the fewest instances a range family needs to be a step range (StepFamily's).
	MinSteps = 2
	// WarmupFactor is K of the warm-up rule: a leading step is warm-up when it takes more than
	// K times the median of the second half of the steps.
	WarmupFactor = 5.0
	// MinWarmupSteps is the fewest (decode) steps on which a warm-up is judged.
	MinWarmupSteps = 4
)

// Step is one instance of the step range.
type Step struct {
	Start, End int64 // the range's start and end (nsys's end for an unterminated range)
	Prefill    bool  // the name says the step runs a prefill (vLLM: a context count above 0)
}

// Steps is a stage's step range, the NVTX range family with the most instances, and its
// steady state after the warm-up steps. The zero value (Count 0) means no step range.
type Steps struct {
	Range string `json:"range"` // "domain:family": the message with each number shown as N (stage.Family)
	Style string `json:"style"` // PushPop, StartEnd, or PushPop+StartEnd
	Count int    `json:"count"`
	// Prefill and Decode count the steps of each phase when the names tell them apart
	// (vLLM's execute_context_<n>(<tokens>)_generation_<m>(<tokens>)); absent when they do not.
	Prefill int `json:"prefill,omitempty"`
	Decode  int `json:"decode,omitempty"`
	// Warmup counts the leading warm-up steps; WarmupNs is their summed duration.
	Warmup   int   `json:"warmup"`
	WarmupNs int64 `json:"warmup_ns"`
	// SteadyMedianNs and SteadyP90Ns are the median and the 90th percentile (nearest rank) of
	// the steady steps' durations, decode steps only when the names tell the phases apart.
	SteadyMedianNs float64 `json:"steady_median_ns"`
	SteadyP90Ns    int64   `json:"steady_p90_ns"`
	// Phased says the names tell prefill from decode steps.
	Phased bool `json:"-"`
	// Instances are the steps in start order.
	Instances []Step `json:"-"`
	family    string // the family of the messages (Range without its domain)
	// window is the filter's window the steps' time is counted in (clipTo); the whole time
	// without one.
	window *trace.Span
}

// timeOf is a step's time, the part inside the filter's window when there is one: a filter
// keeps whole ranges, so a step may start before the window or end after it.
func (s *Steps) timeOf(st Step) int64 {
	if s.window == nil {
		return st.End - st.Start
	}
	return max(min(st.End, s.window.End)-max(st.Start, s.window.Start), 0)
}

// clipTo counts the steps' time inside the window w (a filter's; nil: none): WarmupNs is the
// warm-up steps' time inside it. Which steps are warm-up, and the steady median and p90, stay
// those of the whole steps (a step is as long as it is; the window cuts only what is counted).
func (s *Steps) clipTo(w *Window) {
	if w == nil || s.Count == 0 {
		return
	}
	sp := w.span()
	s.window = &sp
	s.WarmupNs = 0
	for _, st := range s.Instances[:s.Warmup] {
		s.WarmupNs += s.timeOf(st)
	}
}

// stepsIn is StepsOf(tr) with the steps' time counted inside the filter's window w.
func stepsIn(tr *trace.Trace, w *Window) Steps {
	s, _ := stepsTallied(tr, w)
	return s
}

// stepsTallied is stepsIn and the family tallies it picked the step range from.
func stepsTallied(tr *trace.Trace, w *Window) (Steps, tallies) {
	t := familyTallies(tr)
	fam, count := t.pick()
	s := stepsOfFamily(tr, fam, count)
	s.clipTo(w)
	return s, t
}

// stepsOfParts is stepsIn(tr, w) for a trace made of parts (the stages) whose family tallies
// are given, when they add up to tr's (addTallies): tr's calls are not walked again. Otherwise
// it is stepsIn.
func stepsOfParts(tr *trace.Trace, w *Window, parts []tallies) Steps {
	t, ok := addTallies(parts)
	if !ok {
		return stepsIn(tr, w)
	}
	fam, count := t.pick()
	s := stepsOfFamily(tr, fam, count)
	s.clipTo(w)
	return s
}

// SteadyStart is the start of the first steady step, or math.MinInt64 when there is no
// warm-up (the whole trace is steady).
func (s *Steps) SteadyStart() int64 {
	if s == nil || s.Warmup == 0 || s.Warmup >= len(s.Instances) {
		return math.MinInt64
	}
	return s.Instances[s.Warmup].Start
}

// vllmContext finds the context (prefill) request count of a vLLM step name.
var vllmContext = regexp.MustCompile(`context_(\d+)\(\d+\)_generation_\d+`)

// phaseOf says whether a step named name is a prefill step; ok is false when the name does not
// say.
func phaseOf(name string) (prefill, ok bool) {
	if !strings.Contains(name, "_generation_") { // what the expression needs, found without it
		return false, false
	}
	m := vllmContext.FindStringSubmatch(name)
	if m == nil {
		return false, false
	}
	n, err := strconv.Atoi(m[1])
	return err == nil && n > 0, err == nil
}

// StepsOf finds tr's step range, the range family StepFamily picks (the push/pop or start/end
// range family with the most instances, numbers as N, ties to the smaller name, at least
// MinSteps instances: the rule diff uses), and judges its warm-up (see Warmup).
func StepsOf(tr *trace.Trace) Steps {
	fam, count := StepFamily(tr)
	return stepsOfFamily(tr, fam, count)
}

// stepsOfFamily is StepsOf with the family StepFamily picked and its count.
func stepsOfFamily(tr *trace.Trace, fam string, count int64) Steps {
	if fam == "" {
		return Steps{}
	}
	n := &tr.NVTX
	names := reports.NewNVTXNames(tr)
	maxTS, _ := n.MaxTimestamp()
	families := map[string]string{} // message → family
	// the family's instances, counted by StepFamily (less those of an MPI domain): room for all
	s := Steps{family: fam, Phased: true, Instances: make([]Step, 0, count)}
	styles := map[string]bool{}
	for i := range n.Start {
		t := n.EventType[i]
		if !trace.IsRange(t) {
			continue
		}
		msg, _ := n.Message(&tr.Strings, i)
		f, ok := families[msg]
		if !ok {
			f = stage.Family(msg)
			families[msg] = f
		}
		if f != fam {
			continue
		}
		if s.Range == "" {
			s.Range = names.Domain(i) + ":" + fam
		}
		styles[reports.Style(t)] = true
		st := Step{Start: n.Start[i], End: reports.RangeEnd(n, i, maxTS)}
		if s.Phased { // once a step has no phase, none counts (Prefill is cleared below)
			pre, ok := phaseOf(msg)
			st.Prefill, s.Phased = pre, ok
		}
		s.Instances = append(s.Instances, st)
	}
	s.Count = len(s.Instances)
	s.Style = strings.Join(slices.Sorted(maps.Keys(styles)), "+")
	slices.SortStableFunc(s.Instances, func(a, b Step) int { return cmp.Compare(a.Start, b.Start) })
	if s.Phased {
		for _, st := range s.Instances {
			if st.Prefill {
				s.Prefill++
			} else {
				s.Decode++
			}
		}
	} else {
		for i := range s.Instances {
			s.Instances[i].Prefill = false
		}
	}
	s.Warmup = Warmup(s.Instances, s.Phased)
	steady := make([]int64, 0, len(s.Instances)-s.Warmup)
	for i, st := range s.Instances {
		if i < s.Warmup {
			s.WarmupNs += st.End - st.Start
		} else if !st.Prefill {
			steady = append(steady, st.End-st.Start)
		}
	}
	s.SteadyMedianNs, s.SteadyP90Ns = medianP90(steady)
	return s
}

// Warmup counts the leading warm-up steps of steps (in start order). The reference is the
// median duration of the second half of the (decode) steps; the warm-up is the longest leading
// run of (decode) steps each longer than WarmupFactor times it, at most half of them, judged
// only on MinWarmupSteps or more. With phased steps a prefill step neither counts as evidence
// nor ends the run; the warm-up ends after its last decode step (prefill steps before it are
// part of it).
func Warmup(steps []Step, phased bool) int {
	d := make([]int64, 0, len(steps))
	for _, s := range steps {
		if !phased || !s.Prefill {
			d = append(d, s.End-s.Start)
		}
	}
	if len(d) < MinWarmupSteps {
		return 0
	}
	ref := stat.Median(slices.Clone(d[len(d)/2:]))
	warm, seen := 0, 0
	for i, s := range steps {
		if phased && s.Prefill {
			continue
		}
		if seen >= len(d)/2 || float64(s.End-s.Start) <= WarmupFactor*ref {
			break
		}
		seen++
		warm = i + 1
	}
	return warm
}

// medianP90 is the median and the nearest-rank 90th percentile of xs (0, 0 when empty).
func medianP90(xs []int64) (float64, int64) {
	if len(xs) == 0 {
		return 0, 0
	}
	s := slices.Clone(xs)
	stat.Sort(s) // slices.Sort's order, by radix passes: tens of thousands of steps
	rank := int(math.Ceil(0.9*float64(len(s)))) - 1
	return stat.Quantile(s, 0.5), s[max(rank, 0)] // stat.Median's value, read off the sorted copy
}

// stepSpans are the steady steps as host time spans, sorted and joined where they overlap.
func (s *Steps) stepSpans(from int64) []trace.Span {
	out := make([]trace.Span, 0, len(s.Instances))
	for _, st := range s.Instances {
		if st.Start < from {
			continue
		}
		if n := len(out); n > 0 && st.Start <= out[n-1].End {
			out[n-1].End = max(out[n-1].End, st.End)
			continue
		}
		out = append(out, trace.Span{Start: st.Start, End: st.End})
	}
	return out
}
