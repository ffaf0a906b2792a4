package reports

import (
	"testing"

	"github.com/omnistat/omnistat/trace"
)

// A range on one thread and a launch on another thread of the same process: nsys's projection
// leaves the range out; the by-process option (labelled, beyond nsys) projects it.
func TestProjectByProcess(t *testing.T) {
	const pid = int64(0x1_000064_000000) // machine 1, PID 100
	main, worker := pid|100, pid|101
	null := trace.Null
	tr := &trace.Trace{
		Strings: trace.NewStrings([]int64{0, 1, 2}, []string{"step", "cudaLaunchKernel_v7000", "k"}),
		Runtime: trace.APICalls{Start: []int64{120}, End: []int64{130}, GlobalTID: trace.CodesOf([]int64{worker}), CorrID: trace.CorrIDs{7}, NameID: trace.StrIDs{1}},
		Kernels: trace.Kernels{Start: []int64{150}, End: []int64{180}, GlobalPID: trace.CodesOf([]int64{pid}), CorrID: trace.CorrIDs{7}, Device: trace.CodesOf([]int64{0}),
			Demangled: trace.StrIDs{2}, Short: trace.StrIDs{2}, Mangled: trace.StrIDs{trace.Null32}, GraphNodeID: []int64{null}},
		NVTX: trace.NVTX{Start: []int64{100}, End: []int64{200}, EventType: []int64{trace.NVTXPushPopRange}, RangeID: []int64{null},
			Category: []int64{null}, Color: []int64{null}, GlobalTID: []int64{main}, EndGlobalTID: []int64{null}, TextID: []int64{0},
			Text: []int32{-1}, DomainID: []int64{0}, Payload: []int64{null}},
	}
	if got := ProjectRanges(tr); len(got) != 0 {
		t.Errorf("thread projection (nsys): %+v, want none", got)
	}
	got := ProjectRangesByProcess(tr)
	if len(got) != 1 || got[0].ProjStart != 150 || got[0].ProjEnd != 180 || got[0].Ops != 1 {
		t.Errorf("process projection: %+v", got)
	}
	if tb := NVTXGPUProjSumByProcess(tr); len(tb.Rows) != 1 || tb.Rows[0][0].S != ":step" || tb.Rows[0][2].I != 30 {
		t.Errorf("table: %+v", tb.Rows)
	}
}
