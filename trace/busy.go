package trace

import (
	"sort"

	"github.com/omnistat/omnistat/internal/par"
)

// Intersect is the length of time covered by both a and b, each sorted and disjoint. The
// longer list is cut into parallel parts (par.Parts); a part starts at the first span of the
// other list that ends after the part's first span starts (none before it can overlap the
// part), and the parts' sums are added.
func Intersect(a, b []Span) int64 {
	if len(a) < len(b) {
		a, b = b, a // the time both cover does not depend on the order
	}
	return intersectIn(a, b, par.Parts(len(a)))
}

// intersectIn is Intersect with a, the longer list, cut into parts.
func intersectIn(a, b []Span, parts int) int64 {
	if parts < 2 || len(b) == 0 {
		return intersect(a, b)
	}
	sums := make([]int64, parts)
	par.ForParts(len(a), parts, func(p, lo, hi int) {
		j := sort.Search(len(b), func(j int) bool { return b[j].End > a[lo].Start })
		sums[p] = intersect(a[lo:hi], b[j:])
	})
	var t int64
	for _, s := range sums {
		t += s
	}
	return t
}

// intersect is Intersect in one walk.
func intersect(a, b []Span) int64 {
	var t int64
	for i, j := 0, 0; i < len(a) && j < len(b); {
		s, e := max(a[i].Start, b[j].Start), min(a[i].End, b[j].End)
		if e > s {
			t += e - s
		}
		if a[i].End < b[j].End {
			i++
		} else {
			j++
		}
	}
	return t
}

// BusyTime is the time GPU operations run, summed over the devices of tr; spans are its GPUSpans.
func BusyTime(tr *Trace, spans []Span) (busy int64, devices int) {
	return BusyOf(SpanSets(tr, spans))
}

// BusyOf is the busy time of the span sets, summed, and how many there are. A set already
// sorted and disjoint (a trace's GPUSpans) is summed in parallel parts.
func BusyOf(sets []SpanSet) (busy int64, devices int) {
	for _, set := range sets {
		if b, ok := disjointTime(set.Spans); ok {
			busy += b
			continue
		}
		b, _ := Union(set.Spans, 1<<62)
		busy += b
	}
	return busy, len(sets)
}

// disjointTime is the time of spans when they are sorted and disjoint (each starts after the
// one before starts and ends: Union would join none), checked and summed in parallel parts; ok
// is false otherwise.
func disjointTime(spans []Span) (int64, bool) {
	parts := par.Parts(len(spans))
	sums, bad := make([]int64, parts), make([]bool, parts)
	par.ForParts(len(spans), parts, func(p, lo, hi int) {
		var t int64 // kept here, stored once: parts writing one cache line would share it
		for i := lo; i < hi; i++ {
			if i > 0 && (spans[i].Start <= spans[i-1].End || spans[i].Start < spans[i-1].Start) {
				bad[p] = true
				return
			}
			t += spans[i].End - spans[i].Start
		}
		sums[p] = t
	})
	var t int64
	for p := range parts {
		if bad[p] {
			return 0, false
		}
		t += sums[p]
	}
	return t, true
}

// SpanTime is the summed length of the spans, in parallel parts (their union's length when they
// are disjoint).
func SpanTime(spans []Span) int64 {
	parts := par.Parts(len(spans))
	sums := make([]int64, parts)
	par.ForParts(len(spans), parts, func(p, lo, hi int) {
		var t int64
		for _, s := range spans[lo:hi] {
			t += s.End - s.Start
		}
		sums[p] = t
	})
	var t int64
	for _, s := range sums {
		t += s
	}
	return t
}
