package reports

import (
	"slices"

	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/trace"
)

// The trace reports (cuda_gpu_trace, cuda_api_trace, …) print one row per event. They return
// streamed tables (table.Table.Stream): rows are built from the model one at a time, in order,
// into one reused row slice, so a trace of millions of events is never held as a table; what
// they keep is at most an int32 permutation per table when the rows are not already in order.

// byStart returns the rows 0..n-1 in the order of start (stable: equal starts keep row order),
// or nil when they already are in that order.
func byStart(start []int64) []int32 {
	if slices.IsSorted(start) {
		return nil
	}
	order := make([]int32, len(start))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return cmpInt64(start[a], start[b]) })
	return order
}

// at is row k of an order made by byStart.
func at(order []int32, k int) int {
	if order == nil {
		return k
	}
	return int(order[k])
}

// intOrNull is an integer cell, NULL for trace.Null.
func intOrNull(v int64) table.Value {
	if v == trace.Null {
		return table.Value{}
	}
	return table.I64(v)
}

// int32OrNull is a 32-bit id, or NULL for trace.Null32.
func int32OrNull(v int32) table.Value {
	if v == trace.Null32 {
		return table.Value{}
	}
	return table.I64(int64(v))
}

// optCol is column c of row i, or NULL when the model lacks the column.
func optCol(c []int64, i int) table.Value {
	if c == nil {
		return table.Value{}
	}
	return intOrNull(c[i])
}

// threadInfo maps a globalTid to its ThreadNames row.
func threadInfo(tr *trace.Trace) map[int64]*trace.Thread {
	m := make(map[int64]*trace.Thread, len(tr.Threads))
	for i := range tr.Threads {
		if _, ok := m[tr.Threads[i].GlobalTID]; !ok {
			m[tr.Threads[i].GlobalTID] = &tr.Threads[i]
		}
	}
	return m
}

// streamTable is a trace report's table whose rows gen yields into a reused row of len(cols).
func streamTable(name, title string, cols []table.Column, gen func(row []table.Value, yield func([]table.Value) bool)) *table.Table {
	return &table.Table{Name: name, Title: title, Columns: cols, Stream: func(yield func([]table.Value) bool) {
		gen(make([]table.Value, len(cols)), yield)
	}}
}
