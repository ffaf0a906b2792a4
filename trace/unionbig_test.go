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
	}
}
