package par

import (
	"runtime"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
)

func TestGroupCarriesPanic(t *testing.T) {
	var g Group
	var n atomic.Int32
	for i := range 8 {
		g.Go(func() {
			n.Add(1)
			if i == 5 {
				var xs []int
				_ = xs[i] // index out of range
			}
		})
	}
	defer func() {
		r := recover()
		p, ok := r.(Panic)
		if !ok || !strings.Contains(p.String(), "index out of range") || !strings.Contains(string(p.Stack), "par_test.go") || n.Load() != 8 {
			t.Fatalf("recovered %v (%T) after %d functions", r, r, n.Load())
		}
	}()
	g.Wait()
	t.Fatal("Wait returned without the panic")
}

func TestGroupNoPanic(t *testing.T) {
	var g Group
	var n atomic.Int32
	for range 4 {
		g.Go(func() { n.Add(1) })
	}
	g.Wait()
	if n.Load() != 4 {
		t.Fatal(n.Load())
	}
}

func TestForCoversEachIndexOnce(t *testing.T) {
	for _, n := range []int{0, 1, 1<<15 - 1, 1 << 15, 100_003, 1 << 20} {
		seen := make([]int32, n)
		var parts atomic.Int32
		For(n, func(lo, hi int) {
			parts.Add(1)
			for i := lo; i < hi; i++ {
				seen[i]++
			}
		})
		for i, s := range seen {
			if s != 1 {
				t.Fatalf("n=%d: index %d seen %d times", n, i, s)
			}
		}
		if n < 1<<15 && parts.Load() != 1 {
			t.Fatalf("n=%d: %d parts for a small range", n, parts.Load())
		}
	}
}

// ForParts numbers its parts 0…parts-1 in index order, each part the cut p*n/parts to
// (p+1)*n/parts, and two calls cut alike: what a counting pass finds per part, a second finds
// again.
func TestForPartsNumbersPartsInOrder(t *testing.T) {
	for _, c := range []struct{ n, parts int }{{0, 1}, {10, 1}, {10, 2}, {10, 3}, {100_003, 4}, {7, 7}} {
		seen := make([]int, c.n)
		los := make([]int, c.parts)
		his := make([]int, c.parts)
		ForParts(c.n, c.parts, func(p, lo, hi int) {
			los[p], his[p] = lo, hi
			for i := lo; i < hi; i++ {
				seen[i] = p + 1
			}
		})
		for p := range c.parts {
			if los[p] != p*c.n/c.parts || his[p] != (p+1)*c.n/c.parts {
				t.Fatalf("n=%d parts=%d: part %d is [%d,%d)", c.n, c.parts, p, los[p], his[p])
			}
		}
		for i, s := range seen {
			if want := 1; c.parts > 1 {
				want = sort.Search(c.parts, func(p int) bool { return (p+1)*c.n/c.parts > i }) + 1
				if s != want {
					t.Fatalf("n=%d parts=%d: index %d in part %d, want %d", c.n, c.parts, i, s-1, want-1)
				}
			} else if s != want {
				t.Fatalf("n=%d: index %d seen by part %d", c.n, i, s-1)
			}
		}
	}
	if Parts(1<<15-1) != 1 || Parts(0) != 1 {
		t.Fatal("a small range is cut")
	}
	if want := min(runtime.GOMAXPROCS(0), (1<<15)>>13); want > 1 && Parts(1<<15) != want {
		t.Fatalf("Parts(1<<15) = %d, want %d: the smallest range cut", Parts(1<<15), want)
	}
	if want := min(runtime.GOMAXPROCS(0), (1<<20)>>13); want > 1 && Parts(1<<20) != want {
		t.Fatalf("Parts(1<<20) = %d, want %d", Parts(1<<20), want)
	}
}

func TestForCarriesPanic(t *testing.T) {
	defer func() {
		if _, ok := recover().(Panic); !ok {
			t.Fatal("no Panic from a part")
		}
	}()
	For(1<<20, func(lo, hi int) {
		if lo > 0 {
			panic("part")
		}
	})
	if runtime.GOMAXPROCS(0) > 1 {
		t.Fatal("For returned without the panic")
	}
	panic(Panic{Value: "single part"})
}

// Counters gives n zeroed counters in an allocation of at least 128 bytes.
func TestCounters(t *testing.T) {
	for _, n := range []int{0, 1, 3, 16, 40} {
		c := Counters(n)
		if len(c) != n || cap(c) < 16 || cap(c) < n {
			t.Fatalf("Counters(%d): len %d, cap %d", n, len(c), cap(c))
		}
		for _, v := range c {
			if v != 0 {
				t.Fatalf("Counters(%d) not zeroed", n)
			}
		}
	}
}
