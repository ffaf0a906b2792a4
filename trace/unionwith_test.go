package trace

import (
	"math"
	"math/rand/v2"
	"testing"
)

// cutTo is a window's cut of joined spans: each cut to w, the empty ones dropped.
func cutTo(spans []Span, w Span) []Span {
	var out []Span
	for _, s := range spans {
		s.Start, s.End = max(s.Start, w.Start), min(s.End, w.End)
		if s.End > s.Start {
			out = append(out, s)
		}
	}
	return out
}

// TestUnionWith: the time joined rows cover, and share with other joined spans, measured in a
// walk equals what the spans made by TableSpans (cut to a window) give, over random rows that
// come by start (touching, nested, zero-length, far apart) and random windows.
func TestUnionWith(t *testing.T) {
	rng := rand.New(rand.NewPCG(61, 62))
	rows := func(n int, gap, dur int64) ([]int64, []int64) {
		s, e := make([]int64, n), make([]int64, n)
		at := rng.Int64N(50)
		for i := range n {
			at += rng.Int64N(gap + 1)
			s[i], e[i] = at, at+rng.Int64N(dur+1)
		}
		return s, e
	}
	for round := range 400 {
		s, e := rows(rng.IntN(300), 1+int64(round%7)*3, int64(round%5)*4)
		os, oe := rows(rng.IntN(40), 40, 30)
		w := Span{math.MinInt64, math.MaxInt64}
		if round%3 > 0 {
			a := rng.Int64N(600)
			w = Span{a, a + rng.Int64N(800)}
		}
		other := cutTo(TableSpans(os, oe), w)
		mine := cutTo(TableSpans(s, e), w)
		var wantBusy int64
		for _, x := range mine {
			wantBusy += x.End - x.Start
		}
		wantShared := Intersect(mine, other)
		busy, shared, ok := UnionWith(s, e, w, other)
		if !ok || busy != wantBusy || shared != wantShared {
			t.Fatalf("round %d: UnionWith = %d, %d, %v; want %d, %d", round, busy, shared, ok, wantBusy, wantShared)
		}
	}
}

// TestUnionWithRefuses: rows out of start order, a row that ends before it starts, and other
// spans that overlap, touch or run backwards are left to the spans (ok false).
func TestUnionWithRefuses(t *testing.T) {
	all := Span{math.MinInt64, math.MaxInt64}
	good := []Span{{0, 5}, {10, 20}}
	for _, c := range []struct {
		name       string
		start, end []int64
		spans      []Span
	}{
		{"unsorted rows", []int64{5, 3}, []int64{6, 4}, good},
		{"a row backwards", []int64{1, 10}, []int64{4, 8}, good},
		{"the last row backwards", []int64{1}, []int64{0}, good},
		{"spans overlap", []int64{1}, []int64{2}, []Span{{0, 5}, {4, 9}}},
		{"spans touch", []int64{1}, []int64{2}, []Span{{0, 5}, {5, 9}}},
		{"a span backwards", []int64{1}, []int64{2}, []Span{{5, 0}}},
	} {
		if _, _, ok := UnionWith(c.start, c.end, all, c.spans); ok {
			t.Errorf("%s: ok", c.name)
		}
	}
	if busy, shared, ok := UnionWith(nil, nil, all, good); !ok || busy != 0 || shared != 0 {
		t.Errorf("no rows: %d, %d, %v", busy, shared, ok)
	}
	// a row joined into the span before it (its start inside it) may end earlier: no damage
	if busy, shared, ok := UnionWith([]int64{0, 2}, []int64{10, 3}, all, good); !ok || busy != 10 || shared != 5 {
		t.Errorf("nested row: %d, %d, %v; want 10, 5", busy, shared, ok)
	}
}
