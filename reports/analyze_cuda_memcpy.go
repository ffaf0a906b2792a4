package reports

import (
	"sort"
	"strings"

	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/trace"
)

func init() {
	registerRule(Rule{
		Name: "cuda_memcpy_async", Title: "CUDA Async Memcpy with Pageable Memory",
		Needs: trace.RuntimeTable | trace.MemcpyTable, Skip: skipMemRule("CUPTI_ACTIVITY_KIND_MEMCPY", "memcpy"),
		Run: func(tr *trace.Trace, opt RuleOptions) *table.Table { return CUDAMemcpyAsync(tr, opt) },
	})
	registerRule(Rule{
		Name: "cuda_memcpy_sync", Title: "CUDA Synchronous Memcpy",
		Needs: trace.RuntimeTable | trace.MemcpyTable, Skip: skipMemRule("CUPTI_ACTIVITY_KIND_MEMCPY", "memcpy"),
		Run: func(tr *trace.Trace, opt RuleOptions) *table.Table { return CUDAMemcpySync(tr, opt) },
	})
	registerRule(Rule{
		Name: "cuda_memset_sync", Title: "CUDA Synchronous Memset",
		Needs: trace.RuntimeTable | trace.MemsetTable, Skip: skipMemRule("CUPTI_ACTIVITY_KIND_MEMSET", "memset"),
		Run: func(tr *trace.Trace, opt RuleOptions) *table.Table { return CUDAMemsetSync(tr, opt) },
	})
}

// skipMemRule is the checks of nsys's memory rules, in its order: the runtime table, the
// operation table, ENUM_CUDA_MEM_KIND (nsys ≤ 2022 lacks it), then the greenContextId column
// (exports older than nsys 2023.4 lack it).
func skipMemRule(opTable, what string) func(tr *trace.Trace) string {
	return func(tr *trace.Trace) string {
		switch {
		case !tr.Has("CUPTI_ACTIVITY_KIND_RUNTIME"):
			return skipNoRuntime
		case !tr.Has(opTable):
			return "could not be analyzed because it does not contain the required CUDA data. Does the application use CUDA " + what + " APIs?"
		case !tr.Has("ENUM_CUDA_MEM_KIND"):
			return "does not contain ENUM_CUDA_MEM_KIND table."
		case !tr.HasColumn(opTable, "greenContextId"):
			return "could not be analyzed due to missing 'greenContextId'. Please re-export the report file with a recent version of Nsight Systems."
		}
		return ""
	}
}

// corrJoin lists, in nsys's join order, the pairs (runtime call, operation) with equal
// correlation ids where the call's name matches and the operation is kept: nsys's plan scans
// the runtime table in row order and finds the operations of each call through an index on
// correlationId (operations of one id in row order). Like nsys it does not check that call and
// operation belong to one process.
func corrJoin(tr *trace.Trace, names map[int32]string, opCorr []int32, keep func(j int) bool) (calls, ops []int) {
	byCorr := map[int32][]int{}
	for j, c := range opCorr {
		if c != trace.Null32 && keep(j) {
			byCorr[c] = append(byCorr[c], j)
		}
	}
	a := &tr.Runtime
	for i, id := range a.NameID {
		if _, ok := names[id]; !ok || a.CorrID[i] == trace.Null32 {
			continue
		}
		for _, j := range byCorr[a.CorrID[i]] {
			calls, ops = append(calls, i), append(ops, j)
		}
	}
	return calls, ops
}

// byDurationDesc orders the join's rows longest first, ties in join order (SQLite's sort under
// a LIMIT is stable), and cuts them to the limit.
func byDurationDesc(ops []int, start, end []int64, calls []int, rows int) ([]int, []int) {
	order := make([]int, len(ops))
	for k := range order {
		order[k] = k
	}
	sort.SliceStable(order, func(x, y int) bool {
		return end[ops[order[x]]]-start[ops[order[x]]] > end[ops[order[y]]]-start[ops[order[y]]]
	})
	order = limit(order, rows)
	c, o := make([]int, len(order)), make([]int, len(order))
	for k, v := range order {
		c[k], o[k] = calls[v], ops[v]
	}
	return c, o
}

// kindLabel is ENUM_CUDA_MEM_KIND's label of a memory kind, NULL when it has none.
func kindLabel(tr *trace.Trace, k int64) table.Value {
	if l, ok := tr.MemKinds[k]; ok && k != trace.Null {
		return table.Str(l)
	}
	return table.Value{}
}

// nullIfZero is SQL NULLIF(v, 0).
func nullIfZero(v int64) table.Value {
	if v == 0 {
		return table.Value{}
	}
	return idVal(v)
}

