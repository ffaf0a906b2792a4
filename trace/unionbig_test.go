package trace

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestUnionIntoBig: with one list of nearly every span, disjoint and not touching, UnionSpans
// places the other lists' spans among it (unionIntoBig) and gives what the span-by-span join
// gives: small spans before, after, inside, across several, touching either end of big spans,
// in one or several lists, overlapping each other; a big list with touching or overlapping
// spans, or no list that big, is left to the join.
func TestUnionIntoBig(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 34))
	for round := range 300 {
		n := 1<<12 + rng.IntN(20000)
		big := make([]Span, 0, n)
		at := int64(rng.IntN(100))
		for range n {
			at += 1 + int64(rng.IntN(20)) // a gap of at least 1: no touching
			l := 1 + int64(rng.IntN(30))
			big = append(big, Span{at, at + l})
			at += l
		}
		if round%10 == 9 { // touching or overlapping: not for the fast path
			i := 1 + rng.IntN(len(big)-1)
			big[i].Start = big[i-1].End - int64(rng.IntN(2))
		}
		lists := [][]Span{big}
		for range 1 + rng.IntN(3) {
			var l []Span
			m := rng.IntN(n/16 + 1)
			var s int64 = -50
			for range m {
				s += int64(rng.IntN(int(at/int64(m+1)) + 2))
				e := s + int64(rng.IntN(200))
				if rng.IntN(4) == 0 { // touch a big span's start or end exactly
					b := big[rng.IntN(len(big))]
					if rng.IntN(2) == 0 {
						s, e = max(s, b.End), max(s, b.End)+int64(rng.IntN(5))
					} else {
						e = max(s, b.Start)
					}
				}
				l = append(l, Span{s, e})
				s = e + 1
			}
			slices.SortFunc(l, bySpanStart)
			l = unionInto([][]Span{l}, nil) // each list sorted and disjoint
			lists = append(lists, l)
		}
		rng.Shuffle(len(lists), func(i, j int) { lists[i], lists[j] = lists[j], lists[i] })
		total := 0
		for _, l := range lists {
			total += len(l)
		}
		want := unionParts(lists, total, 1)
		if got := UnionSpans(lists); !slices.Equal(got, want) {
			t.Fatalf("round %d: %d spans, want %d", round, len(got), len(want))
		}
		for parts := 2; parts <= 5; parts++ { // the big list checked and copied in parts
			got, ok := unionIntoBigParts(lists, total, parts)
			if _, okOne := unionIntoBigParts(lists, total, 1); ok != okOne || ok && !slices.Equal(got, want) {
				t.Fatalf("round %d, %d parts: ok %v (one part: %v), %d spans, want %d", round, parts, ok, okOne, len(got), len(want))
			}
		}
	}
}

// TestIntoBigDamagedSpan: a big list with a span that ends before it starts (its ends then not
// in order), or another list's span that does, goes to the join, which keeps the order of
// starts: a small span placed by a search over those ends, or the damaged one placed by its
// start, would land on the wrong side of a span.
func TestIntoBigDamagedSpan(t *testing.T) {
	const n = 1 << 13
	s, e := make([]int64, n), make([]int64, n)
	spans := make([]Span, n)
	for i := range n {
		s[i], e[i] = int64(100*i), int64(100*i+50)
	}
	k := n / 2
	e[k] = s[k] - 60 // ends before the span before it ends
	for i := range n {
		spans[i] = Span{s[i], e[i]}
	}
	x := Span{e[k] + 1, e[k] + 2} // inside span k-1, after span k's end
	if got, want := UnionSpans([][]Span{spans, {x}}), unionParts([][]Span{spans, {x}}, n+1, 1); !slices.Equal(got, want) {
		t.Errorf("UnionSpans: %d spans, want %d", len(got), len(want))
	}
	// a clean big list, and a damaged span of the others starting inside one of its spans
	e[k] = s[k] + 50
	for i := range n {
		spans[i] = Span{s[i], e[i]}
	}
	x = Span{s[k] + 10, s[k] - 1} // ends before span k starts
	if got, want := UnionSpans([][]Span{spans, {x}}), unionParts([][]Span{spans, {x}}, n+1, 1); !slices.Equal(got, want) {
		t.Errorf("UnionSpans, a damaged small span: %d spans, want %d", len(got), len(want))
	}
}
