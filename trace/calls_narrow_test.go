package trace

import (
	"math"
	"testing"
)

// A sparse index keeps its keys as 32-bit offsets from the process's first id: correlation ids
// are 32-bit (CorrIDs), so they span less than 2^32 even from the most negative to the most
// positive. Every id is found, the ones at both ends included; ids just past the ends, and ids
// outside 32 bits, are not.
func TestCallIndexNarrowKeys(t *testing.T) {
	p := int64(0x1_000100_000000)
	for _, ids := range [][]int64{
		{7, 7 + 1000, 7 + 1<<30},
		{-(1<<31 - 1), 5, 1<<31 - 1},
		{int64(Null32) + 1, 0, math.MaxInt32},
		{-5, 3, 1<<31 - 6},
	} {
		a := &APICalls{}
		for _, id := range ids {
			a.GlobalTID, a.CorrID = a.GlobalTID.Append(p|0x100), append(a.CorrID, int32(id))
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

// A call whose correlation id is NULL (Null32) is not indexed and a NULL id finds nothing, as in
// SQL's join on equal ids: an operation with a NULL id has no launching call, and calls with
// NULL ids neither hide nor move the others (the index stays dense over ids 1…3).
func TestCallIndexNullIDs(t *testing.T) {
	p, q := int64(0x1_000100_000000), int64(0x1_000200_000000)
	a := &APICalls{GlobalTID: CodesOf([]int64{p, p, p, p, q}), CorrID: CorrIDs{Null32, 1, Null32, 3, Null32}}
	x := NewCallIndex(a)
	if pc := x.find(p); pc == nil || pc.rows == nil || pc.base != 1 {
		t.Fatalf("process p: %+v, want a dense index from 1", pc)
	}
	if x.find(q) != nil {
		t.Error("a process whose calls all have NULL ids is indexed")
	}
	for _, c := range []struct {
		g, corr int64
		want    int
	}{{p, 1, 1}, {p, 3, 3}, {p, 2, -1}, {p, int64(Null32), -1}, {p, Null, -1}, {q, int64(Null32), -1}} {
		if got := x.Call(c.g, c.corr); got != c.want {
			t.Errorf("Call(%x, %d) = %d, want %d", c.g, c.corr, got, c.want)
		}
	}
	if x.Dups() {
		t.Error("two NULL ids counted as a repeated id")
	}
}
