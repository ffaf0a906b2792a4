package reports

import (
	"github.com/omnistat/omnistat/reports/stat"
	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/trace"
)

func init() {
	register(Report{
		Name: "cuda_gpu_mem_time_sum", Title: "CUDA GPU MemOps Summary (by Time)", Skip: skipMem,
		Needs: trace.MemcpyTable | trace.MemsetTable,
		Run:   func(tr *trace.Trace, _ Options) *table.Table { return CUDAGPUMemTimeSum(tr) },
	})
	register(Report{
		Name: "cuda_gpu_mem_size_sum", Title: "CUDA GPU MemOps Summary (by Size)", Skip: skipMem,
		Needs: trace.MemcpyTable | trace.MemsetTable,
		Run:   func(tr *trace.Trace, _ Options) *table.Table { return CUDAGPUMemSizeSum(tr) },
	})
}

func skipMem(tr *trace.Trace) string {
	if tr.Memcpy.Len() == 0 && tr.Memset.Len() == 0 {
		return "does not contain GPU memory data."
	}
	return ""
}

// MemsetName is the operation name of a memset.
const MemsetName = "[CUDA memset]"

// MemcpyName is the operation name of copy i, "[CUDA memcpy Host-to-Device]"; ok is false for a
// copy kind with no label (nsys's inner join drops those rows).
func MemcpyName(tr *trace.Trace, i int) (string, bool) {
	l, ok := tr.MemcpyKinds[tr.Memcpy.CopyKind[i]]
	if !ok {
		return "", false
	}
	return "[CUDA memcpy " + l + "]", true
}

// memGroups groups copies and memsets by operation name, valuing each by val.
func memGroups(tr *trace.Trace, copyVal, setVal func(i int) int64) []*group {
	g := newGrouper()
	byKind := map[int64]string{}
	for i := range tr.Memcpy.Start {
		kind := tr.Memcpy.CopyKind[i]
		name, ok := byKind[kind]
		if !ok {
			if name, ok = MemcpyName(tr, i); !ok {
				continue
			}
			byKind[kind] = name
		}
		g.add(name, func() []string { return []string{name} }, copyVal(i))
	}
	for i := range tr.Memset.Start {
		g.add(MemsetName, func() []string { return []string{MemsetName} }, setVal(i))
	}
	return g.list
}

// CUDAGPUMemTimeSum is cuda_gpu_mem_time_sum: memcpy and memset durations by operation.
func CUDAGPUMemTimeSum(tr *trace.Trace) *table.Table {
	groups := memGroups(tr,
		func(i int) int64 { return tr.Memcpy.End[i] - tr.Memcpy.Start[i] },
		func(i int) int64 { return tr.Memset.End[i] - tr.Memset.Start[i] })
	return &table.Table{
		Name: "cuda_gpu_mem_time_sum", Title: "CUDA GPU MemOps Summary (by Time)",
		Columns: timeColumns("Count", "Operation"),
		Rows:    timeRows(groups),
		Notes:   enumNote(tr),
	}
}

// CUDAGPUMemSizeSum is cuda_gpu_mem_size_sum: memcpy and memset sizes by operation, in bytes
// (writers show MB like nsys). No percent column, no rounding.
func CUDAGPUMemSizeSum(tr *trace.Trace) *table.Table {
	groups := memGroups(tr,
		func(i int) int64 { return tr.Memcpy.Bytes[i] },
		func(i int) int64 { return tr.Memset.Bytes[i] })
	sums := make([]stat.Summary, len(groups))
	for i, g := range groups {
		sums[i] = stat.Summarize(g.vals)
	}
	order := byTotal(sums, func(a, b int) bool { return groups[a].labels[0] < groups[b].labels[0] })
	t := &table.Table{
		Name: "cuda_gpu_mem_size_sum", Title: "CUDA GPU MemOps Summary (by Size)",
		Columns: []table.Column{
			{Name: "Total", Unit: table.Bytes}, {Name: "Count", Unit: table.Count}, {Name: "Avg", Unit: table.Bytes},
			{Name: "Med", Unit: table.Bytes}, {Name: "Min", Unit: table.Bytes}, {Name: "Max", Unit: table.Bytes},
			{Name: "StdDev", Unit: table.Bytes}, {Name: "Operation"},
		},
		Notes: enumNote(tr),
	}
	for _, i := range order {
		s := sums[i]
		t.Rows = append(t.Rows, []table.Value{
			table.I64(s.Total), table.I64(s.Count), table.F64(s.Avg), table.F64(s.Med),
			table.I64(s.Min), table.I64(s.Max), table.F64(s.StdDev), table.Str(groups[i].labels[0]),
		})
	}
	return t
}

// enumNote says when nsys itself would skip a memory report on this export.
func enumNote(tr *trace.Trace) []string {
	if tr.EnumTables || tr.Memcpy.Len() == 0 {
		return nil
	}
	return []string{"this export predates ENUM_CUDA_MEMCPY_OPER (nsys ≤ 2022): omnistat labels copy kinds itself; nsys 2025.3.1 skips this report on it"}
}
