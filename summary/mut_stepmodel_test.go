package summary

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/omnistat/omnistat/reports/stat"
	"github.com/omnistat/omnistat/trace"
)

// A step's time is its duration, or the part inside the filter's window.
func TestMutStepTime(t *testing.T) {
	st := Step{Start: 10, End: 30}
	if d := (&Steps{}).timeOf(st); d != 20 {
		t.Errorf("no window: %d, want 20", d)
	}
	if d := (&Steps{window: &trace.Span{Start: 15, End: 25}}).timeOf(st); d != 10 {
		t.Errorf("window 15–25: %d, want 10", d)
	}
}

// The steady state starts with the first step after the warm-up; without a warm-up, or when
// every step is warm-up (no steady step), the whole trace is steady.
func TestMutSteadyStart(t *testing.T) {
	inst := []Step{{Start: 0, End: 10}, {Start: 20, End: 30}}
	for _, c := range []struct {
		warm int
		want int64
	}{{0, math.MinInt64}, {1, 20}, {2, math.MinInt64}} {
		if got := (&Steps{Count: 2, Warmup: c.warm, Instances: inst}).SteadyStart(); got != c.want {
			t.Errorf("%d warm-up steps: %d, want %d", c.warm, got, c.want)
		}
	}
	if got := (*Steps)(nil).SteadyStart(); got != math.MinInt64 {
		t.Errorf("nil: %d", got)
	}
}

// The warm-up is judged from MinWarmupSteps (4) steps on: on 4 steps, 100 ns then three of 1 ns
// (reference: the median of the second half, 1 ns) start with one warm-up step; on 3, none.
func TestMutWarmupFromFourSteps(t *testing.T) {
	mk := func(ds ...int64) []Step {
		var out []Step
		var at int64
		for _, d := range ds {
			out = append(out, Step{Start: at, End: at + d})
			at += 1000
		}
		return out
	}
	if w := Warmup(mk(100, 1, 1, 1), false); w != 1 {
		t.Errorf("4 steps: %d warm-up, want 1", w)
	}
	if w := Warmup(mk(100, 1, 1), false); w != 0 {
		t.Errorf("3 steps: %d warm-up, want 0", w)
	}
}

// stepSpans: the steps from the steady start on (the first starts exactly there), overlapping
// ones joined, steps apart kept apart. (Whether steps that only touch are joined is left open:
// every reader sums lengths or reads the first start and last end, which it does not change.)
func TestMutStepSpans(t *testing.T) {
	s := Steps{Count: 5, Instances: []Step{{Start: 0, End: 90}, {Start: 100, End: 200}, {Start: 150, End: 300}, {Start: 400, End: 500}, {Start: 600, End: 650}}}
	if got, want := s.stepSpans(100), sp(100, 300, 400, 500, 600, 650); !slices.Equal(got, want) {
		t.Errorf("from 100: %v, want %v", got, want)
	}
	if got, want := s.stepSpans(math.MinInt64), sp(0, 90, 100, 300, 400, 500, 600, 650); !slices.Equal(got, want) {
		t.Errorf("no warm-up: %v, want %v", got, want)
	}
}

// medianP90 reads the median off the sorted steps: the same value stat.Median selects, and the
// nearest-rank 90th percentile, on random step times of odd and even counts (near the int64
// limits too, where the mean of the two middle values must not overflow).
func TestMedianP90AgainstSelect(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	ns := []int{4095, 4096, 4097, 70000, 70001} // the radix sort's lengths
	for n := 1; n < 300; n++ {
		ns = append(ns, n)
	}
	for _, n := range ns {
		for _, span := range []int64{3, 1 << 20, math.MaxInt64} {
			xs := make([]int64, n)
			for i := range xs {
				xs[i] = r.Int64N(span)
				if span == math.MaxInt64 && r.IntN(2) == 0 {
					xs[i] = math.MaxInt64 - r.Int64N(4)
				}
			}
			in := slices.Clone(xs)
			med, p90 := medianP90(xs)
			if !slices.Equal(xs, in) {
				t.Fatalf("n=%d: medianP90 changed its input", n)
			}
			sorted := slices.Clone(xs)
			slices.Sort(sorted)
			want := stat.Median(slices.Clone(xs))
			if med != want || p90 != sorted[int(math.Ceil(0.9*float64(n)))-1] {
				t.Fatalf("n=%d span %d: median %v p90 %d, want %v and %d", n, span, med, p90, want, sorted[int(math.Ceil(0.9*float64(n)))-1])
			}
		}
	}
}
