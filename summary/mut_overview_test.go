package summary

import (
	"math"
	"slices"
	"testing"

	"github.com/omnistat/omnistat/reports/stat"
	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/trace"
)

// overviewTrace is one process with work on two GPUs: kernels on 0 and 1, a copy on 1, a memset
// on 0, NVTX ranges; its events span [1_000, 20_000).
func overviewTrace() *trace.Trace {
	s := newSynth()
	s.proc(10, "worker")
	s.rng(10, "step", 1_000, 19_000)
	s.rng(10, "step", 2_000, 3_000)
	s.kernel(10, "void a()", 5_000, 2_000, 0)                             // [5000, 7000) on GPU 0
	s.kernel(10, "void b()", 6_000, 3_000, 0)                             // [6000, 9000) on GPU 0: joins the first
	s.kernel(10, "void c()", 5_500, 1_000, 1)                             // [5500, 6500) on GPU 1
	s.memcpy(10, "cudaMemcpyAsync", 10_000, 100, 2_000, 1, 1, 0, 1, 4096) // [10000, 12000) on GPU 1
	ms := &s.tr.Memset
	ms.Start, ms.End, ms.GlobalPID, ms.CorrID, ms.Device = []int64{15_000}, []int64{15_500}, trace.CodesOf([]int64{synthGPID(10)}), trace.CorrIDs{999}, trace.CodesOf([]int64{0})
	ms.Context, ms.Stream, ms.Bytes, ms.MemKind = []int64{1}, []int64{7}, []int64{64}, []int64{0}
	ms.GraphNodeID, ms.GreenContext = []int64{trace.Null}, []int64{trace.Null}
	return s.done()
}

func TestOverviewFigures(t *testing.T) {
	tr := overviewTrace()
	whole := trace.Span{Start: math.MinInt64, End: math.MaxInt64}
	o := overview(tr, stage.Stage{Key: "worker", Procs: []int64{synthGPID(10)}}, whole, false)
	// counted by hand: 4 CUDA calls (3 launches, 1 copy), 3 kernels, 1 copy, 1 memset, 2 ranges
	if o.events != 4+3+1+1+2 {
		t.Errorf("events %d, want 11", o.events)
	}
	if o.WallNs != 20_000-1_000 || o.first != 1_000 || o.last != 20_000 {
		t.Errorf("wall %d [%d, %d), want 19000 [1000, 20000)", o.WallNs, o.first, o.last)
	}
	// GPU 0: [5000, 9000) and [15000, 15500); GPU 1: [5500, 6500) and [10000, 12000)
	want := map[int64][]trace.Span{0: {{Start: 5_000, End: 9_000}, {Start: 15_000, End: 15_500}}, 1: {{Start: 5_500, End: 6_500}, {Start: 10_000, End: 12_000}}}
	for d, w := range want {
		if !slices.Equal(o.devOps[d], w) {
			t.Errorf("GPU %d operations %v, want %v", d, o.devOps[d], w)
		}
	}
	if k := o.kernelSpans(); !slices.Equal(k[0], []trace.Span{{Start: 5_000, End: 9_000}}) || !slices.Equal(k[1], []trace.Span{{Start: 5_500, End: 6_500}}) {
		t.Errorf("kernel spans %v", k)
	}
	busy := int64(4_000 + 500 + 1_000 + 2_000)
	if o.GPUBusy != busy || o.Devices != 2 || o.GPUPct != stat.Percent(busy, 19_000*2) {
		t.Errorf("busy %d on %d GPUs (%v%%), want %d on 2 (%v%%)", o.GPUBusy, o.Devices, o.GPUPct, busy, stat.Percent(busy, 38_000))
	}
	if o.MemcpyNs != 2_000 || o.MemsetNs != 500 {
		t.Errorf("memcpy %d memset %d", o.MemcpyNs, o.MemsetNs)
	}
	row := overviewTable([]StageSummary{{StageOverview: o}}).Rows[0]
	if row[5].I != 2_500 {
		t.Errorf("MemOps %d, want 2500 (copy and memset)", row[5].I)
	}
}

// A merged trace leaves out of the wall time what no window recorded; a window of one instant
// has no wall time (and no GPU share).
func TestOverviewWallWindows(t *testing.T) {
	tr := overviewTrace()
	tr.Windows = []trace.Window{{Start: 0, End: 8_000}, {Start: 9_500, End: 30_000}}
	whole := trace.Span{Start: math.MinInt64, End: math.MaxInt64}
	st := stage.Stage{Key: "worker", Procs: []int64{synthGPID(10)}}
	if o := overview(tr, st, whole, false); o.WallNs != 19_000-1_500 {
		t.Errorf("wall %d, want 17500 (1,500 ns between the windows)", o.WallNs)
	}
	tr.Windows = nil
	o := overview(tr, st, trace.Span{Start: 6_000, End: 6_000}, false)
	if o.WallNs != 0 || o.GPUPct != 0 || o.first != 0 || o.last != 0 {
		t.Errorf("an empty window: wall %d, GPU %v%%, [%d, %d]", o.WallNs, o.GPUPct, o.first, o.last)
	}
}
