package render_test

import (
	"io"
	"runtime"
	"testing"

	"github.com/omnistat/omnistat/render"
	"github.com/omnistat/omnistat/reports"
	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/trace"
)

// scaledTrace is a synthetic trace of n kernel launches, n/4 copies and n/8 memsets, each with
// its CUDA call on one of four threads, and nested push/pop ranges around the launches.
func scaledTrace(n int) *trace.Trace {
	const pid = int64(0x1_000064_000000)
	tr := &trace.Trace{
		Strings:     trace.NewStrings([]int64{0, 1, 2, 3, 4}, []string{"cudaLaunchKernel_v7000", "void gemv<float, 128>(float const*, float*, int)", "gemv", "cudaMemcpyAsync_v3020", "step"}),
		Threads:     []trace.Thread{{GlobalTID: pid | 100, Name: "main"}, {GlobalTID: pid | 101, Name: "worker"}},
		GPUs:        []trace.GPU{{ID: 0, Name: "NVIDIA H200"}},
		MemcpyKinds: map[int64]string{1: "Host-to-Device"},
		MemKinds:    map[int64]string{0: "Pageable", 2: "Device"},
		Tables:      map[string]bool{"TARGET_INFO_GPU": true, "ThreadNames": true},
	}
	null := trace.Null
	rt, k, mc, ms, nv := &tr.Runtime, &tr.Kernels, &tr.Memcpy, &tr.Memset, &tr.NVTX
	corr := int64(0)
	add := func(dst *[]int64, v int64) { *dst = append(*dst, v) }
	for i := 0; i < n; i++ {
		t := int64(i) * 1000
		tid := pid | int64(100+i%2)
		if i%8 == 0 { // a range around eight launches
			for _, c := range []*[]int64{&nv.Category, &nv.Color, &nv.EndGlobalTID, &nv.RangeID, &nv.Payload} {
				add(c, null)
			}
			add(&nv.Start, t)
			add(&nv.End, t+7900)
			add(&nv.EventType, trace.NVTXPushPopRange)
			add(&nv.GlobalTID, tid)
			add(&nv.TextID, 4)
			add(&nv.DomainID, 0)
			nv.Text = append(nv.Text, -1)
		}
		corr++
		add(&rt.Start, t)
		add(&rt.End, t+300)
		rt.GlobalTID = rt.GlobalTID.Append(tid)
		rt.CorrID = append(rt.CorrID, int32(corr))
		add(&rt.ReturnValue, 0)
		switch {
		case i%8 == 7:
			rt.NameID = append(rt.NameID, 3)
			add(&ms.Start, t+400)
			add(&ms.End, t+450)
			ms.GlobalPID = ms.GlobalPID.Append(pid)
			ms.CorrID = append(ms.CorrID, int32(corr))
			for _, c := range []*[]int64{&ms.Context, &ms.Stream, &ms.MemKind, &ms.GreenContext} {
				add(c, 2)
			}
			ms.Device = ms.Device.Append(2)
			add(&ms.Bytes, 4096)
			add(&ms.GraphNodeID, null)
		case i%4 == 3:
			rt.NameID = append(rt.NameID, 3)
			add(&mc.Start, t+400)
			add(&mc.End, t+900)
			mc.GlobalPID = mc.GlobalPID.Append(pid)
			mc.CorrID = append(mc.CorrID, int32(corr))
			for _, c := range []*[]int64{&mc.Context, &mc.Stream, &mc.GreenContext, &mc.SrcDevice, &mc.DstDevice, &mc.SrcKind, &mc.DstKind} {
				add(c, 0)
			}
			mc.Device = mc.Device.Append(0)
			add(&mc.Bytes, 1<<20)
			add(&mc.CopyKind, 1)
			add(&mc.GraphNodeID, null)
		default:
			rt.NameID = append(rt.NameID, 0)
			add(&k.Start, t+400)
			add(&k.End, t+800)
			k.GlobalPID = k.GlobalPID.Append(pid)
			k.CorrID = append(k.CorrID, int32(corr))
			k.Demangled = append(k.Demangled, 1)
			k.Short = append(k.Short, 2)
			k.Mangled = append(k.Mangled, trace.Null32)
			add(&k.GraphNodeID, null)
			for _, c := range []*[]int64{&k.Context, &k.Stream, &k.GridY, &k.GridZ, &k.BlockY, &k.BlockZ, &k.StaticSMem, &k.GreenContext} {
				add(c, 0)
			}
			k.Device = k.Device.Append(0)
			add(&k.GridX, int64(1+i%512))
			add(&k.BlockX, 256)
			add(&k.Registers, 32)
			add(&k.DynamicSMem, 1024)
		}
	}
	return tr
}

