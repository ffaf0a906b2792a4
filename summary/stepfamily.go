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
	// the CUDA API call starts of each thread that has ranges, sorted (rows come in runs of
	// one thread: the map is consulted once per run, not once per call)
	slot := map[int64]int{}
	for i := range n.Start {
		if trace.IsRange(n.EventType[i]) {
			slot[n.GlobalTID[i]] = -1
		}
	}
	var lists [][]int64
	last, cur := trace.Null, -1
	for i, g := range tr.Runtime.GlobalTID {
		if g != last || i == 0 {
			last = g
			k, ok := slot[g]
			switch {
			case !ok:
				k = -2 // a thread without ranges
				slot[g] = k
			case k == -1:
				k = len(lists)
				slot[g] = k
				lists = append(lists, nil)
			}
			cur = k
		}
		if cur >= 0 {
			lists[cur] = append(lists[cur], tr.Runtime.Start[i])
		}
	}
	for _, c := range lists {
		if !slices.IsSorted(c) {
			slices.Sort(c)
		}
	}
	callsOf := func(g int64) []int64 {
		if k := slot[g]; k >= 0 {
			return lists[k]
		}
		return nil
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
		c := callsOf(n.GlobalTID[i])
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
