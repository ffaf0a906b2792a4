package reports

import (
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/trace"
)

// Tests written against the survivors of gremlins' run over nvtx_gpu_proj_sum.go and
// nvtx_kern_sum.go (EQUIV-H.md lists the equivalent ones), on small traces built by hand with
// the expected rows worked out from the rule (docs/reports.md, nsys-stats-semantics.md).

// projTB builds a trace by hand: NVTX ranges named by string id, CUDA calls (all named
// cudaLaunchKernel) and the kernels they launch (named by string id).
type projTB struct{ tr *trace.Trace }

// string ids: 0 "a", 1 "b", 2 "r", 3 "cudaLaunchKernel_v7000", 4 "ka", 5 "kb"
func newProjTB() *projTB {
	return &projTB{tr: &trace.Trace{Strings: trace.NewStrings([]int64{0, 1, 2, 3, 4, 5},
		[]string{"a", "b", "r", "cudaLaunchKernel_v7000", "ka", "kb"})}}
}

func (b *projTB) rng(tid, s, e, typ, text int64) {
	n, null := &b.tr.NVTX, trace.Null
	n.Start, n.End, n.EventType = append(n.Start, s), append(n.End, e), append(n.EventType, typ)
	n.GlobalTID, n.EndGlobalTID = append(n.GlobalTID, tid), append(n.EndGlobalTID, null)
	n.RangeID, n.Category, n.Color = append(n.RangeID, null), append(n.Category, null), append(n.Color, null)
	n.TextID, n.Text, n.DomainID, n.Payload = append(n.TextID, text), append(n.Text, -1), append(n.DomainID, 0), append(n.Payload, null)
}

func (b *projTB) call(tid, s, e, corr int64) {
	rt := &b.tr.Runtime
	rt.Start, rt.End, rt.GlobalTID, rt.CorrID, rt.NameID = append(rt.Start, s), append(rt.End, e), rt.GlobalTID.Append(tid), append(rt.CorrID, int32(corr)), append(rt.NameID, 3)
}

func (b *projTB) kernel(pid, corr, s, e, name int64) {
	k, null := &b.tr.Kernels, trace.Null
	k.Start, k.End, k.GlobalPID, k.CorrID, k.Device = append(k.Start, s), append(k.End, e), k.GlobalPID.Append(pid), append(k.CorrID, int32(corr)), k.Device.Append(0)
	k.Demangled, k.Short, k.Mangled, k.GraphNodeID = append(k.Demangled, int32(name)), append(k.Short, int32(name)), append(k.Mangled, trace.Null32), append(k.GraphNodeID, null)
}

// kernSumRows is nvtx_kern_sum's rows as "range|style|pid|tid|nvtxInst|kernInst|total|kernel".
func kernSumRows(tr *trace.Trace) []string {
	var out []string
	for _, r := range NVTXKernSum(tr, Options{}).Rows {
		out = append(out, fmt.Sprintf("%s|%s|%s|%s|%d|%d|%d|%s", r[0].S, r[1].S, r[2].S, r[3].S, r[4].I, r[5].I, r[6].I, r[12].S))
	}
	return out
}

func checkRows(t *testing.T, what string, got, want []string) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s:\n got  %q\n want %q", what, got, want)
	}
}

// nvtx_kern_sum orders rows by range, PID, TID (ORDER BY range, pid, tid, total DESC): one range
// name on three threads, where PID order and TID order disagree (PID 100 TID 300, PID 100 TID
// 200, PID 200 TID 150) and the larger total is on the later thread.
func TestNVTXKernSumOrderByPIDThenTID(t *testing.T) {
	p100, p200 := int64(0x1_000064_000000), int64(0x1_0000c8_000000)
	b := newProjTB()
	for i, th := range []struct{ tid, dur int64 }{{p200 | 150, 50}, {p100 | 300, 40}, {p100 | 200, 30}} {
		b.rng(th.tid, 0, 100, trace.NVTXPushPopRange, 2)
		b.call(th.tid, 10, 20, int64(i+1))
		b.kernel(trace.ProcessOf(th.tid), int64(i+1), 200, 200+th.dur, 4)
	}
	checkRows(t, "rows", kernSumRows(b.tr), []string{
		":r|PushPop|100|200|1|1|30|ka", ":r|PushPop|100|300|1|1|40|ka", ":r|PushPop|200|150|1|1|50|ka",
	})
}