// allocs is the number and bytes of heap allocations f makes.
func allocs(f func()) (n, bytes uint64) {
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.Mallocs - a.Mallocs, b.TotalAlloc - a.TotalAlloc
}

// The trace reports stream: writing one allocates a bounded amount per row (no table of every
// row is built), and ten times the rows cost ten times the allocations at most, not more.
func TestTraceReportsStreamBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("builds traces of 100,000 launches")
	}
	cases := []struct {
		spec   string
		format render.Format
		// most allocations and bytes allowed per row written
		perRow, bytesPerRow float64
	}{
		{"cuda_gpu_trace", render.CSV, 0.2, 16},
		{"cuda_gpu_trace:nvtx-name", render.CSV, 0.7, 100},
		{"cuda_api_trace", render.CSV, 0.1, 16},
		{"cuda_kern_exec_trace", render.CSV, 0.1, 48},
		{"nvtx_pushpop_trace", render.CSV, 4.1, 120},
		// three passes (widths, the rule, the rows), each formatting cells into short-lived strings
		{"cuda_gpu_trace", render.Column, 40, 2000},
		{"cuda_api_trace", render.JSON, 40, 2000},
		{"cuda_gpu_trace", render.Markdown, 40, 2000},
	}
	small, big := scaledTrace(10_000), scaledTrace(100_000)
	for _, c := range cases {
		r, opt, err := reports.Lookup(c.spec)
		if err != nil {
			t.Fatal(err)
		}
		var perRow [2]float64
		for j, tr := range []*trace.Trace{small, big} {
			rows := 0
			var tb *table.Table
			n, b := allocs(func() {
				tb = r.Run(tr, opt)
				if err := render.Write(io.Discard, c.format, tb, render.Options{}); err != nil {
					t.Fatal(err)
				}
			})
			tb.Each(func([]table.Value) bool { rows++; return true })
			if tb.Stream == nil {
				t.Fatalf("%s is not streamed", c.spec)
			}
			perRow[j] = float64(n) / float64(rows)
			bpr := float64(b) / float64(rows)
			t.Logf("%s %s: %d rows, %.2f allocations and %.0f bytes per row", c.spec, c.format, rows, perRow[j], bpr)
			if j == 1 && (perRow[j] > c.perRow || bpr > c.bytesPerRow) {
				t.Errorf("%s %s: %.2f allocations, %.0f bytes per row; want at most %.1f, %.0f", c.spec, c.format, perRow[j], bpr, c.perRow, c.bytesPerRow)
			}
		}
		if perRow[1] > perRow[0]*1.2+0.05 {
			t.Errorf("%s: allocations per row grow with the trace: %.2f at 10k launches, %.2f at 100k", c.spec, perRow[0], perRow[1])
		}
	}
}

// BenchmarkCUDAGPUTraceCSV reports the cost of cuda_gpu_trace as CSV per row (allocs/op is per
// whole report of 200,000 launches; see the rows/op metric).
func BenchmarkCUDAGPUTraceCSV(b *testing.B) {
	tr := scaledTrace(200_000)
	r, opt, _ := reports.Lookup("cuda_gpu_trace")
	b.ReportAllocs()
	for b.Loop() {
		if err := render.Write(io.Discard, render.CSV, r.Run(tr, opt), render.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
