package reports

import (
	"github.com/omnistat/omnistat/internal/hugepage"
	"math"

	"github.com/omnistat/omnistat/internal/par"
)

// maxDenseCounts bounds the per-part count arrays of groupDurations (ids × parts).
const maxDenseCounts = 1 << 22

// groupDurations is groupByID of every row by ids[i] with the value end[i] - start[i] (the
// CUDA API and kernel summaries' grouping), without a call per row, in parallel parts: each part
// counts its rows per id and lists its ids in the order they first appear; the lists, read in
// part order, give the groups in the order groupByID gives them, and each part writes its
// values after those of the parts before it, so every group's values come in row order, as
// groupByID places them. Nil when an id lies outside [0, min(bound, 1<<22)) or the count arrays
// would be too large: the caller then calls groupByID.
func groupDurations(ids []int32, start, end []int64, bound int) *intGrouper {
	n := len(ids)
	lim := min(bound, 1<<22)
	parts := min(par.Parts(n), max(1, maxDenseCounts/max(lim, 1)))
	type part struct {
		counts []int32 // per id
		firsts []int32 // ids in order of first appearance
		at     []int   // per group: where the part writes its next value
		fits   bool    // every value fits in 32 bits
		ok     bool    // every id lies in [0, lim)
	}
	ps := make([]part, parts)
	par.ForParts(n, parts, func(p, lo, hi int) {
		x := part{counts: make([]int32, lim), fits: true, ok: true}
		for i := lo; i < hi; i++ {
			id := ids[i]
			if id < 0 || int(id) >= lim {
				x.ok = false
				break
			}
			if d := end[i] - start[i]; d < math.MinInt32 || d > math.MaxInt32 {
				x.fits = false
			}
			if x.counts[id] == 0 {
				x.firsts = append(x.firsts, id)
			}
			x.counts[id]++
		}
		ps[p] = x
	})
	fits := true
	for _, x := range ps {
		if !x.ok {
			return nil
		}
		fits = fits && x.fits
	}
	g := &intGrouper{}
	gi := make([]int32, lim) // group of each id, from 1 (0: none)
	var counts []int
	for _, x := range ps {
		for _, id := range x.firsts {
			if gi[id] == 0 {
				g.ids = append(g.ids, int64(id))
				counts = append(counts, 0)
				gi[id] = int32(len(g.ids))
			}
			counts[gi[id]-1] += int(x.counts[id])
		}
	}
	total := 0
	base := make([]int, len(counts))
	for k, c := range counts {
		base[k] = total
		total += c
	}
	for p := range ps { // part p writes each group's values after the earlier parts'
		ps[p].at = make([]int, len(counts))
		for _, id := range ps[p].firsts {
			k := gi[id] - 1
			ps[p].at[k] = base[k]
			base[k] += int(ps[p].counts[id])
		}
	}
	at := make([][]int, parts)
	for p := range ps {
		at[p] = ps[p].at
	}
	if fits {
		g.vals32 = placeDurations[int32](ids, start, end, gi, counts, total, at)
	} else {
		g.vals = placeDurations[int64](ids, start, end, gi, counts, total, at)
	}
	return g
}

// placeDurations is groupDurations' second pass: each part writes its rows' values at its
// places, in one backing array cut into the groups.
func placeDurations[T int32 | int64](ids []int32, start, end []int64, gi []int32, counts []int, total int, at [][]int) [][]T {
	all := make([]T, total)
	hugepage.Hint(all)
	out := make([][]T, len(counts))
	k := 0
	for j, c := range counts {
		out[j] = all[k : k+c : k+c]
		k += c
	}
	par.ForParts(len(ids), len(at), func(p, lo, hi int) {
		pos := at[p]
		for i := lo; i < hi; i++ {
			j := gi[ids[i]] - 1
			all[pos[j]] = T(end[i] - start[i])
			pos[j]++
		}
	})
	return out
}
