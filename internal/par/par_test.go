package par

import (
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
