package trace

import (
	"slices"
	"sort"

	"github.com/omnistat/omnistat/internal/hugepage"
	"github.com/omnistat/omnistat/internal/par"
)

// unionIntoBig is UnionSpans when one list holds nearly every span (a pipeline's busiest
// stage) and its spans neither overlap nor touch: the other lists are joined first, then each of
// their spans is placed among the big list's, whose spans between two such places are copied in
// one piece instead of joined one by one. ok is false (nothing done) otherwise, and where a span
// ends before it starts (a damaged export: the order of the join then matters).
func unionIntoBig(lists [][]Span, n int) ([]Span, bool) {
	return unionIntoBigParts(lists, n, par.Parts(n))
}

// bigPiece is a run of the big list, b[from:to], copied to out[at:].
type bigPiece struct{ from, to, at int }

// unionIntoBigParts is unionIntoBig with the big list checked and copied in parts parts: the
// small spans' places are found first (one search each), which fixes where every piece of the
// big list goes, so the parts copy their share of the pieces side by side into memory made
// once at the result's size.
func unionIntoBigParts(lists [][]Span, n, parts int) ([]Span, bool) {
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
	bad := make([]bool, parts)
	par.ForParts(len(b), parts, func(p, lo, hi int) {
		for i := lo; i < hi; i++ {
			if b[i].End < b[i].Start || i > 0 && b[i].Start <= b[i-1].End {
				bad[p] = true
				return
			}
		}
	})
	if slices.Contains(bad, true) {
		return nil, false
	}
	small := unionInto(slices.Concat(lists[:big], lists[big+1:]), nil)
	for _, x := range small {
		if x.End < x.Start {
			return nil, false
		}
	}
	var pieces []bigPiece
	var xs []Span  // the small spans, joined with the big ones they overlap or touch
	var xat []int  // xs[t] goes to out[xat[t]]
	pos, i := 0, 0 // out[:pos] is placed; b[:i] is placed
	for _, x := range small {
		// the big list's spans ending before x starts are before it and do not touch it
		k := i + sort.Search(len(b)-i, func(j int) bool { return b[i+j].End >= x.Start })
		if k > i {
			pieces = append(pieces, bigPiece{i, k, pos})
			pos += k - i
		}
		for k < len(b) && b[k].Start <= x.End { // those x overlaps or touches join it
			x.Start, x.End = min(x.Start, b[k].Start), max(x.End, b[k].End)
			k++
		}
		if t := len(xs) - 1; t >= 0 && xat[t] == pos-1 && x.Start <= xs[t].End {
			xs[t].End = max(xs[t].End, x.End) // x reaches the small span placed last (joined to the x before)
		} else {
			xs, xat = append(xs, x), append(xat, pos)
			pos++
		}
		i = k
	}
	if i < len(b) {
		pieces = append(pieces, bigPiece{i, len(b), pos})
		pos += len(b) - i
	}
	out := make([]Span, pos)
	hugepage.Hint(out)
	for t, x := range xs {
		out[xat[t]] = x
	}
	par.ForParts(len(b), parts, func(_, lo, hi int) { // part [lo, hi) of b copies its share of the pieces
		q := sort.Search(len(pieces), func(q int) bool { return pieces[q].to > lo })
		for ; q < len(pieces) && pieces[q].from < hi; q++ {
			pc := pieces[q]
			s, e := max(pc.from, lo), min(pc.to, hi)
			copy(out[pc.at+s-pc.from:], b[s:e])
		}
	})
	return out, true
}
