package trace

import (
	"slices"
	"sort"
)

// unionIntoBig is UnionSpans when one list holds nearly every span (a pipeline's busiest
// stage) and its spans neither overlap nor touch: the other lists are joined first, then each of
// their spans is placed among the big list's, whose spans between two such places are copied in
// one piece instead of joined one by one. ok is false (nothing done) otherwise, and where a span
// ends before it starts (a damaged export: the order of the join then matters).
func unionIntoBig(lists [][]Span, n int) ([]Span, bool) {
	big := -1
	for i, l := range lists {
		if 8*len(l) >= 7*n && n >= 1<<12 {
			big = i
		}
	}
	if big < 0 {
		return nil, false
	}
	b := lists[big]
	for i := range b {
		if b[i].End < b[i].Start || i > 0 && b[i].Start <= b[i-1].End {
			return nil, false
		}
	}
	small := unionInto(slices.Concat(lists[:big], lists[big+1:]), nil)
	for _, x := range small {
		if x.End < x.Start {
			return nil, false
		}
	}
	out := make([]Span, 0, n)
	i := 0 // b[:i] are placed
	for _, x := range small {
		// the big list's spans ending before x starts are before it and do not touch it
		k := i + sort.Search(len(b)-i, func(j int) bool { return b[i+j].End >= x.Start })
		out = append(out, b[i:k]...)
		for k < len(b) && b[k].Start <= x.End { // those x overlaps or touches join it
			x.Start, x.End = min(x.Start, b[k].Start), max(x.End, b[k].End)
			k++
		}
		out = coalesce(out, x) // x may reach the last span placed (one joined to the x before)
		i = k
	}
	return append(out, b[i:]...), true
}
