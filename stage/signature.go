package stage

import (
	"cmp"
	"maps"
	"slices"
	"sync"

	"github.com/omnistat/omnistat/internal/par"
	"github.com/omnistat/omnistat/trace"
)

// Thresholds of the behaviour comparison (docs/summarize.md, "How stages are found").
const (
	// AlikeKernels is the least kernel-time overlap of two processes of one role that makes them
	// replicas: the sum over kernel names of the smaller of their shares of each process's
	// kernel time (1: the same kernels in the same proportions; 0: no kernel in common).
	AlikeKernels = 0.5
	// AlikeRanges is the least Jaccard index of their NVTX range families (names with numbers
	// as N) that makes two processes of one role replicas.
	AlikeRanges = 0.5
)

// Signature is what a process does on the GPU: its kernels, NVTX ranges and GPUs.
type Signature struct {
	Kernels  map[string]int64 // kernel base name → total time (ns)
	Families map[string]int64 // kernel family (gemm, conv, …) → total time
	Ranges   map[string]int64 // NVTX range family (numbers as N) → total time
	GPUs     []int64
	KernelNs int64
	FirstGPU int64 // start of its first GPU operation (its first event when it has none)
}

// signatures computes the signature of every process in procs.
// denseIDs is the most string ids a process's kernel sums keep in a slice (per part of the
// rows) rather than a map.
const denseIDs = 1 << 16

func signatures(tr *trace.Trace, procs []int64) map[int64]*Signature {
	out := map[int64]*Signature{}
	for _, p := range procs {
		out[p] = &Signature{Kernels: map[string]int64{}, Families: map[string]int64{}, Ranges: map[string]int64{}, FirstGPU: 1<<63 - 1}
	}
	type pk struct{ proc, id int64 }
	byID := map[pk]int64{}
	// kernels in parallel parts, each with its own sums (the map of processes is only read),
	// added up afterwards; rows come in runs of one process, whose sums by name id are found
	// once per run
	type procPart struct {
		sig  Signature // KernelNs, FirstGPU and GPUs
		byID map[int32]int64
		// with densely stored strings of at most denseIDs ids, the sums of the ids in range
		// are kept in a slice instead (seen marks the ids met, even at a sum of 0)
		sums []int64
		seen []bool
	}
	k := &tr.Kernels
	bound := tr.Strings.Bound()
	var mu sync.Mutex
	var parts []map[int64]*procPart
	par.For(k.Len(), func(lo, hi int) {
		procs := map[int64]*procPart{}
		var pp, lastPP *procPart
		last, lastDev := trace.Null, int64(0)
		for i := lo; i < hi; i++ {
			if pid := k.GlobalPID.At(i); pid != last || i == lo {
				last, pp = pid, nil
				if out[pid] != nil {
					if pp = procs[pid]; pp == nil {
						pp = &procPart{sig: Signature{FirstGPU: 1<<63 - 1}, byID: map[int32]int64{}}
						if bound <= denseIDs {
							pp.sums, pp.seen = make([]int64, bound), make([]bool, bound)
						}
						procs[pid] = pp
					}
				}
			}
			if pp == nil {
				continue
			}
			d := k.End[i] - k.Start[i]
			if id := k.Short[i]; id >= 0 && int(id) < len(pp.sums) {
				pp.sums[id] += d
				pp.seen[id] = true
			} else {
				pp.byID[id] += d
			}
			s := &pp.sig
			s.KernelNs += d
			s.FirstGPU = min(s.FirstGPU, k.Start[i])
			// the device list is searched only when the device differs from the row before's
			// (or the process does: GPUs is the process's list)
			if dv := k.Device.At(i); dv != lastDev || pp != lastPP {
				if !slices.Contains(s.GPUs, dv) {
					s.GPUs = append(s.GPUs, dv)
				}
				lastDev, lastPP = dv, pp
			}
		}
		mu.Lock()
		parts = append(parts, procs)
		mu.Unlock()
	})
	for _, procs := range parts {
		for pid, pp := range procs {
			s, ps := out[pid], &pp.sig
			s.KernelNs += ps.KernelNs
			s.FirstGPU = min(s.FirstGPU, ps.FirstGPU)
			for _, g := range ps.GPUs {
				if !slices.Contains(s.GPUs, g) {
					s.GPUs = append(s.GPUs, g)
				}
			}
			for id, d := range pp.byID {
				byID[pk{pid, int64(id)}] += d
			}
			for id, ok := range pp.seen {
				if ok {
					byID[pk{pid, int64(id)}] += pp.sums[id]
				}
			}
		}
	}
	for key, d := range byID {
		name := tr.Strings.Get(key.id)
		s := out[key.proc]
		s.Kernels[name] += d
		s.Families[KernelFamily(name)] += d
	}
	type opCols struct {
		start    []int64
		pid, dev trace.Codes
	}
	for _, ops := range []opCols{{tr.Memcpy.Start, tr.Memcpy.GlobalPID, tr.Memcpy.Device}, {tr.Memset.Start, tr.Memset.GlobalPID, tr.Memset.Device}} {
		for i, st := range ops.start {
			if s := out[ops.pid.At(i)]; s != nil {
				s.FirstGPU = min(s.FirstGPU, st)
				if d := ops.dev.At(i); !slices.Contains(s.GPUs, d) {
					s.GPUs = append(s.GPUs, d)
				}
			}
		}
	}
	n := &tr.NVTX
	maxTS, _ := n.MaxTimestamp()
	families := map[string]string{} // message → family: a trace's ranges repeat few messages
	for i := range n.Start {
		if !trace.IsRange(n.EventType[i]) {
			continue
		}
		s := out[trace.ProcessOf(n.GlobalTID[i])]
		if s == nil {
			continue
		}
		msg, _ := n.Message(&tr.Strings, i)
		end := n.End[i]
		if end == trace.Null {
			end = maxTS
		}
		f, ok := families[msg]
		if !ok {
			f = Family(msg)
			families[msg] = f
		}
		s.Ranges[f] += end - n.Start[i]
		if s.KernelNs == 0 && len(s.GPUs) == 0 {
			s.FirstGPU = min(s.FirstGPU, n.Start[i])
		}
	}
	idle := false // a process without GPU work starts at its first call
	for _, s := range out {
		idle = idle || len(s.GPUs) == 0 && s.KernelNs == 0
	}
	if idle { // in parallel parts, each with its own first calls (calls come in runs of a thread)
		rt := &tr.Runtime
		parts := par.Parts(rt.Len())
		firsts := make([]map[*Signature]int64, parts)
		par.ForParts(rt.Len(), parts, func(p, lo, hi int) {
			m := map[*Signature]int64{}
			rt.GlobalTID.RunsIn(lo, hi, func(a, b int, g int64) {
				s := out[trace.ProcessOf(g)]
				if s == nil || len(s.GPUs) != 0 || s.KernelNs != 0 {
					return
				}
				f, ok := m[s]
				if !ok {
					f = 1<<63 - 1
				}
				for _, st := range rt.Start[a:b] {
					f = min(f, st)
				}
				m[s] = f
			})
			firsts[p] = m
		})
		for _, m := range firsts {
			for s, f := range m {
				s.FirstGPU = min(s.FirstGPU, f)
			}
		}
	}
	for _, s := range out {
		slices.Sort(s.GPUs)
	}
	return out
}

