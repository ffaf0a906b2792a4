package trace

import (
	"math"
	"testing"
)

// A sparse index keeps its keys in 32 bits when the ids of a process span less than 2^32 (at
// most math.MaxUint32 from the first): every id is still found, the ones at both ends of the
// span included, and ids just past it are not. Ids spanning more keep 64-bit keys, also when
// the span crosses zero (the last id plus the first is small, the last minus the first is not);
// ids far apart on both sides of zero are indexed sparsely (a dense slice would span them all).
func TestCallIndexNarrowKeys(t *testing.T) {
	p := int64(0x1_000100_000000)
	for _, c := range []struct {
		ids    []int64
		narrow bool
	}{
		{[]int64{7, 7 + 1000, 7 + math.MaxUint32}, true},
		{[]int64{-(1<<31 + 1), 5, 1 << 32}, false},
		{[]int64{-5, 3, 1<<32 - 6}, true},
		{[]int64{-(1 << 40), 0, 1 << 40}, false}, // ids across zero, far apart: never a dense slice of 2^41
	} {
		a := &APICalls{}
		for _, id := range c.ids {
			a.GlobalTID, a.CorrID = append(a.GlobalTID, p|0x100), append(a.CorrID, id)
		}
		x := NewCallIndex(a)
		pc := x.procs[0].calls
		if pc.rows != nil {
			t.Fatalf("%v indexed densely: the case tests nothing", c.ids)
		}
		if (pc.keys32 != nil) != c.narrow {
			t.Errorf("%v: 32-bit keys %v, want %v", c.ids, pc.keys32 != nil, c.narrow)
		}
		for row, id := range c.ids {
			if got := x.Call(p, id); got != row {
				t.Errorf("%v: Call(%d) = %d, want %d", c.ids, id, got, row)
			}
		}
		first, last := c.ids[0], c.ids[len(c.ids)-1]
		for _, id := range []int64{first - 1, last + 1, first + 1<<32, last - 1} {
			if got := x.Call(p, id); got != -1 {
				t.Errorf("%v: Call(%d) = %d, want -1", c.ids, id, got)
			}
		}
	}
}