func memcpyRuleTable(tr *trace.Trace, name, title string, names map[int32]string, keep func(j int) bool, rows int) *table.Table {
	m := &tr.Memcpy
	calls, ops := corrJoin(Unfiltered(tr), names, m.CorrID, keep) // nsys joins main.CUPTI_ACTIVITY_KIND_RUNTIME
	calls, ops = byDurationDesc(ops, m.Start, m.End, calls, rows)
	t := &table.Table{
		Name: name, Title: title,
		Columns: []table.Column{{Name: "Duration", Unit: table.Ns}, {Name: "Start", Unit: table.Ns},
			{Name: "Src Kind"}, {Name: "Dst Kind"}, {Name: "Bytes", Unit: table.Bytes},
			{Name: "PID", Unit: table.ID}, {Name: "Device ID", Unit: table.ID}, {Name: "Context ID", Unit: table.ID},
			{Name: "Green Context ID", Unit: table.ID}, {Name: "Stream ID", Unit: table.ID}, {Name: "API Name"}},
	}
	for k, j := range ops {
		t.Rows = append(t.Rows, []table.Value{
			table.I64(m.End[j] - m.Start[j]), table.I64(m.Start[j]),
			kindLabel(tr, colAt(m.SrcKind, j)), kindLabel(tr, colAt(m.DstKind, j)), idVal(colAt(m.Bytes, j)),
			idVal(pidOf(m.GlobalPID.At(j))), idVal(codeAt(m.Device, j)), idVal(colAt(m.Context, j)),
			nullIfZero(colAt(m.GreenContext, j)), idVal(colAt(m.Stream, j)),
			table.Str(names[Unfiltered(tr).Runtime.NameID[calls[k]]]),
		})
	}
	return t
}

// The names of the copy rules.
const (
	MemcpyAsyncName = "cuda_memcpy_async"
	MemcpySyncName  = "cuda_memcpy_sync"
)

// CopyRule is the selection of a copy rule: the API names (by string id) of the calls whose
// copies it looks at, and which copies (rows of the Memcpy table) it keeps. The summary's
// findings select copies with it, so they count what the rule lists.
type CopyRule struct {
	Name  string           // the rule's name, cuda_memcpy_async or cuda_memcpy_sync
	Names map[int32]string // API names that launch the copies it looks at
	Keep  func(j int) bool // whether copy j qualifies
}

// MemcpyAsyncRule is cuda_memcpy_async's selection: copies from or to pageable memory (memory
// kind 0) made by a call named cudaMemcpy…Async… (case-insensitive).
func MemcpyAsyncRule(tr *trace.Trace) CopyRule {
	return memcpyAsyncRule(tr, usedAPIs(Unfiltered(tr)))
}

func memcpyAsyncRule(tr *trace.Trace, used apiNames) CopyRule {
	m := &tr.Memcpy
	return CopyRule{Name: MemcpyAsyncName,
		Names: used.matching(func(s string) bool {
			return strings.HasPrefix(s, "cudamemcpy") && strings.Contains(s[len("cudamemcpy"):], "async")
		}),
		Keep: func(j int) bool { return colAt(m.SrcKind, j) == 0 || colAt(m.DstKind, j) == 0 }}
}

// MemcpySyncRule is cuda_memcpy_sync's selection: copies made by a call named cudaMemcpy…
// without "async", except host-to-device copies of at most 64,000 bytes and copies whose source
// and destination device are the same. NULLs count as SQL counts them: a copy whose size or
// device ids are unknown is dropped where the condition is unknown.
func MemcpySyncRule(tr *trace.Trace) CopyRule {
	return memcpySyncRule(tr, usedAPIs(Unfiltered(tr)))
}

func memcpySyncRule(tr *trace.Trace, used apiNames) CopyRule {
	m := &tr.Memcpy
	return CopyRule{Name: MemcpySyncName,
		Names: used.matching(func(s string) bool {
			return strings.HasPrefix(s, "cudamemcpy") && !strings.Contains(s, "async")
		}),
		Keep: func(j int) bool {
			b, ck := colAt(m.Bytes, j), colAt(m.CopyKind, j)
			// NOT (bytes <= 64000 AND copyKind == 1), three-valued
			small := tri(b != trace.Null, b <= 64000)
			h2d := tri(ck != trace.Null, ck == 1)
			if and3(small, h2d) != 0 {
				return false
			}
			// NOT (srcDeviceId IS NOT NULL AND srcDeviceId == dstDeviceId)
			s, d := colAt(m.SrcDevice, j), colAt(m.DstDevice, j)
			same := tri(s != trace.Null && d != trace.Null, s == d)
			return and3(tri(true, s != trace.Null), same) == 0
		}}
}

