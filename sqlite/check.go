package sqlite

import (
	"fmt"

	"github.com/omnistat/omnistat/internal/par"

	"github.com/omnistat/omnistat/trace"
)

// checkRows drops event rows without a start or end (NULL in the export) and counts rows that
// end before they start, as notes: nsys sums those negative durations too, and so do we.
func checkRows(tr *trace.Trace) []string {
	type table struct {
		name       string
		start, end *[]int64
		ids        []*[]int32
		codes      []*trace.Codes
		cols       []*[]int64
		bad, neg   int // rows without a start or end; rows that end before they start
	}
	a, o, k, m, ms := &tr.Runtime, &tr.OSRT, &tr.Kernels, &tr.Memcpy, &tr.Memset
	tables := []*table{
		{name: "CUPTI_ACTIVITY_KIND_RUNTIME", start: &a.Start, end: &a.End, ids: []*[]int32{&a.NameID, &a.CorrID}, codes: []*trace.Codes{&a.GlobalTID},
			cols: []*[]int64{&a.EventClass, &a.ReturnValue}},
		{name: "OSRT_API", start: &o.Start, end: &o.End, ids: []*[]int32{&o.NameID, &o.CorrID}, codes: []*trace.Codes{&o.GlobalTID},
			cols: []*[]int64{&o.EventClass, &o.ReturnValue}},
		{name: "CUPTI_ACTIVITY_KIND_KERNEL", start: &k.Start, end: &k.End, ids: []*[]int32{&k.Demangled, &k.Short, &k.Mangled, &k.CorrID},
			codes: []*trace.Codes{&k.GlobalPID, &k.Device}, cols: []*[]int64{&k.Context, &k.Stream, &k.GridX, &k.GridY, &k.GridZ, &k.BlockX, &k.BlockY,
				&k.BlockZ, &k.GraphNodeID, &k.Registers, &k.StaticSMem, &k.DynamicSMem, &k.GreenContext}},
		{name: "CUPTI_ACTIVITY_KIND_MEMCPY", start: &m.Start, end: &m.End, ids: []*[]int32{&m.CorrID}, codes: []*trace.Codes{&m.GlobalPID, &m.Device},
			cols: []*[]int64{&m.Context, &m.Stream, &m.Bytes, &m.CopyKind, &m.SrcKind, &m.DstKind, &m.GraphNodeID, &m.SrcDevice, &m.DstDevice, &m.GreenContext}},
		{name: "CUPTI_ACTIVITY_KIND_MEMSET", start: &ms.Start, end: &ms.End, ids: []*[]int32{&ms.CorrID}, codes: []*trace.Codes{&ms.GlobalPID, &ms.Device},
			cols: []*[]int64{&ms.Context, &ms.Stream, &ms.Bytes, &ms.MemKind, &ms.GraphNodeID, &ms.GreenContext}},
	}
	// the counts of every table at once, each in parts of its rows
	var g par.Group
	for _, t := range tables {
		g.Go(func() { t.bad, t.neg = badRows(*t.start, *t.end) })
	}
	g.Wait()
	var notes []string
	for _, t := range tables {
		if t.neg > 0 {
			notes = append(notes, fmt.Sprintf("%d rows of %s end before they start: their negative durations are counted, as nsys counts them", t.neg, t.name))
		}
		if t.bad == 0 {
			continue
		}
		start, end := *t.start, *t.end
		keep := make([]bool, len(start))
		for i := range keep {
			keep[i] = start[i] != trace.Null && end[i] != trace.Null
		}
		for _, c := range append([]*[]int64{t.start, t.end}, t.cols...) {
			keepRows(c, keep)
		}
		for _, c := range t.ids {
			keepRows(c, keep)
		}
		for _, c := range t.codes {
			vs := c.Int64s()
			keepRows(&vs, keep)
			*c = trace.CodesOf(vs)
		}
		notes = append(notes, fmt.Sprintf("%d rows of %s have no start or end: skipped", t.bad, t.name))
	}
	// ids that StringIds lacks: nsys's LEFT JOIN prints an empty name (counted after the rows
	// without a start or end are gone)
	named := []struct {
		table string
		ids   []int32
		n     int
	}{{"CUPTI_ACTIVITY_KIND_RUNTIME", a.NameID, 0}, {"OSRT_API", o.NameID, 0}, {"CUPTI_ACTIVITY_KIND_KERNEL", k.Demangled, 0}}
	for i := range named {
		g.Go(func() { named[i].n = dangling(&tr.Strings, named[i].ids) })
	}
	g.Wait()
	for _, d := range named {
		if d.n > 0 {
			notes = append(notes, fmt.Sprintf("%d rows of %s name a string id that StringIds lacks: their names print empty, as in nsys", d.n, d.table))
		}
	}
	// NVTX: a NULL end is a mark or an unterminated range (nsys ends those at the last timestamp)
	n := &tr.NVTX
	open := 0
	for i := range n.Start {
		if trace.IsRange(n.EventType[i]) && n.End[i] == trace.Null {
			open++
		}
	}
	if open > 0 {
		notes = append(notes, fmt.Sprintf("%d NVTX ranges never ended: they end at the last NVTX timestamp, as in nsys", open))
	}
	return notes
}

// badRows counts the rows without a start or end (NULL), and the others that end before they
// start, in parallel parts.
func badRows(start, end []int64) (bad, neg int) {
	parts := par.Parts(len(start))
	bads, negs := make([]int, parts), make([]int, parts)
	par.ForParts(len(start), parts, func(p, lo, hi int) {
		bad, neg := 0, 0 // counted here, stored once: parts writing one cache line would share it
		for i := lo; i < hi; i++ {
			if start[i] == trace.Null || end[i] == trace.Null {
				bad++
			} else if end[i] < start[i] {
				neg++
			}
		}
		bads[p], negs[p] = bad, neg
	})
	for p := range parts {
		bad, neg = bad+bads[p], neg+negs[p]
	}
	return bad, neg
}

// dangling counts the ids (NULL aside) that strings lacks, in parallel parts.
func dangling(strings *trace.Strings, ids []int32) int {
	parts := par.Parts(len(ids))
	counts := make([]int, parts)
	par.ForParts(len(ids), parts, func(p, lo, hi int) {
		n := 0
		for _, id := range ids[lo:hi] {
			if id != trace.Null32 {
				if _, ok := strings.Lookup(int64(id)); !ok {
					n++
				}
			}
		}
		counts[p] = n
	})
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

// keepRows drops the rows of column c that keep does not keep; a nil column (not read) stays nil.
func keepRows[T int32 | int64](c *[]T, keep []bool) {
	if *c == nil {
		return
	}
	out := (*c)[:0]
	for i, v := range *c {
		if keep[i] {
			out = append(out, v)
		}
	}
	*c = out
}
