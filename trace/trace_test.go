package trace

import (
	"math/rand/v2"
	"testing"
)

// FuzzGlobalTID: PID and TID decode what the serialized id holds, and ProcessOf keeps the
// process and machine parts (nsys's globalTid & 0xFFFFFFFFFF000000).
func FuzzGlobalTID(f *testing.F) {
	f.Add(int64(0x1_069bd0_069bd0))
	f.Add(int64(0x1_000000_000001))
	f.Add(int64(-1))
	f.Fuzz(func(t *testing.T, g int64) {
		pid, tid := PID(g), TID(g)
		if pid < 0 || pid > 0xFFFFFF || tid < 0 || tid > 0xFFFFFF {
			t.Fatalf("PID %d TID %d out of range for %x", pid, tid, g)
		}
		p := ProcessOf(g)
		if TID(p) != 0 || PID(p) != pid || p|tid != g {
			t.Fatalf("ProcessOf(%x) = %x", g, p)
		}
		if ProcessKey(g) != (pid << 24) {
			t.Fatalf("ProcessKey(%x) = %x", g, ProcessKey(g))
		}
	})
}

func TestGlobalTID(t *testing.T) {
	g := int64(0x1_069bd0_069bd1) // observed layout: machine 1, PID 433104, TID 433105
	if PID(g) != 433104 || TID(g) != 433105 || ProcessOf(g) != 0x1_069bd0_000000 {
		t.Errorf("decoded %d %d %x", PID(g), TID(g), ProcessOf(g))
	}
}

func TestStrings(t *testing.T) {
	dense := NewStrings([]int64{0, 1, 2}, []string{"a", "b", "c"})
	sparse := NewStrings([]int64{5, 331886}, []string{"x", "y"})
	if v, ok := dense.Lookup(1); !ok || v != "b" || dense.Get(7) != "" || dense.Len() != 3 {
		t.Errorf("dense: %q %v", v, ok)
	}
	if v, ok := sparse.Lookup(331886); !ok || v != "y" || sparse.Get(6) != "" || sparse.Len() != 2 {
		t.Errorf("sparse: %q %v", v, ok)
	}
}

func TestCallIndex(t *testing.T) {
	p1, p2 := int64(0x1_000100_000000), int64(0x1_000200_000000)
	a := &APICalls{
		GlobalTID: CodesOf([]int64{p1 | 0x100, p1 | 0x101, p2 | 0x200, p2 | 0x200, p2 | 0x200}),
		CorrID:    CorrIDs{5, 6, 10, 1 << 30, 10}, // process 2 is sparse, and repeats id 10
	}
	x := NewCallIndex(a)
	for _, c := range []struct {
		gpid, corr int64
		want       int
	}{{p1, 5, 0}, {p1, 6, 1}, {p1, 7, -1}, {p2, 10, 2}, {p2, 1 << 30, 3}, {p2, 11, -1}, {0x1_000300_000000, 5, -1}} {
		if got := x.Call(c.gpid, c.corr); got != c.want {
			t.Errorf("Call(%x, %d) = %d, want %d", c.gpid, c.corr, got, c.want)
		}
	}
}

// TestCallIndexSparse compares the index with a map on ids too sparse for the dense slice, with
// repeats (the first row wins) and lookups of ids that are absent or out of range.
func TestCallIndexSparse(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	p := int64(0x1_000100_000000)
	a := &APICalls{}
	want := map[int64]int{}
	for i := 0; i < 50000; i++ {
		c := 1000 + rng.Int64N(5_000_000)
		a.GlobalTID, a.CorrID = a.GlobalTID.Append(p|0x100), append(a.CorrID, int32(c))
		if _, ok := want[c]; !ok {
			want[c] = i
		}
	}
	x := NewCallIndex(a)
	if x.procs[0].calls.rows != nil {
		t.Fatal("ids 100 apart on average were indexed densely: the case tests nothing")
	}
	for c := int64(0); c < 5_001_100; c += 1 + rng.Int64N(7) {
		w, ok := want[c]
		if !ok {
			w = -1
		}
		if got := x.Call(p, c); got != w {
			t.Fatalf("Call(%d) = %d, want %d", c, got, w)
		}
	}
	for c := range want {
		if got := x.Call(p, c); got != want[c] {
			t.Fatalf("Call(%d) = %d, want %d", c, got, want[c])
		}
	}
}

