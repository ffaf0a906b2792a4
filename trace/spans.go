package trace

import (
	"cmp"
	"fmt"
	"github.com/omnistat/omnistat/internal/hugepage"
	"maps"
	"math"
	"slices"

	"github.com/omnistat/omnistat/internal/par"
)

// Span is a half-open time span [Start, End) in ns.
type Span struct{ Start, End int64 }

func bySpanStart(a, b Span) int { return cmp.Compare(a.Start, b.Start) }

// Union is the total length covered by spans (sorted here when they are not), and the gaps
// between them longer than minGap.
func Union(spans []Span, minGap int64) (busy int64, gaps []Span) {
	if len(spans) == 0 {
		return 0, nil
	}
	if !slices.IsSortedFunc(spans, bySpanStart) {
		slices.SortFunc(spans, bySpanStart)
	}
	cur := spans[0]
	for _, x := range spans[1:] {
		if x.Start > cur.End {
			busy += cur.End - cur.Start
			if x.Start-cur.End > minGap {
				gaps = append(gaps, Span{cur.End, x.Start})
			}
			cur = x
		} else if x.End > cur.End {
			cur.End = x.End
		}
	}
	return busy + cur.End - cur.Start, gaps
}

// GPUSpans lists the time covered by the GPU operations of tr (kernels, memcpy, memset) as
// spans sorted by start and disjoint (overlapping or touching operations joined). Each table is
// nearly sorted already (records come in stream order), so a table is copied and sorted only
// when it must be; the three are merged straight from their columns.
func GPUSpans(tr *Trace) []Span {
	var lists []spanList
	n := 0
	for _, c := range [][2][]int64{{tr.Kernels.Start, tr.Kernels.End}, {tr.Memcpy.Start, tr.Memcpy.End}, {tr.Memset.Start, tr.Memset.End}} {
		lists = append(lists, sortedRuns(c[0], c[1])...)
		n += len(c[0])
	}
	return mergeSpans(lists, n)
}

// TableSpans is the time covered by the rows of one table (their starts and ends, in any
// order): sorted disjoint spans, overlapping or touching rows joined, made as GPUSpans makes
// them (in parallel parts on a big table).
func TableSpans(start, end []int64) []Span {
	return mergeSpans(sortedRuns(start, end), len(start))
}

// mergeSpans merges sorted span lists into sorted disjoint spans; n bounds how many there are.
// Many spans are merged in parallel parts cut at start times (an operation goes to the part of
// its start, so the order of operations is the one a single merge takes), each joining its own,
// then the parts are joined where they touch.
func mergeSpans(lists []spanList, n int) []Span {
	return mergeParts(lists, n, par.Parts(n))
}

func mergeParts(lists []spanList, n, parts int) []Span {
	return inTimeParts(lists, n, parts, timeParts[spanList]{
		length: func(l spanList) int { return len(l.s) },
		start:  func(l spanList, i int) int64 { return l.s[i] },
		search: func(l spanList, t int64) int { i, _ := slices.BinarySearch(l.s, t); return i },
		cut:    func(l spanList, lo, hi int) spanList { return spanList{s: l.s[lo:hi], e: l.e[lo:hi]} },
		merge:  mergeInto,
	})
}

// timeParts says how inTimeParts reads one kind of sorted span list and joins some of them.
type timeParts[L any] struct {
	length func(L) int
	start  func(L, int) int64 // the start of element i
	search func(L, int64) int // the first element starting at or after t
	cut    func(l L, lo, hi int) L
	merge  func(lists []L, out []Span) []Span
}

// inTimeParts joins lists (each sorted by start) into sorted disjoint spans, n of them at most,
// in parts parts cut at the starts of the longest list: an operation goes to the part of its
// start, so the order of operations is the one a single merge takes. Each part joins its own
// into its room of one buffer; then the parts are joined where they touch (stitch).
func inTimeParts[L any](lists []L, n, parts int, k timeParts[L]) []Span {
	if parts < 2 || n == 0 {
		return clipSpans(k.merge(lists, make([]Span, 0, n)))
	}
	long := 0
	for l := range lists {
		if k.length(lists[l]) > k.length(lists[long]) {
			long = l
		}
	}
	cuts := make([]int64, 0, parts-1) // a part holds the operations starting in [cuts[p-1], cuts[p])
	for p := 1; p < parts; p++ {
		cuts = append(cuts, k.start(lists[long], p*k.length(lists[long])/parts))
	}
	sub := make([][]L, parts)
	room := make([]int, parts+1) // part p joins into buf[room[p]:room[p+1]]
	for p := range parts {
		for _, l := range lists {
			lo, hi := 0, k.length(l)
			if p > 0 {
				lo = k.search(l, cuts[p-1])
			}
			if p < parts-1 {
				hi = k.search(l, cuts[p])
			}
			sub[p] = append(sub[p], k.cut(l, lo, hi))
			room[p+1] += hi - lo
		}
		room[p+1] += room[p]
	}
	buf := make([]Span, room[parts])
	hugepage.Hint(buf)
	outs := make([][]Span, parts)
	par.ForParts(parts, parts, func(p, _, _ int) { outs[p] = k.merge(sub[p], buf[room[p]:room[p]:room[p+1]]) })
	return clipSpans(stitch(buf, outs))
}

