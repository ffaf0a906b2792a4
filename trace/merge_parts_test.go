package trace

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// mergeSpans and UnionSpans in parts equal one merge of the same lists, span for span: kernels, copies and
// sets as sorted lists with gaps, overlaps, spans that end where the next starts, runs of equal
// starts (cut points repeat), spans that end before they start (a damaged export; in one list
// all of them, so an operation merged twice or lost at a cut shows), an empty list, and parts
// from 2 to 16.
func TestMergePartsEqualsOneMerge(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 34))
	list := func(n int, sameStarts, backwards bool) spanList {
		s, e := make([]int64, n), make([]int64, n)
		at := int64(0)
		for i := range s {
			if !sameStarts || rng.IntN(4) == 0 {
				at += rng.Int64N(30)
			}
			s[i] = at
		}
		for i := range s {
			switch r := rng.IntN(20); {
			case backwards || r == 0:
				e[i] = s[i] - 1 - rng.Int64N(5) // ends before it starts
			case r == 1:
				e[i] = s[i] + rng.Int64N(2_000) // long: covers many
			case r < 8 && i+1 < n:
				e[i] = s[i+1] // ends where the next starts
			default:
				e[i] = s[i] + rng.Int64N(25)
			}
		}
		return spanList{s: s, e: e}
	}
	for iter := range 8 {
		lists := []spanList{list(200_000, iter%2 == 0, iter == 7), list(3_000+iter*10_000, iter%3 == 0, false), list(iter*7, false, false), {}}
		n := 0
		for _, l := range lists {
			n += len(l.s)
		}
		fresh := func() []spanList { // the merge moves the lists' cursors
			c := slices.Clone(lists)
			for i := range c {
				c[i].i = 0
			}
			return c
		}
		want := mergeInto(fresh(), nil)
		spans := make([][]Span, len(lists)) // the same lists as spans, for UnionSpans
		for l, c := range lists {
			for i := range c.s {
				spans[l] = append(spans[l], Span{c.s[i], c.e[i]})
			}
		}
		if got := unionInto(spans, nil); !slices.Equal(got, want) {
			t.Fatalf("iter %d: one union differs from one merge", iter)
		}
		for _, parts := range []int{1, 2, 3, 5, 16} {
			if got := mergeParts(fresh(), n, parts); !slices.Equal(got, want) {
				t.Fatalf("iter %d, %d parts: %d spans, want %d (or spans differ)", iter, parts, len(got), len(want))
			}
			if got := unionParts(spans, n, parts); !slices.Equal(got, want) {
				t.Fatalf("iter %d, %d parts: union of %d spans, want %d (or spans differ)", iter, parts, len(got), len(want))
			}
		}
	}
}