// KernelOverlap is the overlap of two processes' kernel time distributions (see AlikeKernels);
// ok is false when either ran no kernel.
func KernelOverlap(a, b *Signature) (float64, bool) {
	if a.KernelNs <= 0 || b.KernelNs <= 0 {
		return 0, false
	}
	var sum float64
	for name, d := range a.Kernels {
		if e, ok := b.Kernels[name]; ok {
			sum += min(float64(d)/float64(a.KernelNs), float64(e)/float64(b.KernelNs))
		}
	}
	return sum, true
}

// RangeJaccard is the Jaccard index of two processes' NVTX range families; ok is false when
// either has no range.
func RangeJaccard(a, b *Signature) (float64, bool) {
	if len(a.Ranges) == 0 || len(b.Ranges) == 0 {
		return 0, false
	}
	inter := 0
	for r := range a.Ranges {
		if _, ok := b.Ranges[r]; ok {
			inter++
		}
	}
	return float64(inter) / float64(len(a.Ranges)+len(b.Ranges)-inter), true
}

// Alike says whether two processes of one role are replicas: their kernels overlap at least
// AlikeKernels and their range families at least AlikeRanges, where both have them; two
// processes with neither kernels nor ranges are alike.
func Alike(a, b *Signature) bool {
	k, kok := KernelOverlap(a, b)
	r, rok := RangeJaccard(a, b)
	return (!kok || k >= AlikeKernels) && (!rok || r >= AlikeRanges)
}

// top lists the keys of m by value, largest first (ties by key), at most n.
func top(m map[string]int64, n int) []string {
	keys := slices.Collect(maps.Keys(m))
	slices.SortFunc(keys, func(a, b string) int {
		if c := cmp.Compare(m[b], m[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	return keys[:min(n, len(keys))]
}
