package par

import (
	"runtime"
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