// DriverAPI is the rule's selection over the CUDA driver's copy calls (cuMemcpy…, with or
// without Async as the rule asks), which nsys's copy rules do not look at: the same copies made
// through the driver API. Not nsys; the summary's findings count both and say how many came
// through the driver.
func (r CopyRule) DriverAPI(tr *trace.Trace) CopyRule {
	return r.driverAPI(usedAPIs(Unfiltered(tr)))
}

func (r CopyRule) driverAPI(used apiNames) CopyRule {
	async := r.Name == MemcpyAsyncName
	return CopyRule{Name: r.Name + " (driver API)", Keep: r.Keep,
		Names: used.matching(func(s string) bool {
			return strings.HasPrefix(s, "cumemcpy") && strings.Contains(s[len("cumemcpy"):], "async") == async
		})}
}

// CopyRules are MemcpyAsyncRule, MemcpySyncRule and their DriverAPI rules, from one walk of
// the calls' names.
func CopyRules(tr *trace.Trace) (async, sync, asyncDriver, syncDriver CopyRule) {
	used := usedAPIs(Unfiltered(tr))
	async, sync = memcpyAsyncRule(tr, used), memcpySyncRule(tr, used)
	return async, sync, async.driverAPI(used), sync.driverAPI(used)
}

// CUDAMemcpyAsync is nsys analyze's cuda_memcpy_async (see MemcpyAsyncRule), longest first.
func CUDAMemcpyAsync(tr *trace.Trace, opt RuleOptions) *table.Table {
	r := MemcpyAsyncRule(tr)
	return memcpyRuleTable(tr, r.Name, "CUDA Async Memcpy with Pageable Memory", r.Names, r.Keep, opt.Rows)
}

// CUDAMemcpySync is nsys analyze's cuda_memcpy_sync (see MemcpySyncRule), longest first.
func CUDAMemcpySync(tr *trace.Trace, opt RuleOptions) *table.Table {
	r := MemcpySyncRule(tr)
	return memcpyRuleTable(tr, r.Name, "CUDA Synchronous Memcpy", r.Names, r.Keep, opt.Rows)
}

// tri is an SQL truth value: 0 false, 1 true, -1 unknown (NULL).
func tri(known, v bool) int {
	switch {
	case !known:
		return -1
	case v:
		return 1
	}
	return 0
}

// and3 is SQL AND on truth values.
func and3(a, b int) int {
	switch {
	case a == 0 || b == 0:
		return 0
	case a == 1 && b == 1:
		return 1
	}
	return -1
}

// CUDAMemsetSync is nsys analyze's cuda_memset_sync: memsets of pinned or managed memory (kinds
// 1 and 4) made by a call named cudaMemset… without "async", longest first.
func CUDAMemsetSync(tr *trace.Trace, opt RuleOptions) *table.Table {
	m := &tr.Memset
	names := matchingAPIs(Unfiltered(tr), func(s string) bool {
		return strings.HasPrefix(s, "cudamemset") && !strings.Contains(s, "async")
	})
	keep := func(j int) bool { k := colAt(m.MemKind, j); return k == 1 || k == 4 }
	calls, ops := corrJoin(Unfiltered(tr), names, m.CorrID, keep) // nsys joins main.CUPTI_ACTIVITY_KIND_RUNTIME
	calls, ops = byDurationDesc(ops, m.Start, m.End, calls, opt.Rows)
	t := &table.Table{
		Name: "cuda_memset_sync", Title: "CUDA Synchronous Memset",
		Columns: []table.Column{{Name: "Duration", Unit: table.Ns}, {Name: "Start", Unit: table.Ns},
			{Name: "Memory Kind"}, {Name: "Bytes", Unit: table.Bytes},
			{Name: "PID", Unit: table.ID}, {Name: "Device ID", Unit: table.ID}, {Name: "Context ID", Unit: table.ID},
			{Name: "Green Context ID", Unit: table.ID}, {Name: "Stream ID", Unit: table.ID}, {Name: "API Name"}},
	}
	for k, j := range ops {
		t.Rows = append(t.Rows, []table.Value{
			table.I64(m.End[j] - m.Start[j]), table.I64(m.Start[j]),
			kindLabel(tr, colAt(m.MemKind, j)), idVal(colAt(m.Bytes, j)),
			idVal(pidOf(m.GlobalPID.At(j))), idVal(codeAt(m.Device, j)), idVal(colAt(m.Context, j)),
			nullIfZero(colAt(m.GreenContext, j)), idVal(colAt(m.Stream, j)),
			table.Str(names[Unfiltered(tr).Runtime.NameID[calls[k]]]),
		})
	}
	return t
}