// TestCallIndexSparseSorted covers sparse ids that arrive in order (no sort needed), with a repeat.
func TestCallIndexSparseSorted(t *testing.T) {
	p := int64(0x1_000100_000000)
	a := &APICalls{}
	for i := 0; i < 1000; i++ {
		a.GlobalTID, a.CorrID = a.GlobalTID.Append(p), append(a.CorrID, int32(int64(i/2)*1000))
	}
	x := NewCallIndex(a)
	if x.procs[0].calls.rows != nil {
		t.Fatal("indexed densely: the case tests nothing")
	}
	for c, want := range map[int64]int{0: 0, 1000: 2, 499000: 998, 500: -1, 499001: -1, -5: -1, 600000: -1} {
		if got := x.Call(p, c); got != want {
			t.Errorf("Call(%d) = %d, want %d", c, got, want)
		}
	}
}

// TestCallIndexExtremeIDs: ids at both ends of int32 (a damaged export) index without overflow;
// lookups of ids outside 32 bits find nothing.
func TestCallIndexExtremeIDs(t *testing.T) {
	p := int64(0x1_000100_000000)
	a := &APICalls{GlobalTID: CodesOf([]int64{p, p, p}), CorrID: CorrIDs{-1<<31 + 1, 1<<31 - 1, 0}}
	x := NewCallIndex(a)
	for c, want := range map[int64]int{-1<<31 + 1: 0, 1<<31 - 1: 1, 0: 2, 1: -1, -1: -1, -1 << 63: -1, 1<<63 - 1: -1, 1 << 31: -1, -1 << 31: -1} {
		if got := x.Call(p, c); got != want {
			t.Errorf("Call(%d) = %d, want %d", c, got, want)
		}
	}
}

// TestReorderKeepsCallIndex: after Reorder the trace's call index (moved along with the rows,
// or rebuilt when ids repeat) answers exactly as an index built from the reordered rows, for
// dense and sparse ids in three processes, with and without repeated ids.
func TestReorderKeepsCallIndex(t *testing.T) {
	for _, c := range []struct {
		name   string
		spread int64
		repeat bool
	}{{"dense", 1, false}, {"sparse", 100, false}, {"dense repeats", 1, true}, {"sparse repeats", 100, true}} {
		rng := rand.New(rand.NewPCG(7, uint64(c.spread)))
		tr := &Trace{}
		a := &tr.Runtime
		var groups []int32
		for i := 0; i < 30000; i++ {
			p := int64(1+rng.IntN(3)) << 24
			corr := int64(i)*c.spread + rng.Int64N(c.spread)
			if c.repeat && i%1000 == 999 {
				corr = int64(a.CorrID[i-500])
				p = ProcessOf(a.GlobalTID.At(i - 500))
			}
			a.GlobalTID, a.CorrID = a.GlobalTID.Append(p|int64(rng.IntN(4))), append(a.CorrID, int32(corr))
			a.Start, a.End = append(a.Start, int64(i)), append(a.End, int64(i+1))
			groups = append(groups, int32(rng.IntN(3)))
		}
		before := tr.Calls()
		if before.dups != c.repeat {
			t.Fatalf("%s: dups %v", c.name, before.dups)
		}
		tr.Reorder(&Groups{Runtime: groups})
		got, want := tr.Calls(), NewCallIndex(&tr.Runtime)
		if (got == before) == c.repeat {
			t.Errorf("%s: index kept %v, want kept only without repeated ids", c.name, got == before)
		}
		for i := range a.CorrID {
			g := ProcessOf(a.GlobalTID.At(i))
			if x, y := got.Call(g, int64(a.CorrID[i])), want.Call(g, int64(a.CorrID[i])); x != y {
				t.Fatalf("%s: Call(%x, %d) = %d, rebuilt index says %d", c.name, g, a.CorrID[i], x, y)
			}
		}
	}
}
