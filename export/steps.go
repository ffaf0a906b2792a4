package export

import (
	"cmp"
	"slices"
	"sort"

	"github.com/omnistat/omnistat/reports"
	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/summary"
	"github.com/omnistat/omnistat/trace"
)

// instance is one step of a stage with where it ran.
type instance struct {
	nvtx       int // its row in the stage's NVTX table
	start, end int64
	proc       int64 // globalPid
	tid        int64 // globalTid
	prefill    bool
}

// stepIndex finds the step an event of a stage falls in.
type stepIndex struct {
	rangeName string     // summarize's step range (domain:family); "" without one
	steps     []instance // in start order: the step number is the index
	warmup    int
	phased    bool
	// per process: the step numbers in start order and the latest end up to each
	byProc map[int64]*procSteps
	byRow  map[int]int32 // NVTX row → step number
	names  []string      // each step's name (domain:message), filled as the NVTX rows are written
}

type procSteps struct {
	idx    []int32
	starts []int64
	maxEnd []int64
}

// stepsOf finds sub's step range as summarize does (summary.StepsOf) and indexes its instances.
func stepsOf(sub *trace.Trace) *stepIndex {
	x := &stepIndex{byProc: map[int64]*procSteps{}, byRow: map[int]int32{}}
	fam, _ := summary.StepFamily(sub)
	if fam == "" {
		return x
	}
	s := summary.StepsOf(sub)
	x.rangeName, x.warmup, x.phased = s.Range, s.Warmup, s.Phased
	n := &sub.NVTX
	maxTS, _ := n.MaxTimestamp()
	families := map[string]string{}
	for i := range n.Start {
		if !trace.IsRange(n.EventType[i]) {
			continue
		}
		msg, _ := n.Message(&sub.Strings, i)
		f, ok := families[msg]
		if !ok {
			f = stage.Family(msg)
			families[msg] = f
		}
		if f != fam {
			continue
		}
		in := instance{nvtx: i, start: n.Start[i], end: reports.RangeEnd(n, i, maxTS), proc: trace.ProcessOf(n.GlobalTID[i]), tid: n.GlobalTID[i]}
		x.steps = append(x.steps, in)
	}
	// the order of summary.StepsOf: stable by start over the NVTX rows
	slices.SortStableFunc(x.steps, func(a, b instance) int { return cmp.Compare(a.start, b.start) })
	if len(x.steps) != len(s.Instances) { // cannot be: the same rule on the same rows
		panic("export: step instances differ from summary.StepsOf's")
	}
	for k, in := range x.steps {
		x.steps[k].prefill = s.Instances[k].Prefill
		x.names = append(x.names, "")
		x.byRow[in.nvtx] = int32(k)
		p := x.byProc[in.proc]
		if p == nil {
			p = &procSteps{}
			x.byProc[in.proc] = p
		}
		e := in.end
		if m := len(p.maxEnd); m > 0 {
			e = max(e, p.maxEnd[m-1])
		}
		p.idx, p.starts, p.maxEnd = append(p.idx, int32(k)), append(p.starts, in.start), append(p.maxEnd, e)
	}
	return x
}

// at is the step among a process's steps p that encloses time t (the latest-starting one when
// steps nest), or -1.
func (x *stepIndex) at(p *procSteps, t int64) int32 {
	j := sort.Search(len(p.starts), func(j int) bool { return p.starts[j] > t }) - 1
	for ; j >= 0 && p.maxEnd[j] >= t; j-- {
		if x.steps[p.idx[j]].end >= t {
			return p.idx[j]
		}
	}
	return -1
}
