package trace

import (
	"math"
	"testing"
)

// A sparse index keeps its keys as 32-bit offsets from the process's first id: correlation ids
// are 32-bit (CorrIDs), so they span less than 2^32 even from the most negative to the most
// positive. Every id is found, the ones at both ends included (NULL, Null32, is an id like the
// others, as SQL's join on equal values would not take it but nsys's never meets one); ids just
// past the ends, and ids outside 32 bits, are not.
func TestCallIndexNarrowKeys(t *testing.T) {
	p := int64(0x1_000100_000000)
	for _, ids := range [][]int64{
		{7, 7 + 1000, 7 + 1<<30},
		{-(1<<31 - 1), 5, 1<<31 - 1},
		{int64(Null32), 0, math.MaxInt32},
		{-5, 3, 1<<31 - 6},
	} {
		a := &APICalls{}
		for _, id := range ids {
			a.GlobalTID, a.CorrID = append(a.GlobalTID, p|0x100), append(a.CorrID, int32(id))
		}
		x := NewCallIndex(a)
		if x.procs[0].calls.rows != nil {
			t.Fatalf("%v indexed densely: the case tests nothing", ids)
		}
		for row, id := range ids {
			if got := x.Call(p, id); got != row {
				t.Errorf("%v: Call(%d) = %d, want %d", ids, id, got, row)
			}
		}
		first, last := ids[0], ids[len(ids)-1]
		for _, id := range []int64{first - 1, last + 1, first + 1<<32, last - 1, first - 1<<32, math.MinInt64, math.MaxInt64} {
			if got := x.Call(p, id); got != -1 {
				t.Errorf("%v: Call(%d) = %d, want -1", ids, id, got)
			}
		}
	}
}
