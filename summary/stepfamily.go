package summary

import (
	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/trace"
)

// StepFamily is the step range of tr and its number of instances: among the push/pop and
// start/end ranges that drive GPU work — at least half of a family's instances enclose a CUDA
// API call of their own thread that launched GPU work (a kernel, a copy or a memset joined to
// the call through the call index, LaunchedGPUWork) — the family (the message with its numbers
// as N, see stage.Family) with the most instances, ties to the smaller name, at least 2
// instances; ranges of nsys's own MPI tracing domain are not steps. "" and 0 when there is none.
// A host helper range that runs no CUDA call (a 330 ns bookkeeping function called 5,000
// times), a compile or load range whose calls launch nothing (cuModuleLoad, cuLibraryLoadData,
// cuMemAlloc) or an MPI call is thus never taken for the step.
func StepFamily(tr *trace.Trace) (string, int64) {
	t := familyTallies(tr)
	return t.pick()
}

// tallies are the range families of a trace (stage.Family of the message) with their instances
// and the instances that drive GPU work, as StepFamily counts them (MPI-domain ranges left out);
// additive tells whether the tallies of rows cut from a trace add up to the trace's (addTallies).
type tallies struct {
	count, driving map[string]int64
	additive       bool
}

// familyTallies counts tr's ranges by family for StepFamily. A range's tally depends on the
// trace it is counted in through its thread's calls, the GPU work they launched, the end given
// to a range never ended (the last NVTX timestamp of the trace the rows were cut from: a subset
// keeps it) and the domain names (a domain id named "MPI" in one process hides ranges of that id
// in every process): additive is false when tr has a domain named "MPI".
func familyTallies(tr *trace.Trace) tallies {
	n := &tr.NVTX
	t := tallies{count: map[string]int64{}, driving: map[string]int64{}, additive: true}
	domains := map[int64]string{}
	for i := range n.Start {
		if n.EventType[i] == trace.NVTXDomainCreate {
			msg, _ := n.Message(&tr.Strings, i)
			domains[n.DomainID[i]] = msg
			t.additive = t.additive && msg != "MPI"
		}
	}
	maxTS, _ := n.MaxTimestamp()
	drives := rangesDriving(tr, maxTS)
	families := map[string]string{} // message → family: a trace's ranges repeat few messages
	for i := range n.Start {
		if !trace.IsRange(n.EventType[i]) {
			continue
		}
		if domains[n.DomainID[i]] == "MPI" {
			continue
		}
		msg, _ := n.Message(&tr.Strings, i)
		f, ok := families[msg]
		if !ok {
			f = stage.Family(msg)
			families[msg] = f
		}
		t.count[f]++
		if drives(i) {
			t.driving[f]++
		}
	}
	return t
}

// addTallies adds up the tallies of parts of a trace. They are the trace's tallies when every
// part is additive and the parts hold each range of the trace once, each with the calls of its
// thread and the GPU work those launched (the stages' rows: summary.Build groups rows by
// thread, GPU work with its launching call); ok is false when a part is not additive.
func addTallies(parts []tallies) (tallies, bool) {
	t := tallies{count: map[string]int64{}, driving: map[string]int64{}, additive: true}
	for _, p := range parts {
		if !p.additive {
			return tallies{}, false
		}
		for f, c := range p.count {
			t.count[f] += c
		}
		for f, c := range p.driving {
			t.driving[f] += c
		}
	}
	return t, true
}

// pick is StepFamily's choice among the tallies: the family with the most instances of those
// driving GPU work in at least half of them, ties to the smaller name, at least 2 instances.
func (t tallies) pick() (string, int64) {
	best, bestN := "", int64(0)
	for f, c := range t.count {
		if 2*t.driving[f] < c {
			continue
		}
		if c > bestN || (c == bestN && f < best) {
			best, bestN = f, c
		}
	}
	if bestN < 2 {
		return "", 0
	}
	return best, bestN
}

// CountFamily counts the ranges of tr that name asks for: its family (numbers as N) matched
// against each range's message, or against "domain:message".
func CountFamily(tr *trace.Trace, name string) int64 {
	want := stage.Family(name)
	n := &tr.NVTX
	var c int64
	domains := map[int64]string{}
	for i := range n.Start {
		if n.EventType[i] == trace.NVTXDomainCreate {
			msg, _ := n.Message(&tr.Strings, i)
			domains[n.DomainID[i]] = msg
		}
	}
	for i := range n.Start {
		if !trace.IsRange(n.EventType[i]) {
			continue
		}
		msg, _ := n.Message(&tr.Strings, i)
		f := stage.Family(msg)
		if f == want || stage.Family(domains[n.DomainID[i]]+":"+msg) == want {
			c++
		}
	}
	return c
}

// Families lists the range families of tr with their instances, for suggestions.
func Families(tr *trace.Trace) map[string]int64 {
	n := &tr.NVTX
	out := map[string]int64{}
	for i := range n.Start {
		if trace.IsRange(n.EventType[i]) {
			msg, _ := n.Message(&tr.Strings, i)
			out[stage.Family(msg)]++
		}
	}
	return out
}

// LaunchedGPUWork marks the CUDA API calls (rows of tr.Runtime) that launched GPU work: a
// kernel, a memory copy or a memset joined to the call by its process and correlation id
// (tr.Launches()). A graph launch is marked through the kernels it ran.
func LaunchedGPUWork(tr *trace.Trace) []bool { return tr.Launching(false) }
