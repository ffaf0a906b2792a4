package summary

import (
	"slices"

	"github.com/omnistat/omnistat/internal/par"
	"github.com/omnistat/omnistat/trace"
)

// unionKeep is the rows any of the keeps keeps; all says it is every row of the tables the
// findings read (CUDA API, GPU operations, NVTX), so the whole trace can stand for it.
func unionKeep(keeps []trace.Keep) (u trace.Keep, all bool) {
	all = true
	// the stages' masks of one table or-ed, in parallel parts of the rows (every stage's mask
	// of a table has its rows: one length)
	or := func(get func(trace.Keep) []bool) []bool {
		var ms [][]bool
		for _, k := range keeps {
			ms = append(ms, get(k))
		}
		if len(ms) == 0 {
			return nil
		}
		out := make([]bool, len(ms[0]))
		par.For(len(out), func(lo, hi int) {
			for _, m := range ms {
				trace.OrInto(out[lo:hi], m[lo:hi])
			}
		})
		return out
	}
	full := func(m []bool) []bool {
		parts := par.Parts(len(m))
		holes := make([]bool, parts)
		par.ForParts(len(m), parts, func(p, lo, hi int) { holes[p] = slices.Contains(m[lo:hi], false) })
		if slices.Contains(holes, true) {
			all = false
		}
		return m
	}
	u.Runtime = full(or(func(k trace.Keep) []bool { return k.Runtime }))
	u.Kernels = full(or(func(k trace.Keep) []bool { return k.Kernels }))
	u.Memcpy = full(or(func(k trace.Keep) []bool { return k.Memcpy }))
	u.Memset = full(or(func(k trace.Keep) []bool { return k.Memset }))
	u.NVTX = full(or(func(k trace.Keep) []bool { return k.NVTX }))
	u.OSRT = or(func(k trace.Keep) []bool { return k.OSRT })
	return u, all
}
