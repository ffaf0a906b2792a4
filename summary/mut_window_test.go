package summary

import (
	"math"
	"slices"
	"testing"

	"github.com/omnistat/omnistat/trace"
)

// clipSpans cuts spans to the window: a span across one of its ends is cut there (with the other
// end open too), spans outside it (or only touching it) are dropped, and spans that all lie
// inside come back as they are (the same slice, an empty span included), also when one starts
// exactly at the window's start and one ends exactly at its end.
func TestMutClipSpans(t *testing.T) {
	const lo, hi = math.MinInt64, math.MaxInt64
	for _, c := range []struct {
		name      string
		in        []trace.Span
		w         trace.Span
		want      []trace.Span
		asTheyAre bool
	}{
		{"open end", sp(50, 150, 200, 300), trace.Span{Start: 100, End: hi}, sp(100, 150, 200, 300), false},
		{"open start", sp(50, 150, 200, 300), trace.Span{Start: lo, End: 250}, sp(50, 150, 200, 250), false},
		{"across the start alone", sp(50, 150), trace.Span{Start: 100, End: 1000}, sp(100, 150), false},
		{"across the end alone", sp(50, 150), trace.Span{Start: 0, End: 100}, sp(50, 100), false},
		{"touching the start", sp(50, 100, 120, 130), trace.Span{Start: 100, End: 200}, sp(120, 130), false},
		{"touching the end", sp(120, 130, 200, 250), trace.Span{Start: 100, End: 200}, sp(120, 130), false},
		{"inside, at both ends", sp(100, 120, 150, 150, 180, 200), trace.Span{Start: 100, End: 200}, sp(100, 120, 150, 150, 180, 200), true},
		{"no window", sp(-5, 0, 150, 150, 180, 200), trace.Span{Start: lo, End: hi}, sp(-5, 0, 150, 150, 180, 200), true},
	} {
		in := slices.Clone(c.in)
		got := clipSpans(in, c.w)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
		if same := len(got) > 0 && &got[0] == &in[0]; same != c.asTheyAre {
			t.Errorf("%s: returned as they are %v, want %v", c.name, same, c.asTheyAre)
		}
	}
}
