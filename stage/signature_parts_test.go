package stage

import (
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/omnistat/omnistat/trace"
)

// Over 1<<15 kernels the signatures are summed in parallel parts: they equal a plain loop over
// every kernel (three processes, one not asked for, kernels in runs and interleaved, two GPUs).
func TestSignaturesInPartsEqualOneLoop(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	pids := []int64{0x1_000064_000000, 0x1_000065_000000, 0x1_000066_000000}
	names := []string{"ampere_sgemm_128x64", "vectorized_elementwise_kernel", "flash_fwd_kernel", "reduce_kernel"}
	ids := []int64{0, 1, 2, 3}
	tr := &trace.Trace{Strings: trace.NewStrings(ids, names)}
	k := &tr.Kernels
	now := int64(0)
	for len(k.Start) < 100_000 {
		pid := pids[rng.IntN(len(pids))]
		for range 1 + rng.IntN(40) { // a run of one process
			d := int64(1 + rng.IntN(1000))
			k.Start = append(k.Start, now)
			k.End = append(k.End, now+d)
			k.GlobalPID = k.GlobalPID.Append(pid)
			k.Short = append(k.Short, int32(ids[rng.IntN(len(ids))]))
			k.Device = k.Device.Append(int64(rng.IntN(2)))
			now += int64(rng.IntN(500))
		}
	}
	asked := pids[:2]
	got := signatures(tr, asked)
	for _, p := range asked {
		want := &Signature{Kernels: map[string]int64{}, FirstGPU: 1<<63 - 1}
		for i := range k.Start {
			if k.GlobalPID.At(i) != p {
				continue
			}
			d := k.End[i] - k.Start[i]
			want.Kernels[names[k.Short[i]]] += d
			want.KernelNs += d
			want.FirstGPU = min(want.FirstGPU, k.Start[i])
			if !slices.Contains(want.GPUs, k.Device.At(i)) {
				want.GPUs = append(want.GPUs, k.Device.At(i))
			}
		}
		slices.Sort(want.GPUs)
		g := got[p]
		if g.KernelNs != want.KernelNs || g.FirstGPU != want.FirstGPU || !slices.Equal(g.GPUs, want.GPUs) || !maps.Equal(g.Kernels, want.Kernels) {
			t.Errorf("process %x: got %d ns, first %d, GPUs %v, kernels %v; want %d, %d, %v, %v", p,
				g.KernelNs, g.FirstGPU, g.GPUs, g.Kernels, want.KernelNs, want.FirstGPU, want.GPUs, want.Kernels)
		}
	}
	if _, ok := got[pids[2]]; ok {
		t.Error("a process not asked for has a signature")
	}
}
