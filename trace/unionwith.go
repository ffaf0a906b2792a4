package trace

// UnionWith walks rows (start, end) that come by start and joins them as TableSpans does (a
// row starting at or before the end of the span before joins it), each joined span cut to
// clip as a window cuts spans (a span left empty is dropped), without making the spans: it
// returns the time they cover and the time they share with spans (sorted, and disjoint with
// gaps between them, as a union makes them). ok is false, and nothing is measured, when the
// rows do not come by start, a joined span ends before it starts (damaged rows), or spans is
// not sorted and disjoint: then the caller makes the spans.
func UnionWith(start, end []int64, clip Span, spans []Span) (busy, shared int64, ok bool) {
	for k := 1; k < len(spans); k++ {
		if spans[k].Start <= spans[k-1].End {
			return 0, 0, false
		}
	}
	for _, s := range spans {
		if s.End < s.Start {
			return 0, 0, false
		}
	}
	j := 0 // spans before j end before every span still to come
	emit := func(s Span) bool {
		if s.End < s.Start {
			return false
		}
		s.Start, s.End = max(s.Start, clip.Start), min(s.End, clip.End)
		if s.End <= s.Start {
			return true
		}
		busy += s.End - s.Start
		for j < len(spans) && spans[j].End <= s.Start {
			j++
		}
		for k := j; k < len(spans) && spans[k].Start < s.End; k++ {
			shared += min(s.End, spans[k].End) - max(s.Start, spans[k].Start)
		}
		return true
	}
	if len(start) == 0 {
		return 0, 0, true
	}
	cur := Span{start[0], end[0]}
	for i := 1; i < len(start); i++ {
		if start[i] < start[i-1] {
			return 0, 0, false
		}
		if start[i] <= cur.End {
			cur.End = max(cur.End, end[i])
			continue
		}
		if !emit(cur) {
			return 0, 0, false
		}
		cur = Span{start[i], end[i]}
	}
	if !emit(cur) {
		return 0, 0, false
	}
	return busy, shared, true
}
