package reports

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/omnistat/omnistat/reports/stat"
	"github.com/omnistat/omnistat/trace"
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

// groupByID equals grouping with a map: ids under the bound (dense), above it, negative and
// Null (sparse), rows left out; groups in first-seen order, values in row order.
func TestGroupByIDEqualsMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 2))
	idsOf := []int64{3, 0, 99, 1 << 40, -5, trace.Null, 7}
	n := 5000
	id := make([]int64, n)
	keep := make([]bool, n)
	for i := range id {
		id[i], keep[i] = idsOf[rng.IntN(len(idsOf))], rng.IntN(4) != 0
	}
	g := groupByID(n, 10, func(i int) (int64, bool) { return id[i], keep[i] }, func(i int) int64 { return int64(i) })
	var order []int64
	want := map[int64][]int64{}
	for i := range id {
		if !keep[i] {
			continue
		}
		if _, ok := want[id[i]]; !ok {
			order = append(order, id[i])
		}
		want[id[i]] = append(want[id[i]], int64(i))
	}
	if !slices.Equal(g.ids, order) {
		t.Fatalf("ids %v, want %v", g.ids, order)
	}
	for k, v := range g.ids {
		if !slices.Equal(g.values(k), want[v]) {
			t.Errorf("id %d: %d values, want %d", v, len(g.values(k)), len(want[v]))
		}
	}
}
