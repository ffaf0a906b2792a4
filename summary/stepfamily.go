package summary

import (
	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/trace"
)

// StepFamily is the step range of tr and its number of instances: the range family (the
// message with its numbers as N, see stage.Family) with the most instances among push/pop and
// start/end ranges, ties to the smaller name, at least 2 instances; "" and 0 when there is none.
func StepFamily(tr *trace.Trace) (string, int64) {
	n := &tr.NVTX
	count := map[string]int64{}
	for i := range n.Start {
		if trace.IsRange(n.EventType[i]) {
			msg, _ := n.Message(&tr.Strings, i)
			count[stage.Family(msg)]++
		}
	}
	best, bestN := "", int64(0)
	for f, c := range count {
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
