package reports

import (
	"fmt"

	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/trace"
)

func init() {
	skip := func(tr *trace.Trace) string {
		if tr.Kernels.Len() == 0 {
			return "does not contain CUDA kernel data."
		}
		if tr.Runtime.Len() == 0 {
			return "does not contain CUDA trace data."
		}
		return ""
	}
	register(Report{
		Name: "cuda_kern_exec_trace", Title: "CUDA Kernel Launch & Exec Time Trace", Args: []string{"base", "mangled"},
		Needs: trace.KernelTable | trace.RuntimeTable, TraceColumns: true, Skip: skip,
		Run: func(tr *trace.Trace, opt Options) *table.Table { return CUDAKernExecTrace(tr, opt) },
	})
	register(Report{
		Name: "cuda_kern_exec_sum", Title: "CUDA Kernel Launch & Exec Time Summary", Args: []string{"base", "mangled"},
		Needs: trace.KernelTable | trace.RuntimeTable, Skip: skip,
		Run: func(tr *trace.Trace, opt Options) *table.Table { return CUDAKernExecSum(tr, opt) },
	})
}

// kernelLaunch is one kernel with its launching call: the call's start and end, the queue
// (from the call's end to the kernel's start, when the kernel starts after the call ends) and
// the kernel's own times.
type kernelLaunch struct {
	kernel, call                   int
	apiStart, apiEnd, kStart, kEnd int64
}

func (l kernelLaunch) queued() bool   { return l.kStart >= l.apiEnd }
func (l kernelLaunch) total() int64   { return max(l.apiEnd, l.kEnd) - l.apiStart }
func (l kernelLaunch) apiDur() int64  { return l.apiEnd - l.apiStart }
func (l kernelLaunch) kernDur() int64 { return l.kEnd - l.kStart }

// launches calls f on every kernel joined to its launching call (nsys's inner join on
// correlation id and process: a kernel whose call is not in the trace is left out, and one whose
// call the export stores under two names comes twice), in the order of the calls' starts.
func launches(tr *trace.Trace, f func(l kernelLaunch) bool) {
	k, rt := &tr.Kernels, &tr.Runtime
	launch := tr.Launches()
	var more map[[2]int64][]int32 // every call of a (process, correlation id) that repeats
	if launch.Dups() {
		more = map[[2]int64][]int32{}
		for c := range rt.GlobalTID.Len() {
			g := rt.GlobalTID.At(c)
			key := [2]int64{trace.ProcessOf(g), int64(rt.CorrID[c])}
			more[key] = append(more[key], int32(c))
		}
	}
	kern := make([]int32, 0, k.Len())
	call := make([]int32, 0, k.Len())
	starts := make([]int64, 0, k.Len())
	for i := range k.Start {
		if more != nil {
			for _, c := range more[[2]int64{k.GlobalPID.At(i), int64(k.CorrID[i])}] {
				kern, call, starts = append(kern, int32(i)), append(call, c), append(starts, rt.Start[c])
			}
			continue
		}
		if c := launch.Kernel(i); c >= 0 {
			kern, call, starts = append(kern, int32(i)), append(call, int32(c)), append(starts, rt.Start[c])
		}
	}
	order := byStart(starts)
	for j := range kern {
		o := at(order, j)
		i, c := int(kern[o]), int(call[o])
		if !f(kernelLaunch{kernel: i, call: c, apiStart: rt.Start[c], apiEnd: rt.End[c], kStart: k.Start[i], kEnd: k.End[i]}) {
			return
		}
	}
}

// launchDims is nsys's "%4d %4d %4d" of a kernel's grid or block.
func launchDims(x, y, z []int64, i int) string {
	if x == nil {
		return ""
	}
	return fmt.Sprintf("%4d %4d %4d", x[i], y[i], z[i])
}

// dims formats launch dimensions once per distinct triple.
type dims struct {
	x, y, z []int64
	seen    map[[3]int64]string
}

func newDims(x, y, z []int64) *dims { return &dims{x: x, y: y, z: z, seen: map[[3]int64]string{}} }

func (d *dims) of(i int) string {
	if d.x == nil {
		return ""
	}
	key := [3]int64{d.x[i], d.y[i], d.z[i]}
	s, ok := d.seen[key]
	if !ok {
		s = launchDims(d.x, d.y, d.z, i)
		d.seen[key] = s
	}
	return s
}

// CUDAKernExecTrace is cuda_kern_exec_trace: every kernel with its launching call, in the
// order of the calls: the call, the queue between the call's end and the kernel's start, the
// kernel, the total from the call's start, process, thread, device, API, grid, block and name.
func CUDAKernExecTrace(tr *trace.Trace, opt Options) *table.Table {
	cols := []table.Column{
		{Name: "API Start", Unit: table.Ns}, {Name: "API Dur", Unit: table.Ns}, {Name: "Queue Start", Unit: table.Ns},
		{Name: "Queue Dur", Unit: table.Ns}, {Name: "Kernel Start", Unit: table.Ns}, {Name: "Kernel Dur", Unit: table.Ns},
		{Name: "Total Dur", Unit: table.Ns}, {Name: "PID", Unit: table.ID}, {Name: "TID", Unit: table.ID},
		{Name: "DevId", Unit: table.ID}, {Name: "API Function"}, {Name: "GridXYZ"}, {Name: "BlockXYZ"}, {Name: "Kernel Name"},
	}
	k, rt := &tr.Kernels, &tr.Runtime
	grid, block := newDims(k.GridX, k.GridY, k.GridZ), newDims(k.BlockX, k.BlockY, k.BlockZ)
	return streamTable("cuda_kern_exec_trace", "CUDA Kernel Launch & Exec Time Trace", cols, func(row []table.Value, yield func([]table.Value) bool) {
		launches(tr, func(l kernelLaunch) bool {
			i, c := l.kernel, l.call
			g := rt.GlobalTID.At(c)
			row[0], row[1] = table.I64(l.apiStart), table.I64(l.apiDur())
			row[2], row[3] = table.Value{}, table.Value{}
			if l.queued() {
				row[2], row[3] = table.I64(l.apiEnd), table.I64(l.kStart-l.apiEnd)
			}
			row[4], row[5], row[6] = table.I64(l.kStart), table.I64(l.kernDur()), table.I64(l.total())
			row[7], row[8], row[9] = table.I64(trace.PID(g)), table.I64(trace.TID(g)), intOrNull(k.Device.At(i))
			row[10] = table.Str(APIName(tr.Strings.Get(int64(rt.NameID[c]))))
			row[11], row[12] = table.Str(grid.of(i)), table.Str(block.of(i))
			row[13] = table.Str(KernelName(tr, i, opt.KernelName))
			return yield(row)
		})
	})
}
