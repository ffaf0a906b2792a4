package reports

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/omnistat/omnistat/reports/stat"
)

// Groups of a large table are summarized concurrently: each summary equals stat.Summarize of
// that group's values alone, in the group's place.
func TestSummarizeGroupsConcurrently(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 1))
	var groups []*group
	var want []stat.Summary
	for _, n := range []int{70_000, 1, 0, 12_345, 3, 40_000} {
		vals := make([]int64, n)
		for i := range vals {
			vals[i] = rng.Int64N(1 << 40)
		}
		groups = append(groups, &group{vals: slices.Clone(vals)})
		want = append(want, stat.Summarize(vals))
	}
	got := summarizeGroups(groups)
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("group %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}