// mergeInto merges sorted span lists into out, joining overlapping or touching spans. Spans go
// by start, the first list's first on equal starts (the order matters where a damaged span ends
// before it starts); the list whose span is next gives every span that comes before the other
// lists' next ones in one loop, without looking at them again (a kernel table's one long run).
func mergeInto(lists []spanList, out []Span) []Span {
	for {
		best, other := -1, -1 // the list whose span comes next, and the one after it among the rest
		for l := range lists {
			if lists[l].i >= len(lists[l].s) {
				continue
			}
			switch s := lists[l].s[lists[l].i]; {
			case best < 0 || s < lists[best].s[lists[best].i]:
				best, other = l, best
			case other < 0 || s < lists[other].s[lists[other].i]:
				other = l
			}
		}
		if best < 0 {
			return out
		}
		b := &lists[best]
		limit, beforeTies := int64(math.MaxInt64), true // b's spans come first up to limit (ties: while best is the lower list)
		if other >= 0 {
			limit, beforeTies = lists[other].s[lists[other].i], best < other
		}
		for b.i < len(b.s) && (b.s[b.i] < limit || b.s[b.i] == limit && beforeTies) {
			out = coalesce(out, Span{b.s[b.i], b.e[b.i]})
			b.i++
		}
	}
}

// coalesce appends x, which starts no earlier than the last span of out, joining the two when
// they overlap or touch.
func coalesce(out []Span, x Span) []Span {
	if n := len(out); n > 0 && x.Start <= out[n-1].End {
		out[n-1].End = max(out[n-1].End, x.End)
		return out
	}
	return append(out, x)
}

// UnionSpans merges lists of sorted disjoint spans (the stages' GPUSpans) into the sorted
// disjoint spans of all of them: GPUSpans of the whole trace, without going back to its tables.
func UnionSpans(lists [][]Span) []Span {
	n := 0
	for _, l := range lists {
		n += len(l)
	}
	if out, ok := unionIntoBig(lists, n); ok {
		return out
	}
	return unionParts(lists, n, par.Parts(n))
}

// unionParts is UnionSpans in parts parts, cut at start times as mergeParts cuts.
func unionParts(lists [][]Span, n, parts int) []Span {
	byStart := func(x Span, t int64) int { return cmp.Compare(x.Start, t) }
	return inTimeParts(lists, n, parts, timeParts[[]Span]{
		length: func(l []Span) int { return len(l) },
		start:  func(l []Span, i int) int64 { return l[i].Start },
		search: func(l []Span, t int64) int { i, _ := slices.BinarySearchFunc(l, t, byStart); return i },
		cut:    func(l []Span, lo, hi int) []Span { return l[lo:hi] },
		merge:  unionInto,
	})
}

// unionInto merges sorted span lists into out, joining overlapping or touching spans.
func unionInto(lists [][]Span, out []Span) []Span {
	at := make([]int, len(lists))
	for {
		best := -1
		for l := range lists {
			if at[l] < len(lists[l]) && (best < 0 || lists[l][at[l]].Start < lists[best][at[best]].Start) {
				best = l
			}
		}
		if best < 0 {
			return out
		}
		out = coalesce(out, lists[best][at[best]])
		at[best]++
	}
}

// stitch joins the parts' spans, each part's joined in place in buf, after the first part's
// (at buf's start): a part's first spans may join the last one so far; after one that does
// not, none can. Each part moves down in buf, never past its own place.
func stitch(buf []Span, outs [][]Span) []Span {
	out := buf[:len(outs[0])]
	for _, o := range outs[1:] {
		k := 0
		for ; k < len(o) && len(out) > 0 && o[k].Start <= out[len(out)-1].End; k++ {
			out[len(out)-1].End = max(out[len(out)-1].End, o[k].End)
		}
		out = append(out, o[k:]...)
	}
	return out
}

