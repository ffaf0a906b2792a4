package reports

import (
	"fmt"
	"maps"
	"slices"

	"github.com/omnistat/omnistat/trace"
)

// spanSet is the GPU spans of one device ("GPU 1"), or of the one device a trace uses ("the GPU").
type spanSet struct {
	gpu   string
	spans []interval
}

// spanSets splits tr's GPU operations by device when they run on several; spans are tr's GPUSpans.
func spanSets(tr *trace.Trace, spans []interval) []spanSet {
	devs := deviceSpans(tr)
	if devs == nil {
		return []spanSet{{"the GPU", spans}}
	}
	ids := slices.Sorted(maps.Keys(devs))
	var out []spanSet
	for _, d := range ids {
		sp := devs[d]
		slices.SortFunc(sp, func(a, b interval) int { return cmpInt64(a.s, b.s) })
		out = append(out, spanSet{fmt.Sprintf("GPU %d", d), sp})
	}
	return out
}

// busyTime is the time GPU operations run, summed over the devices of tr; spans are its GPUSpans.
func busyTime(tr *trace.Trace, spans []interval) (busy int64, devices int) {
	return busyOf(spanSets(tr, spans))
}

// busyOf is the busy time of the span sets, summed, and how many there are.
func busyOf(sets []spanSet) (busy int64, devices int) {
	for _, set := range sets {
		b, _ := union(set.spans, 1<<62)
		busy += b
	}
	return busy, len(sets)
}

// deviceSpans lists the GPU operations of tr by device; nil when they all run on one device.
func deviceSpans(tr *trace.Trace) map[int64][]interval {
	type cols struct{ s, e, d []int64 }
	all := []cols{{tr.Kernels.Start, tr.Kernels.End, tr.Kernels.Device}, {tr.Memcpy.Start, tr.Memcpy.End, tr.Memcpy.Device},
		{tr.Memset.Start, tr.Memset.End, tr.Memset.Device}}
	first, multi := int64(-1), false
	for _, c := range all {
		for _, d := range c.d {
			if first < 0 {
				first = d
			} else if d != first {
				multi = true
			}
		}
	}
	if !multi {
		return nil
	}
	out := map[int64][]interval{}
	for _, c := range all {
		for i := range c.d {
			out[c.d[i]] = append(out[c.d[i]], interval{c.s[i], c.e[i]})
		}
	}
	return out
}

// sharesDevice says whether two device lists have a GPU in common.
func sharesDevice(a, b []int64) bool {
	for _, d := range a {
		if slices.Contains(b, d) {
			return true
		}
	}
	return false
}

// devicesOf lists the GPUs tr's operations run on, in order.
func devicesOf(tr *trace.Trace) []int64 {
	var ds []int64
	for _, col := range [][]int64{tr.Kernels.Device, tr.Memcpy.Device, tr.Memset.Device} {
		last := int64(trace.Null)
		for _, d := range col {
			if d != last && !slices.Contains(ds, d) { // operations come in runs of one device
				ds = append(ds, d)
			}
			last = d
		}
	}
	slices.Sort(ds)
	return ds
}
