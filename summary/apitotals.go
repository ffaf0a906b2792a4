package summary

import (
	"github.com/omnistat/omnistat/internal/par"
	"github.com/omnistat/omnistat/reports"
	"github.com/omnistat/omnistat/trace"
)

// topAPI is the CUDA API function (as cuda_api_sum names and groups it: by name id) with the
// most total time: its name, total, calls, and the total of all calls.
func topAPI(tr *trace.Trace) (name string, total, calls, all int64) {
	byID, all := apiTotals(tr)
	return topAPIOf(tr, byID, all)
}

// topAPIOf is topAPI from the calls' totals by name id (apiTotals).
func topAPIOf(tr *trace.Trace, byID map[int64]*apiAcc, all int64) (name string, total, calls, _ int64) {
	// by the name nsys prints: an export may hold one function under two ids (cudaMemcpy and
	// cudaMemcpy_v3020, both printed cudaMemcpy), and the chart and the gates count them as one
	byName := map[string]*apiAcc{}
	for id, a := range byID {
		n := reports.APIName(tr.Strings.Get(id))
		if byName[n] == nil {
			byName[n] = &apiAcc{}
		}
		byName[n].total += a.total
		byName[n].n += a.n
	}
	found := false // not name == "": calls whose name id is NULL are named "" (as cuda_api_sum prints them)
	for n, a := range byName {
		if !found || a.total > total || (a.total == total && n < name) {
			name, total, calls, found = n, a.total, a.n, true
		}
	}
	return name, total, calls, all
}

// apiAcc is the total time and number of some CUDA API calls.
type apiAcc struct{ total, n int64 }

// apiTotals sums the CUDA API calls' durations and counts by name id, and all of them, in
// parallel parts of the rows (par.Parts) whose sums are added up. A part looks a name id up
// when it changes from the row before: in a table by dense string id (at most 2²² ids in one
// part, 2¹⁶ when there are several, each with its own) or in a map.
func apiTotals(tr *trace.Trace) (map[int64]*apiAcc, int64) {
	return apiTotalsIn(tr, par.Parts(tr.Runtime.Len()))
}

// apiTotalsIn is apiTotals in the given number of parts.
func apiTotalsIn(tr *trace.Trace, parts int) (map[int64]*apiAcc, int64) {
	rt := &tr.Runtime
	denseN := min(tr.Strings.Bound(), 1<<22)
	if parts > 1 && denseN > 1<<16 {
		denseN = 0
	}
	maps, alls := make([]map[int64]*apiAcc, parts), make([]int64, parts)
	par.ForParts(rt.Len(), parts, func(p, lo, hi int) {
		byID := map[int64]*apiAcc{}
		dense := make([]*apiAcc, denseN) // other ids use the map
		var last *apiAcc
		var all int64 // stored once: parts writing one cache line row by row would share it
		lastID := int64(trace.Null)
		for i := lo; i < hi; i++ {
			if id := int64(rt.NameID[i]); id != lastID || last == nil {
				if id >= 0 && id < int64(len(dense)) {
					last = dense[id]
				} else {
					last = byID[id]
				}
				if last == nil {
					last = &apiAcc{}
					byID[id] = last
					if id >= 0 && id < int64(len(dense)) {
						dense[id] = last
					}
				}
				lastID = id
			}
			d := rt.End[i] - rt.Start[i]
			last.total += d
			last.n++
			all += d
		}
		maps[p], alls[p] = byID, all
	})
	byID, all := maps[0], alls[0]
	for p := 1; p < parts; p++ {
		for id, a := range maps[p] {
			if b := byID[id]; b != nil {
				b.total += a.total
				b.n += a.n
			} else {
				byID[id] = a
			}
		}
		all += alls[p]
	}
	return byID, all
}
