package reports

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/trace"
)

// cuda_gpu_trace on a synthetic trace: operations by start, kernels then copies then memsets on
// equal starts (UNION ALL order, cuda_gpu_trace.go); throughput bytes × (10⁹ / duration) in
// integers, NULL for a zero duration; a green context shown unless 0 (NULLIF(greenContextId, 0)).
func TestCUDAGPUTraceEqualStartsAndEdges(t *testing.T) {
	null := trace.Null
	tr := &trace.Trace{Strings: trace.NewStrings([]int64{0}, []string{"k"}), MemcpyKinds: map[int64]string{1: "Host-to-Device"}}
	k, mc, ms := &tr.Kernels, &tr.Memcpy, &tr.Memset
	k.Start, k.End, k.CorrID, k.Device, k.Demangled = []int64{100}, []int64{150}, trace.CorrIDs{1}, trace.CodesOf([]int64{0}), trace.StrIDs{0}
	mc.Start, mc.End, mc.CorrID, mc.Bytes, mc.CopyKind = []int64{100, 50}, []int64{100, 60}, trace.CorrIDs{2, 3}, []int64{64, 64}, []int64{1, 1}
	mc.SrcKind, mc.DstKind, mc.Device, mc.GreenContext = []int64{null, null}, []int64{null, null}, trace.CodesOf([]int64{0, 0}), []int64{5, 0}
	ms.Start, ms.End, ms.CorrID, ms.Bytes, ms.MemKind, ms.Device = []int64{100}, []int64{130}, trace.CorrIDs{4}, []int64{8}, []int64{null}, trace.CodesOf([]int64{0})
	cell := func(v table.Value) string {
		switch v.Kind {
		case table.Null:
			return "-"
		case table.Text:
			return v.S
		}
		return strconv.FormatInt(v.I, 10)
	}
	var got []string
	CUDAGPUTrace(tr, Options{}).Stream(func(r []table.Value) bool {
		got = append(got, fmt.Sprint(cell(r[0]), " ", cell(r[2]), " ", cell(r[13]), " ", cell(r[18]), " ", cell(r[20])))
		return true
	})
	// start, correlation id, throughput, green context, name
	want := "[50 3 6400000000 - [CUDA memcpy Host-to-Device] 100 1 - - k 100 2 - 5 [CUDA memcpy Host-to-Device] 100 4 266666664 - [CUDA memset]]"
	if fmt.Sprint(got) != want {
		t.Errorf("rows\n got  %v\n want %s", got, want)
	}
}

// gpu_time_util rows of equal use come shorter first (then in run order): a 0% run of two chunks
// before a 0% run of one.
func TestGPUTimeUtilEqualUseShorterFirst(t *testing.T) {
	tr := &trace.Trace{}
	k := &tr.Kernels
	p := int64(0x1_000064_000000)
	// chunks of 100 over 1000–1400: 0%, 0%, 100%, 0% (zero-length operations mark the span's ends)
	k.Start, k.End = []int64{1000, 1200, 1400}, []int64{1000, 1300, 1400}
	k.GlobalPID, k.Device, k.Context = trace.CodesOf([]int64{p, p, p}), trace.CodesOf([]int64{0, 0, 0}), []int64{1, 1, 1}
	_, o, err := LookupRule("gpu_time_util:chunks=4:threshold=50")
	if err != nil {
		t.Fatal(err)
	}
	var got [][3]int64
	for _, r := range GPUTimeUtil(tr, o).Rows {
		got = append(got, [3]int64{int64(r[1].F), r[2].I, r[3].I})
	}
	if want := "[[0 100 1300] [0 200 1000]]"; fmt.Sprint(got) != want {
		t.Errorf("rows (use, duration, start) %v, want %s", got, want)
	}
}
