package summary

import (
	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/trace"
	"slices"
)

// StepFamily is the step range of tr and its number of instances: among the push/pop and
// start/end ranges that drive GPU work — at least half of a family's instances enclose a CUDA
// API call of their own thread — the family (the message with its numbers as N, see
// stage.Family) with the most instances, ties to the smaller name, at least 2 instances; ranges
// of nsys's own MPI tracing domain are not steps. "" and 0 when there is none. A host helper
// range that runs no CUDA call (a 330 ns bookkeeping function called 5,000 times) or an MPI
// call is thus never taken for the step.
func StepFamily(tr *trace.Trace) (string, int64) {
	n := &tr.NVTX
	domains := map[int64]string{}
	for i := range n.Start {
		if n.EventType[i] == trace.NVTXDomainCreate {
			msg, _ := n.Message(&tr.Strings, i)
			domains[n.DomainID[i]] = msg
		}
	}
	// the CUDA API call starts of each thread, sorted
	per := map[int64]int{}
	for _, g := range tr.Runtime.GlobalTID {
		per[g]++
	}
	calls := make(map[int64][]int64, len(per))
	for g, n := range per {
		calls[g] = make([]int64, 0, n)
	}
	for i, g := range tr.Runtime.GlobalTID {
		calls[g] = append(calls[g], tr.Runtime.Start[i])
	}
	for _, c := range calls {
		if !slices.IsSorted(c) {
			slices.Sort(c)
		}
	}
	maxTS, _ := n.MaxTimestamp()
	count, driving := map[string]int64{}, map[string]int64{}
	for i := range n.Start {
		if !trace.IsRange(n.EventType[i]) || domains[n.DomainID[i]] == "MPI" {
			continue
		}
		msg, _ := n.Message(&tr.Strings, i)
		f := stage.Family(msg)
		count[f]++
		end := n.End[i]
		if end == trace.Null {
			end = maxTS
		}
		c := calls[n.GlobalTID[i]]
		if k, _ := slices.BinarySearch(c, n.Start[i]); k < len(c) && c[k] <= end {
			driving[f]++
		}
	}
	best, bestN := "", int64(0)
	for f, c := range count {
		if 2*driving[f] < c {
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