// Kernels outside every range: a row with empty PID and TID (the launching call is not in the
// export) sorts before the row of a launching thread, as SQLite puts NULL first, even a thread
// whose TID is 0 and whose row has the larger total; and a kernel launched by the export's first
// CUDA call (runtime row 0) outside every range takes that call's thread.
func TestNVTXKernSumOutsideRangesNullFirst(t *testing.T) {
	p := int64(0x1_000064_000000)
	b := newProjTB()
	b.rng(p|7, 1000, 1001, trace.NVTXPushPopRange, 2) // a range enclosing nothing
	b.call(p|0, 10, 20, 1)                            // runtime row 0, thread with TID 0
	b.kernel(p, 1, 100, 190, 4)                       // 90 ns, launched by row 0
	b.kernel(p, 9, 300, 310, 4)                       // 10 ns, its call is not in the export
	checkRows(t, "rows", kernSumRows(b.tr), []string{"||||0|1|10|ka", "||100|0|0|1|90|ka"})
}

// An export that stores one call under two names (two runtime rows with one correlation id):
// nsys joins the kernel to both, so it counts twice in the total (Kern Inst once), inside a
// range and outside every range alike.
func TestNVTXKernSumDuplicateCallsCountTwice(t *testing.T) {
	p := int64(0x1_000064_000000)
	b := newProjTB()
	b.rng(p|5, 0, 100, trace.NVTXPushPopRange, 0)
	b.call(p|5, 10, 20, 1)
	b.call(p|5, 10, 20, 1)      // the same call under its second name
	b.kernel(p, 1, 200, 230, 4) // 30 ns, in range a
	b.call(p|5, 150, 160, 2)
	b.call(p|5, 150, 160, 2)
	b.kernel(p, 2, 300, 307, 5) // 7 ns, outside
	checkRows(t, "rows", kernSumRows(b.tr), []string{"||100|5|0|1|14|kb", ":a|PushPop|100|5|1|1|60|ka"})
}

// A projection's reductions: the parts write their own accumulators, emptied before each
// reduction of the pool (the second reduction sees none of the first's), and are added into the
// total, which only a call covering all of [0, n) writes directly (a part writing it while the
// others are added into it would race). 1<<16 rows over three ranges on two procs: two parts.
func TestProjPoolPartsOwnAccumulators(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	const n = 1 << 16
	var mu sync.Mutex
	type call struct {
		a      *projAcc
		lo, hi int
	}
	var calls []call
	total, pool := newProjAcc(3), &projPool{}
	for round := range 2 {
		calls = nil
		pool.reduce(total, n, 3, func(a *projAcc, lo, hi int) {
			a.ops[round] += hi - lo
			a.start[round] = min(a.start[round], int64(lo+round))
			a.end[round] = max(a.end[round], int64(hi+round))
			mu.Lock()
			calls = append(calls, call{a, lo, hi})
			mu.Unlock()
		})
		if len(calls) != 2 {
			t.Errorf("round %d: %d parts, want 2", round, len(calls))
		}
		for _, c := range calls {
			if c.a == total && (c.lo != 0 || c.hi != n) {
				t.Errorf("round %d: part [%d, %d) wrote the total", round, c.lo, c.hi)
			}
		}
	}
	for r, want := range [][3]int64{{n, 0, n}, {n, 1, n + 1}, {0, 1<<63 - 1, -1 << 63}} {
		if got := [3]int64{int64(total.ops[r]), total.start[r], total.end[r]}; got != want {
			t.Errorf("range %d: ops, start, end %v, want %v", r, got, want)
		}
	}
}

// The tightest enclosing range is the parent even at timestamps near 2^62 ns, where a cost that
// is not a difference of two nearby instants would overflow int64: a2 [0,2000] holds a1
// [10,110] holds i [20,100] (offsets from 2^62-1000); i's call launches a kernel.
func TestProjectionParentNearMaxTimestamp(t *testing.T) {
	const base = int64(1)<<62 - 1000
	p := int64(0x1_000064_000000)
	b := newProjTB()
	for _, r := range [][2]int64{{0, 2000}, {10, 110}, {20, 100}} {
		b.rng(p|1, base+r[0], base+r[1], trace.NVTXPushPopRange, 2)
	}
	b.call(p|1, base+30, base+40, 1)
	b.kernel(p, 1, base+50, base+60, 4)
	var got []string
	for _, pr := range ProjectRanges(b.tr) {
		got = append(got, fmt.Sprintf("row %d level %d children %d", pr.Row, pr.Level, pr.Children))
	}
	checkRows(t, "projected ranges", got, []string{"row 0 level 0 children 1", "row 1 level 1 children 1", "row 2 level 2 children 0"})
}

// ProjectRanges comes in thread order (then range start): a range of thread 200 starting first
// comes after the ranges of thread 100.
func TestProjectRangesThreadOrder(t *testing.T) {
	p := int64(0x1_000064_000000)
	b := newProjTB()
	b.rng(p|200, 0, 100, trace.NVTXPushPopRange, 0) // row 0
	b.rng(p|100, 50, 150, trace.NVTXPushPopRange, 1)
	b.call(p|200, 10, 20, 1)
	b.kernel(p, 1, 200, 210, 4)
	b.call(p|100, 60, 70, 2)
	b.kernel(p, 2, 300, 310, 4)
	var got []string
	for _, pr := range ProjectRanges(b.tr) {
		got = append(got, fmt.Sprint(pr.Row))
	}
	checkRows(t, "rows", got, []string{"1", "0"})
}

