package sqlite

import (
	"fmt"

	"github.com/omnistat/omnistat/trace"
)

// checkRows drops event rows without a start or end (NULL in the export) and counts rows that
// end before they start, as notes: nsys sums those negative durations too, and so do we.
func checkRows(tr *trace.Trace) []string {
	var notes []string
	check := func(table string, start, end *[]int64, ids []*[]int32, codes []*trace.Codes, cols ...*[]int64) {
		bad, neg := 0, 0
		for i := range *start {
			if (*start)[i] == trace.Null || (*end)[i] == trace.Null {
				bad++
			} else if (*end)[i] < (*start)[i] {
				neg++
			}
		}
		if neg > 0 {
			notes = append(notes, fmt.Sprintf("%d rows of %s end before they start: their negative durations are counted, as nsys counts them", neg, table))
		}
		if bad == 0 {
			return
		}
		keep := make([]bool, len(*start))
		for i := range keep {
			keep[i] = (*start)[i] != trace.Null && (*end)[i] != trace.Null
		}
		for _, c := range append([]*[]int64{start, end}, cols...) {
			keepRows(c, keep)
		}
		for _, c := range ids {
			keepRows(c, keep)
		}
		for _, c := range codes {
			vs := c.Int64s()
			keepRows(&vs, keep)
			*c = trace.CodesOf(vs)
		}
		notes = append(notes, fmt.Sprintf("%d rows of %s have no start or end: skipped", bad, table))
	}
	a := &tr.Runtime
	check("CUPTI_ACTIVITY_KIND_RUNTIME", &a.Start, &a.End, []*[]int32{&a.NameID, &a.CorrID}, []*trace.Codes{&a.GlobalTID}, &a.EventClass, &a.ReturnValue)
	o := &tr.OSRT
	check("OSRT_API", &o.Start, &o.End, []*[]int32{&o.NameID, &o.CorrID}, []*trace.Codes{&o.GlobalTID}, &o.EventClass, &o.ReturnValue)
	k := &tr.Kernels
	check("CUPTI_ACTIVITY_KIND_KERNEL", &k.Start, &k.End, []*[]int32{&k.Demangled, &k.Short, &k.Mangled, &k.CorrID},
		[]*trace.Codes{&k.GlobalPID, &k.Device}, &k.Context, &k.Stream, &k.GridX, &k.GridY, &k.GridZ, &k.BlockX, &k.BlockY, &k.BlockZ, &k.GraphNodeID, &k.Registers, &k.StaticSMem, &k.DynamicSMem, &k.GreenContext)
	m := &tr.Memcpy
	check("CUPTI_ACTIVITY_KIND_MEMCPY", &m.Start, &m.End, []*[]int32{&m.CorrID}, []*trace.Codes{&m.GlobalPID, &m.Device}, &m.Context, &m.Stream,
		&m.Bytes, &m.CopyKind, &m.SrcKind, &m.DstKind, &m.GraphNodeID, &m.SrcDevice, &m.DstDevice, &m.GreenContext)
	ms := &tr.Memset
	check("CUPTI_ACTIVITY_KIND_MEMSET", &ms.Start, &ms.End, []*[]int32{&ms.CorrID}, []*trace.Codes{&ms.GlobalPID, &ms.Device}, &ms.Context, &ms.Stream,
		&ms.Bytes, &ms.MemKind, &ms.GraphNodeID, &ms.GreenContext)
	// ids that StringIds lacks: nsys's LEFT JOIN prints an empty name
	dangling := func(table string, ids []int32) {
		n := 0
		for _, id := range ids {
			if id != trace.Null32 {
				if _, ok := tr.Strings.Lookup(int64(id)); !ok {
					n++
				}
			}
		}
		if n > 0 {
			notes = append(notes, fmt.Sprintf("%d rows of %s name a string id that StringIds lacks: their names print empty, as in nsys", n, table))
		}
	}
	dangling("CUPTI_ACTIVITY_KIND_RUNTIME", a.NameID)
	dangling("OSRT_API", o.NameID)
	dangling("CUPTI_ACTIVITY_KIND_KERNEL", k.Demangled)
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