// clipSpans gives back the unused room of spans merged into far fewer than their bound.
func clipSpans(out []Span) []Span {
	if len(out) < cap(out)/2 {
		return slices.Clone(out)
	}
	return out
}

// spanList walks the start and end columns of one table (or a run of it) in start order.
type spanList struct {
	s, e []int64
	i    int
}

// MaxRuns is the most sorted runs of one table that GPUSpans merges as they are; a table in
// more pieces is copied and sorted.
const MaxRuns = 8

// sortedRuns splits the columns into their sorted runs: a table read from an export is sorted by
// start, and a whole trace whose rows were made stage-contiguous is one run per stage. Columns
// in more than MaxRuns runs come back as one sorted copy.
func sortedRuns(start, end []int64) []spanList {
	var runs []spanList
	from := 0
	for i := 1; i <= len(start) && len(runs) <= MaxRuns; i++ {
		if i == len(start) || start[i] < start[i-1] {
			runs = append(runs, spanList{s: start[from:i], e: end[from:i]})
			from = i
		}
	}
	if len(runs) <= MaxRuns {
		return runs
	}
	iv := make([]Span, len(start))
	for i := range start {
		iv[i] = Span{start[i], end[i]}
	}
	slices.SortFunc(iv, bySpanStart)
	s, e := make([]int64, len(iv)), make([]int64, len(iv))
	for i, x := range iv {
		s[i], e[i] = x.Start, x.End
	}
	return []spanList{{s: s, e: e}}
}

// SpanSet is the GPU spans of one device ("GPU 1"), or of the one device a trace uses ("the GPU").
type SpanSet struct {
	GPU   string
	Spans []Span
}

// SpanSets splits tr's GPU operations by device when they run on several; spans are tr's GPUSpans.
func SpanSets(tr *Trace, spans []Span) []SpanSet {
	devs := DeviceSpans(tr)
	if devs == nil {
		return []SpanSet{{"the GPU", spans}}
	}
	var out []SpanSet
	for _, d := range slices.Sorted(maps.Keys(devs)) {
		sp := devs[d]
		slices.SortFunc(sp, bySpanStart)
		out = append(out, SpanSet{fmt.Sprintf("GPU %d", d), sp})
	}
	return out
}

// DeviceSpans lists the GPU operations of tr by device; nil when they all run on one device.
func DeviceSpans(tr *Trace) map[int64][]Span {
	type cols struct {
		s, e []int64
		d    Codes
	}
	all := []cols{{tr.Kernels.Start, tr.Kernels.End, tr.Kernels.Device}, {tr.Memcpy.Start, tr.Memcpy.End, tr.Memcpy.Device},
		{tr.Memset.Start, tr.Memset.End, tr.Memset.Device}}
	first, multi := int64(-1), false
	for _, c := range all {
		if d, ok := c.d.Only(); ok && (first < 0 || d == first) { // one device in the column
			if c.d.Len() > 0 {
				first = d
			}
			continue
		}
		c.d.Runs(func(_, _ int, d int64) {
			if first < 0 {
				first = d
			} else if d != first {
				multi = true
			}
		})
	}
	if !multi {
		return nil
	}
	out := map[int64][]Span{}
	for _, c := range all {
		for i := range c.d.Len() {
			d := c.d.At(i)
			out[d] = append(out[d], Span{c.s[i], c.e[i]})
		}
	}
	return out
}

// SharesDevice says whether two device lists have a GPU in common.
func SharesDevice(a, b []int64) bool {
	for _, d := range a {
		if slices.Contains(b, d) {
			return true
		}
	}
	return false
}

// DevicesOf lists the GPUs tr's operations run on, in order.
func DevicesOf(tr *Trace) []int64 {
	var ds []int64
	add := func(lo int, d int64) {
		if (lo > 0 || d != Null) && !slices.Contains(ds, d) { // a column's leading NULLs name no device
			ds = append(ds, d)
		}
	}
	for _, col := range []Codes{tr.Kernels.Device, tr.Memcpy.Device, tr.Memset.Device} {
		if d, ok := col.Only(); ok { // one device in the whole column: no row to look at
			if col.Len() > 0 {
				add(0, d)
			}
			continue
		}
		col.Runs(func(lo, _ int, d int64) { add(lo, d) }) // operations come in runs of one device
	}
	slices.Sort(ds)
	return ds
}
