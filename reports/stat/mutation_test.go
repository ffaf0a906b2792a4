package stat

import (
	"math"
	"testing"
)

// Quantile at the ends of [0, 1]: p = n·q is then 0 or n, integers outside 1 ≤ k < n, so the
// rule takes the ⌈p⌉-th value clamped to the first or last, never a mean with a value past the end.
func TestQuantileEnds(t *testing.T) {
	for _, xs := range [][]int64{{7}, {1, 2}, {1, 2, 3, 4, 5, 6, 7, 8}} {
		if got, want := Quantile(xs, 1), float64(xs[len(xs)-1]); got != want {
			t.Errorf("Quantile(%v, 1) = %v, want the maximum %v", xs, got, want)
		}
		if got, want := Quantile(xs, 0), float64(xs[0]); got != want {
			t.Errorf("Quantile(%v, 0) = %v, want the minimum %v", xs, got, want)
		}
	}
}

// Even-length medians of values near the int64 limit: the middle two are averaged in float64,
// not summed as int64 (which would overflow), by Summarize, Quantile and Median alike.
func TestEvenMedianNearInt64Limit(t *testing.T) {
	const m = math.MaxInt64
	cases := []struct {
		in   []int64
		want float64
	}{
		{[]int64{m, m - 1}, (float64(m) + float64(m-1)) / 2},
		{[]int64{m - 4, m, m - 2, m - 6}, (float64(m-4) + float64(m-2)) / 2},
		{[]int64{math.MinInt64, math.MinInt64 + 2}, float64(math.MinInt64 + 1)},
		{[]int64{math.MinInt64, m}, 0}, // float64(MinInt64) = -2^63, float64(MaxInt64) = 2^63
	}
	for _, c := range cases {
		if got := Summarize(append([]int64(nil), c.in...)).Med; got != c.want {
			t.Errorf("Summarize(%v).Med = %v, want %v", c.in, got, c.want)
		}
		if got := Median(append([]int64(nil), c.in...)); got != c.want {
			t.Errorf("Median(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

// RoundSQLite342 where the 15-digit rendering has no room left for the rounding digit (1e14
// renders with no decimals, 2e15 with fewer digits than its integer part), and a zero that must
// stay +0 (a -0 would print as "-0.0" in a share column).
func TestRoundEdges(t *testing.T) {
	for _, c := range []struct {
		x    float64
		n    int
		want float64
	}{
		{1e14, 0, 1e14}, {1e14 + 1, 0, 1e14 + 1}, {2e15, 1, 2e15}, {123, 12, 123}, {-123.5, 0, -124},
		{1e15 + 0.5, 0, 1e15}, // rendered with 15 significant digits, the .5 is gone
	} {
		if got := RoundSQLite342(c.x, c.n); got != c.want {
			t.Errorf("RoundSQLite342(%v, %d) = %v, want %v", c.x, c.n, got, c.want)
		}
	}
	for _, f := range []func(float64, int) float64{Round, RoundSQLite342} {
		if z := f(0, 1); z != 0 || math.Signbit(z) {
			t.Errorf("round(0, 1) = %v (sign bit %v), want +0", z, math.Signbit(z))
		}
	}
	if p := Percent(0, 7); math.Signbit(p) || PyFloat(p) != "0.0" {
		t.Errorf("Percent(0, 7) = %v", PyFloat(p))
	}
}
