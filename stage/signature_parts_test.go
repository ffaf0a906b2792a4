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

// A process without GPU work starts at its first call: over 1<<15 calls in runs of three
// processes' threads (two without GPU work, one with), found in parallel parts, against the
// smallest start of each process's calls; the process with kernels keeps its first kernel.
func TestIdleFirstCallInParts(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 11))
	pids := []int64{0x1_000070_000000, 0x1_000071_000000, 0x1_000072_000000}
	tr := &trace.Trace{Strings: trace.NewStrings([]int64{0}, []string{"k"})}
	k, rt := &tr.Kernels, &tr.Runtime
	k.Start, k.End, k.Short = []int64{5_000_000}, []int64{5_000_010}, []int32{0}
	k.GlobalPID, k.Device = k.GlobalPID.Append(pids[2]), k.Device.Append(0)
	want := map[int64]int64{pids[0]: 1<<63 - 1, pids[1]: 1<<63 - 1}
	for rt.Len() < 100_000 {
		pid := pids[rng.IntN(len(pids))]
		for range 1 + rng.IntN(30) {
			s := 1_000 + rng.Int64N(10_000_000) // starts out of order: the smallest is the first
			rt.Start, rt.End = append(rt.Start, s), append(rt.End, s+5)
			rt.GlobalTID = rt.GlobalTID.Append(pid | int64(1+rng.IntN(2)))
			if _, ok := want[pid]; ok {
				want[pid] = min(want[pid], s)
			}
		}
	}
	got := signatures(tr, pids)
	for p, w := range want {
		if got[p].FirstGPU != w {
			t.Errorf("process %x: first call %d, want %d", p, got[p].FirstGPU, w)
		}
	}
	if got[pids[2]].FirstGPU != 5_000_000 {
		t.Errorf("the process with a kernel: first %d, want its kernel's start", got[pids[2]].FirstGPU)
	}
}
