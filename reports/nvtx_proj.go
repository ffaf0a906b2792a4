package reports

import (
	"slices"
	"sort"

	"github.com/omnistat/omnistat/trace"
)

// gpuOp is one GPU operation: a kernel, memcpy or memset, by table and row.
type gpuOp struct {
	kind byte // 'k', 'c' (memcpy), 's' (memset)
	row  int32
}

// projection relates GPU operations to the NVTX ranges that enclose the API call that launched
// them, the way nsys's nvtx_gpu_proj_* and nvtx_kern_sum reports do: a range encloses an
// operation when it is on the launching thread, starts and ends on that thread, and contains the
// whole API call.
type projection struct {
	tr     *trace.Trace
	maxTS  int64
	ranges []int             // eligible NVTX rows (ranges with endGlobalTid NULL)
	callOf map[gpuOp]int32   // op → launching API call (runtime row), when one matches
	opsOf  map[int32][]gpuOp // API call → its ops
	within map[int32][]int32 // API call → indexes into ranges of the ranges enclosing it
}

// apiKey identifies an API call by process and correlation id.
type apiKey struct{ proc, corr int64 }

func newProjection(tr *trace.Trace, kernelsOnly bool) *projection {
	p := &projection{tr: tr, callOf: map[gpuOp]int32{}, opsOf: map[int32][]gpuOp{}, within: map[int32][]int32{}}
	p.maxTS, _ = tr.NVTX.MaxTimestamp()
	rt := &tr.Runtime
	calls := make(map[apiKey]int32, rt.Len())
	for i := range rt.Start {
		k := apiKey{trace.ProcessOf(rt.GlobalTID[i]), rt.CorrID[i]}
		if _, dup := calls[k]; !dup {
			calls[k] = int32(i)
		}
	}
	link := func(kind byte, n int, gpid, corr func(int) int64) {
		for i := 0; i < n; i++ {
			if c, ok := calls[apiKey{gpid(i), corr(i)}]; ok {
				op := gpuOp{kind, int32(i)}
				p.callOf[op] = c
				p.opsOf[c] = append(p.opsOf[c], op)
			}
		}
	}
	k, mc, ms := &tr.Kernels, &tr.Memcpy, &tr.Memset
	link('k', k.Len(), func(i int) int64 { return k.GlobalPID[i] }, func(i int) int64 { return k.CorrID[i] })
	if !kernelsOnly {
		link('c', mc.Len(), func(i int) int64 { return mc.GlobalPID[i] }, func(i int) int64 { return mc.CorrID[i] })
		link('s', ms.Len(), func(i int) int64 { return ms.GlobalPID[i] }, func(i int) int64 { return ms.CorrID[i] })
	}
	n := &tr.NVTX
	byThread := map[int64][]int32{}
	for i := range n.Start {
		if trace.IsRange(n.EventType[i]) && n.EndGlobalTID[i] == trace.Null {
			byThread[n.GlobalTID[i]] = append(byThread[n.GlobalTID[i]], int32(len(p.ranges)))
			p.ranges = append(p.ranges, i)
		}
	}
	callsByThread := map[int64][]int32{}
	for c := range p.opsOf {
		callsByThread[rt.GlobalTID[c]] = append(callsByThread[rt.GlobalTID[c]], c)
	}
	for tid, cs := range callsByThread {
		rs := byThread[tid]
		if len(rs) == 0 {
			continue
		}
		sort.Slice(rs, func(a, b int) bool { return n.Start[p.ranges[rs[a]]] < n.Start[p.ranges[rs[b]]] })
		slices.SortFunc(cs, func(a, b int32) int { return cmpInt64(rt.Start[a], rt.Start[b]) })
		var active []int32
		next := 0
		for _, c := range cs {
			s, e := rt.Start[c], rt.End[c]
			for next < len(rs) && n.Start[p.ranges[rs[next]]] <= s {
				active = append(active, rs[next])
				next++
			}
			kept := active[:0]
			for _, r := range active {
				if p.end(r) >= s { // a range that ended before this call can hold no later call
					kept = append(kept, r)
				}
			}
			active = kept
			for _, r := range active {
				if p.end(r) >= e {
					p.within[c] = append(p.within[c], r)
				}
			}
		}
	}
	return p
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// end is range r's end (the last NVTX timestamp when it never ended).
func (p *projection) end(r int32) int64 { return RangeEnd(&p.tr.NVTX, p.ranges[r], p.maxTS) }

// start is range r's start.
func (p *projection) start(r int32) int64 { return p.tr.NVTX.Start[p.ranges[r]] }

// opSpan is an op's start and end.
func (p *projection) opSpan(op gpuOp) (int64, int64, int64) {
	t := p.tr
	switch op.kind {
	case 'k':
		return t.Kernels.Start[op.row], t.Kernels.End[op.row], t.Kernels.CorrID[op.row]
	case 'c':
		return t.Memcpy.Start[op.row], t.Memcpy.End[op.row], t.Memcpy.CorrID[op.row]
	}
	return t.Memset.Start[op.row], t.Memset.End[op.row], t.Memset.CorrID[op.row]
}
