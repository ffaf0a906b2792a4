package reports

import (
	"math"
	"math/rand/v2"
	"reflect"
	"runtime"
	"testing"
)

// groupDurations gives what groupByID gives for rows grouped by an id column with their
// durations (groups in order of first appearance, each group's values in row order, 32 bits
// when every value fits), at 1 to 8 parts, and declines ids groupByID keeps in its map.
func TestGroupDurationsAgainstGroupByID(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 12))
	for _, procs := range []int{1, 2, 3, 8} {
		old := runtime.GOMAXPROCS(procs)
		for round := range 12 {
			n := []int{0, 1, 100, 1 << 15, 70_000, 200_000}[round%6]
			bound := 50 + round*7
			ids, start, end := make([]int32, n), make([]int64, n), make([]int64, n)
			for i := range n {
				ids[i] = int32(rng.IntN(bound - 10)) // some ids never appear
				if round%4 == 3 && i%5000 == 0 {
					ids[i] = int32(bound - 1) // a late first appearance
				}
				start[i] = rng.Int64N(1 << 40)
				end[i] = start[i] + rng.Int64N(1<<20)
				if round%3 == 2 && i == n/2 {
					end[i] = start[i] + math.MaxInt32 + 1 // a value past 32 bits
				}
			}
			want := groupByID(n, bound, func(i int) (int64, bool) { return int64(ids[i]), true }, func(i int) int64 { return end[i] - start[i] })
			got := groupDurations(ids, start, end, bound)
			if got == nil || !reflect.DeepEqual(got.ids, want.ids) || !reflect.DeepEqual(got.vals, want.vals) || !reflect.DeepEqual(got.vals32, want.vals32) {
				t.Fatalf("procs %d, round %d (%d rows): groups differ", procs, round, n)
			}
		}
		for _, bad := range []int32{-1, 50} { // NULL-like and past the bound: groupByID's map
			ids := make([]int32, 40_000)
			ids[len(ids)-1] = bad
			if g := groupDurations(ids, make([]int64, len(ids)), make([]int64, len(ids)), 50); g != nil {
				t.Errorf("procs %d: id %d grouped", procs, bad)
			}
		}
		runtime.GOMAXPROCS(old)
	}
}
