package summary

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/omnistat/omnistat/trace"
)

// kernelDurations, in parallel parts on a table past their threshold, keeps the kernels a row by
// row walk keeps (started in the steady window, launched outside a graph: graph node NULL or 0),
// in row order, and sums them.
func TestKernelDurationsRowByRow(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 71))
	for _, n := range []int{0, 5, 1<<18 + 333} {
		var k trace.Kernels
		for i := range n {
			s := rng.Int64N(1_000_000)
			k.Start = append(k.Start, s)
			k.End = append(k.End, s+rng.Int64N(5_000))
			g := []int64{trace.Null, 0, 7}[rng.IntN(3)]
			if i%2 == 0 {
				g = trace.Null
			}
			k.GraphNodeID = append(k.GraphNodeID, g)
		}
		for _, from := range []int64{0, 400_000} {
			j := &judge{tr: &trace.Trace{Kernels: k}, from: from}
			var want []int64
			var sum int64
			for i := range n {
				if g := k.GraphNodeID[i]; k.Start[i] >= from && (g == trace.Null || g == 0) {
					want = append(want, k.End[i]-k.Start[i])
					sum += k.End[i] - k.Start[i]
				}
			}
			got, gotSum := j.kernelDurations()
			if !slices.Equal(got, want) || gotSum != sum {
				t.Fatalf("n=%d from %d: %d durations summing to %d, want %d summing to %d", n, from, len(got), gotSum, len(want), sum)
			}
		}
	}
}
