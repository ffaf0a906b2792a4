package reports

import (
	"math/rand/v2"
	"testing"

	"github.com/omnistat/omnistat/trace"
)

// callsPerKernel counts, for each kernel, the API rows of its process with its correlation id,
// as a map over every row does: processes with dense ids, with ids far apart (the map), ids that
// repeat, a NULL id, kernels of a process or id no row has.
func TestCallsPerKernelAgainstMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 71))
	for round := range 30 {
		tr := &trace.Trace{}
		pids := []int64{0x1_000010_000000, 0x1_000020_000000, 0x1_000030_000000}
		for i := range 2000 + round*100 {
			p := pids[rng.IntN(2)]
			c := int32(rng.IntN(1500))
			if p == pids[1] && round%2 == 1 {
				c = int32(rng.Int64N(1 << 30)) // ids far apart: counted in a map
			}
			if i%97 == 0 && round%3 == 2 {
				c = trace.Null32 // a NULL id: the range then spans 2³¹ ids, a map
			}
			tr.Runtime.GlobalTID = tr.Runtime.GlobalTID.Append(p | int64(1+i%3))
			tr.Runtime.CorrID = append(tr.Runtime.CorrID, c)
		}
		ends := map[int64][2]int32{} // each process's lowest and highest id, repeated
		for _, p := range pids[:2] {
			lo, hi := int32(1<<31-1), int32(-1<<31)
			for i, c := range tr.Runtime.CorrID {
				if trace.ProcessOf(tr.Runtime.GlobalTID.At(i)) == p {
					lo, hi = min(lo, c), max(hi, c)
				}
			}
			ends[p] = [2]int32{lo, hi}
			for _, c := range []int32{lo, lo, hi, hi} {
				tr.Runtime.GlobalTID = tr.Runtime.GlobalTID.Append(p | 1)
				tr.Runtime.CorrID = append(tr.Runtime.CorrID, c)
			}
		}
		type key struct{ pid, corr int64 }
		want := map[key]int{}
		for i := range tr.Runtime.GlobalTID.Len() {
			want[key{trace.ProcessOf(tr.Runtime.GlobalTID.At(i)), int64(tr.Runtime.CorrID[i])}]++
		}
		for range 3000 {
			p := pids[rng.IntN(3)]
			c := tr.Runtime.CorrID[rng.IntN(len(tr.Runtime.CorrID))]
			if rng.IntN(4) == 0 {
				c = int32(rng.IntN(1 << 20))
			}
			tr.Kernels.GlobalPID = tr.Kernels.GlobalPID.Append(p)
			tr.Kernels.CorrID = append(tr.Kernels.CorrID, c)
		}
		for _, p := range pids[:2] { // the ends of each process's range, and just past them
			lo, hi := ends[p][0], ends[p][1]
			for _, c := range []int32{lo, hi, hi + 1, lo - 1} {
				tr.Kernels.GlobalPID = tr.Kernels.GlobalPID.Append(p)
				tr.Kernels.CorrID = append(tr.Kernels.CorrID, c)
			}
		}
		mult := callsPerKernel(tr)
		for k := range tr.Kernels.CorrID {
			w := max(1, want[key{tr.Kernels.GlobalPID.At(k), int64(tr.Kernels.CorrID[k])}])
			if got := mult(k); got != w {
				t.Fatalf("round %d, kernel %d: %d calls, want %d", round, k, got, w)
			}
		}
	}
}
