package stage

import (
	"fmt"
	"slices"

	"github.com/omnistat/omnistat/trace"
)

// Regroup returns the assignment cut along another dimension (not ByDevice), for per-process or per-thread summaries:
// "stage" returns a itself; "process" makes each process of a stage its own section (keyed
// "diffusion[1]" for replica 1 of a stage with replicas, else the stage key); "thread" each
// thread with CUDA API calls or NVTX ranges ("talker/talker-main", with the TID when names
// repeat); "none" one section "all" with every process of every stage.
func (a *Assignment) Regroup(by By, tr *trace.Trace) (*Assignment, error) {
	switch by {
	case ByStage:
		return a, nil
	case ByNone:
		out := &Assignment{byProc: map[int64]int{}, byThread: map[int64]int{}, Stages: []Stage{{Key: "all", Order: -1, Source: "merging all stages", Mixed: true}}}
		for _, s := range a.Stages {
			for _, p := range s.Procs {
				out.byProc[p] = 0
				out.Stages[0].Procs = append(out.Stages[0].Procs, p)
			}
		}
		for t := range a.byThread {
			out.byThread[t] = 0
		}
		return out, nil
	case ByProcess:
		out := &Assignment{byProc: map[int64]int{}, byThread: map[int64]int{}}
		for _, s := range a.Stages {
			for r, p := range s.Procs {
				key := s.Key
				if len(s.Procs) > 1 {
					key = fmt.Sprintf("%s[%d]", s.Key, r)
				}
				out.byProc[p] = len(out.Stages)
				out.Stages = append(out.Stages, Stage{Key: key, Order: s.Order, Procs: []int64{p}, Source: s.Source})
			}
		}
		// threads given to a stage by a thread rule keep their own section
		for _, t := range sortedKeys(a.byThread) {
			s := a.Stages[a.byThread[t]]
			out.byThread[t] = len(out.Stages)
			out.Stages = append(out.Stages, Stage{Key: fmt.Sprintf("%s:%d", s.Key, trace.TID(t)), Order: s.Order, Procs: []int64{trace.ProcessOf(t)}, Source: s.Source})
		}
		return out, nil
	case ByThread:
		return a.byThreads(tr), nil
	}
	return nil, fmt.Errorf("unknown level %q (use stage, process, thread or none)", by)
}

// byThreads gives each thread with CUDA API calls or NVTX ranges, in a process with a stage, its
// own section; GPU work without a launching call goes with its process's main thread.
func (a *Assignment) byThreads(tr *trace.Trace) *Assignment {
	out := &Assignment{byProc: map[int64]int{}, byThread: map[int64]int{}}
	seen := map[int64]bool{}
	for row := range tr.Runtime.GlobalTID.Len() {
		g := tr.Runtime.GlobalTID.At(row)
		seen[g] = true
	}
	for i, g := range tr.NVTX.GlobalTID {
		if trace.IsRange(tr.NVTX.EventType[i]) {
			seen[g] = true
		}
	}
	names := map[int64]string{}
	for _, t := range tr.Threads {
		names[t.GlobalTID] = t.Name
	}
	tids := sortedKeys(seen)
	slices.SortStableFunc(tids, func(x, y int64) int { return a.Of(x) - a.Of(y) }) // in stage order
	count := map[string]int{}
	key := func(g int64) string {
		s := a.Of(g)
		n := names[g]
		if n == "" {
			n = "thread"
		}
		return a.Stages[s].Key + "/" + n
	}
	for _, g := range tids {
		if a.Of(g) >= 0 {
			count[key(g)]++
		}
	}
	for _, g := range tids {
		s := a.Of(g)
		if s < 0 {
			continue
		}
		k := key(g)
		if count[k] > 1 {
			k = fmt.Sprintf("%s:%d", k, trace.TID(g))
		}
		p := trace.ProcessOf(g)
		out.byThread[g] = len(out.Stages)
		if _, ok := out.byProc[p]; !ok || g == p|trace.PID(p) {
			out.byProc[p] = len(out.Stages) // the main thread, else the first
		}
		out.Stages = append(out.Stages, Stage{Key: k, Order: a.Stages[s].Order, Procs: []int64{p}, Source: a.Stages[s].Source})
	}
	// processes of a stage without threads of their own (GPU work only) keep a section
	for _, s := range a.Stages {
		for _, p := range s.Procs {
			if _, ok := out.byProc[p]; !ok {
				out.byProc[p] = len(out.Stages)
				out.Stages = append(out.Stages, Stage{Key: fmt.Sprintf("%s/%d", s.Key, trace.PID(p)), Order: s.Order, Procs: []int64{p}, Source: s.Source})
			}
		}
	}
	return out
}

func sortedKeys[V any](m map[int64]V) []int64 {
	ks := make([]int64, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