// nvtx_gpu_proj_sum: groups of equal total projected time come by name (as nsys's nvtx_sum
// does), whatever order the ranges come in: "b" on the first thread, "a" on the second.
func TestNVTXGPUProjSumTieByName(t *testing.T) {
	p := int64(0x1_000064_000000)
	b := newProjTB()
	b.rng(p|1, 0, 100, trace.NVTXPushPopRange, 1)
	b.rng(p|2, 0, 100, trace.NVTXPushPopRange, 0)
	b.call(p|1, 10, 20, 1)
	b.kernel(p, 1, 200, 210, 4)
	b.call(p|2, 10, 20, 2)
	b.kernel(p, 2, 300, 310, 4)
	var got []string
	for _, r := range NVTXGPUProjSum(b.tr).Rows {
		got = append(got, fmt.Sprintf("%s %d", r[0].S, r[2].I))
	}
	checkRows(t, "rows", got, []string{":a 10", ":b 10"})
}

// nvtx_gpu_proj_trace lists the projected ranges by range start, not by row (row 0 starts at
// 50, row 1 at 10), and ranges starting together by row, i.e. by RangeId, whichever is longer
// (row 2 before row 3, which holds it; row 4 before row 5, which it holds).
func TestNVTXGPUProjTraceOrder(t *testing.T) {
	p := int64(0x1_000064_000000)
	b := newProjTB()
	b.rng(p|1, 50, 60, trace.NVTXPushPopRange, 0)
	b.rng(p|1, 10, 20, trace.NVTXPushPopRange, 1)
	b.rng(p|1, 100, 120, trace.NVTXPushPopRange, 0)
	b.rng(p|1, 100, 130, trace.NVTXPushPopRange, 1)
	b.rng(p|1, 400, 430, trace.NVTXPushPopRange, 0)
	b.rng(p|1, 400, 420, trace.NVTXPushPopRange, 1)
	for i, s := range []int64{52, 12, 105, 405} {
		b.call(p|1, s, s+1, int64(i+1))
		b.kernel(p, int64(i+1), 200+10*int64(i), 205+10*int64(i), 4)
	}
	var got []string
	NVTXGPUProjTrace(b.tr).Stream(func(r []table.Value) bool {
		got = append(got, fmt.Sprintf("%s@%d", r[0].S, r[3].I))
		return true
	})
	checkRows(t, "rows", got, []string{":b@10", ":a@50", ":a@100", ":b@100", ":a@400", ":b@400"})
}

// Push/pop ranges are a stack: a range popped at the same instant as the one holding it (pushed
// at 5 inside 0–10, both popped at 10) is still its child.
func TestNVTXPushPopTraceChildEndingWithParent(t *testing.T) {
	b := newProjTB()
	b.rng(0x1_000064_000001, 0, 10, trace.NVTXPushPopRange, 0)
	b.rng(0x1_000064_000001, 5, 10, trace.NVTXPushPopRange, 1)
	var got []string
	NVTXPushPopTrace(b.tr).Stream(func(r []table.Value) bool {
		got = append(got, fmt.Sprintf("%s lvl %d children %d child time %d", r[5].S, r[8].I, r[9].I, r[3].I))
		return true
	})
	checkRows(t, "rows", got, []string{":a lvl 0 children 1 child time 5", ":b lvl 1 children 0 child time 0"})
}

// A range of a NULL thread takes the launching calls of NULL threads as the walk from "no
// thread" has always taken them, in parallel parts too (the leading run crosses the parts'
// cut): not those before the first launching call of another thread, those after it. Their
// kernels are of a NULL process, as the calls' threads are.
func TestProjectionLeadingNullThreadCalls(t *testing.T) {
	null, worker := trace.Null, int64(0x1_000064_000065)
	b := newProjTB()
	b.rng(null, 0, 1_000_000_000, trace.NVTXPushPopRange, 2)
	const n = 70_000
	for i := range int64(n) {
		tid, pid := null, null
		if i == 40_000 { // one call of another thread
			tid, pid = worker, trace.ProcessOf(worker)
		}
		b.call(tid, i*100, i*100+10, i+1)
		b.kernel(pid, i+1, i*100+20, i*100+30, 4)
	}
	got := ProjectRanges(b.tr)
	if len(got) != 1 || got[0].Ops != n-40_001 || got[0].ProjStart != 40_001*100+20 || got[0].ProjEnd != (n-1)*100+30 {
		t.Fatalf("projected %+v; want the %d calls after the other thread's, from %d to %d", got, n-40_001, 40_001*100+20, (n-1)*100+30)
	}
}
