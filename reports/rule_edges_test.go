package reports

import (
	"testing"

	"github.com/omnistat/omnistat/trace"
)

// gpu_gaps keeps a gap longer than gap= milliseconds, strictly (as nsys 2025.3.1 does, though
// its help says "or equal"): 1 ms exactly is no gap at gap=1, 1 ms and 1 ns is.
func TestGPUGapsAtItsThreshold(t *testing.T) {
	g := int64(0x1_000064_000000)
	for _, c := range []struct {
		gap  int64
		rows int
	}{{1_000_000, 0}, {1_000_001, 1}, {999_999, 0}} {
		tr := &trace.Trace{}
		k := &tr.Kernels
		k.Start, k.End = []int64{1000, 2000 + c.gap}, []int64{2000, 3000 + c.gap}
		k.GlobalPID, k.Device, k.Context = []int64{g, g}, []int64{0, 0}, []int64{1, 1}
		_, o, err := LookupRule("gpu_gaps:gap=1")
		if err != nil {
			t.Fatal(err)
		}
		if got := GPUGaps(tr, o); len(got.Rows) != c.rows || c.rows == 1 && got.Rows[0][1].I != c.gap {
			t.Errorf("a gap of %d ns at gap=1: %v, want %d rows", c.gap, got.Rows, c.rows)
		}
	}
}
