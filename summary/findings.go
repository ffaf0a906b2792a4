package summary

import (
	"fmt"
	"github.com/omnistat/omnistat/reports"
	"strconv"
	"strings"

	"github.com/omnistat/omnistat/reports/stat"
	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/trace"
)

// FindingOptions are the thresholds of the findings.
type FindingOptions struct {
	DominantAPI float64 // share of CUDA API time, in percent, at which one API is "dominant" (50)
	LowUtil     float64 // GPU busy percent under which a stage is "underusing the GPU" (50)
	GapNs       int64   // GPU idle gap worth reporting, in ns (nsys's gpu_gaps default: 500 ms)
}

// DefaultFindingOptions are nsys's defaults where nsys has one.
var DefaultFindingOptions = FindingOptions{DominantAPI: 50, LowUtil: 50, GapNs: 500_000_000}

// Finding is one observation with its numbers and what to try.
type Finding struct {
	Scope   string  `json:"scope"` // a stage key, or "trace"
	ID      string  `json:"id"`    // dominant_api, pageable_async_memcpy, sync_memcpy, sync_api, gpu_gap, low_gpu_util, launch_bound, cuda_graphs, stage_overlap
	Message string  `json:"message"`
	Advice  string  `json:"advice"`
	Value   float64 `json:"value"` // the finding's main number (a percent, a count, ns)
}

// launchAPIs are the calls that launch GPU work.
var launchAPIs = []string{"cudaLaunchKernel", "cuLaunchKernel", "cudaLaunchKernelExC", "cuLaunchKernelEx", "cudaLaunchCooperativeKernel", "cudaGraphLaunch", "cuGraphLaunch"}

func isLaunch(name string) bool {
	for _, l := range launchAPIs {
		if name == l || strings.HasPrefix(name, l+"_v") {
			return true
		}
	}
	return false
}

// Findings looks at one trace (or one stage's subset of it, scope naming it).
func Findings(tr *trace.Trace, scope string, o FindingOptions) []Finding {
	return findingsOf(tr, scope, o, trace.GPUSpans(tr))
}

// findingsOf is Findings with the GPU spans of tr (GPUSpans) already computed.
func findingsOf(tr *trace.Trace, scope string, o FindingOptions, spans []trace.Span) []Finding {
	var out []Finding
	in := ""
	if scope != "trace" {
		in = " in the " + scope + " stage"
	}
	// dominant CUDA API, with nsys's own share (cuda_api_sum's Time %, Num Calls and Avg; the
	// medians are not needed, so nothing is sorted)
	if name, total, calls, all := topAPI(tr); all > 0 {
		share := stat.Percent(total, all)
		if share >= o.DominantAPI {
			f := Finding{Scope: scope, ID: "dominant_api", Value: share,
				Message: fmt.Sprintf("%s takes %.1f%% of CUDA API time%s (%s calls, avg %s ns)", name, share, in, WithSep(calls), FloatSep(float64(total)/float64(calls)))}
			switch {
			case strings.HasPrefix(name, "cudaMemcpy") || strings.HasPrefix(name, "cuMemcpy"):
				f.Advice = "the CPU waits in copies: a copy into pageable host memory blocks until the GPU work before it is done; copy into pinned memory with non_blocking and synchronise only where the value is needed"
			case strings.Contains(name, "Synchronize"):
				f.Advice = "the CPU waits for the GPU: overlap host work with the GPU, or synchronise less often"
			case isLaunch(name):
				f.Advice = "launch-bound: many small kernels; capture the step into a CUDA graph or fuse kernels"
			default:
				f.Advice = "look at where this call is made and whether it can move out of the hot loop"
			}
			out = append(out, f)
		}
	}
	out = append(out, copyFindings(tr, scope, in)...)
	// synchronization APIs
	var syncT, apiT int64
	var syncN int
	isSync := ByName(tr, func(n string) bool {
		return strings.Contains(n, "DeviceSynchronize") || strings.Contains(n, "StreamSynchronize") || n == "cuCtxSynchronize"
	})
	for i := range tr.Runtime.Start {
		d := tr.Runtime.End[i] - tr.Runtime.Start[i]
		apiT += d
		if isSync(tr.Runtime.NameID[i]) {
			syncT += d
			syncN++
		}
	}
	if apiT > 0 && syncN > 0 && stat.Percent(syncT, apiT) >= 10 {
		p := stat.Percent(syncT, apiT)
		out = append(out, Finding{Scope: scope, ID: "sync_api", Value: p,
			Message: fmt.Sprintf("%s synchronization calls take %.1f%% of CUDA API time%s (%s ns)", WithSep(int64(syncN)), p, in, WithSep(syncT)),
			Advice:  "each synchronize stalls the CPU until the GPU drains; keep them out of per-step loops"})
	}
	out = append(out, gpuFindings(tr, scope, in, o, spans)...)
	return out
}

// topAPI is the CUDA API function (as cuda_api_sum names and groups it: by name id) with the
// most total time: its name, total, calls, and the total of all calls.
func topAPI(tr *trace.Trace) (name string, total, calls, all int64) {
	type acc struct{ total, n int64 }
	by := map[int64]*acc{}
	var last *acc
	lastID := int64(trace.Null)
	for i, id := range tr.Runtime.NameID {
		if id != lastID || last == nil {
			if last = by[id]; last == nil {
				last = &acc{}
				by[id] = last
			}
			lastID = id
		}
		d := tr.Runtime.End[i] - tr.Runtime.Start[i]
		last.total += d
		last.n++
		all += d
	}
	best := int64(trace.Null)
	for id, a := range by {
		if best == trace.Null || a.total > by[best].total || (a.total == by[best].total && reports.APIName(tr.Strings.Get(id)) < reports.APIName(tr.Strings.Get(best))) {
			best = id
		}
	}
	if best == trace.Null {
		return "", 0, 0, 0
	}
	return reports.APIName(tr.Strings.Get(best)), by[best].total, by[best].n, all
}

// ByName evaluates f once per API name id (on the name without its CUPTI suffix) and answers
// from a table afterwards: f stays off the per-row path.
func ByName(tr *trace.Trace, f func(name string) bool) func(id int64) bool {
	const unknown, no, yes = 0, 1, 2
	memo := make([]uint8, min(tr.Strings.Bound(), 1<<22)) // by dense string id; other ids use the map
	other := map[int64]bool{}
	return func(id int64) bool {
		if id >= 0 && id < int64(len(memo)) {
			switch memo[id] {
			case yes:
				return true
			case no:
				return false
			}
			v := f(reports.APIName(tr.Strings.Get(id)))
			memo[id] = no
			if v {
				memo[id] = yes
			}
			return v
		}
		v, ok := other[id]
		if !ok {
			v = f(reports.APIName(tr.Strings.Get(id)))
			other[id] = v
		}
		return v
	}
}

// copyFindings reports async copies touching pageable memory (nsys's cuda_memcpy_async rule) and
// synchronous copies (cuda_memcpy_sync).
func copyFindings(tr *trace.Trace, scope, in string) []Finding {
	calls := tr.Calls()
	var asyncN, syncN int
	var asyncT, syncT, memT int64
	m := &tr.Memcpy
	for i := range m.Start {
		d := m.End[i] - m.Start[i]
		memT += d
		c := calls.Call(m.GlobalPID[i], m.CorrID[i])
		if c < 0 {
			continue
		}
		name := tr.Strings.Get(tr.Runtime.NameID[c])
		if !strings.HasPrefix(name, "cudaMemcpy") && !strings.HasPrefix(name, "cuMemcpy") {
			continue
		}
		if strings.Contains(name, "Async") {
			if m.SrcKind[i] == 0 || m.DstKind[i] == 0 {
				asyncN++
				asyncT += tr.Runtime.End[c] - tr.Runtime.Start[c]
			}
		} else if !(m.CopyKind[i] == 1 && m.Bytes[i] <= 64000) {
			syncN++
			syncT += tr.Runtime.End[c] - tr.Runtime.Start[c]
		}
	}
	var out []Finding
	if asyncN > 0 {
		out = append(out, Finding{Scope: scope, ID: "pageable_async_memcpy", Value: float64(asyncN),
			Message: fmt.Sprintf("%s asynchronous copies%s use pageable host memory; their API calls take %s ns", WithSep(int64(asyncN)), in, WithSep(asyncT)),
			Advice:  "an async copy to or from pageable memory is synchronous for the host: allocate the host buffer pinned (cudaHostAlloc, pin_memory=True)"})
	}
	if syncN > 0 {
		out = append(out, Finding{Scope: scope, ID: "sync_memcpy", Value: float64(syncN),
			Message: fmt.Sprintf("%s synchronous copies%s (cudaMemcpy without Async) take %s ns of API time", WithSep(int64(syncN)), in, WithSep(syncT)),
			Advice:  "use cudaMemcpyAsync on a stream with pinned host memory so the copy overlaps other work"})
	}
	return out
}

// gpuFindings: idle gaps, low utilisation, launch-bound work, CUDA graph share.
func gpuFindings(tr *trace.Trace, scope, in string, o FindingOptions, spans []trace.Span) []Finding {
	var out []Finding
	if len(spans) == 0 {
		return nil
	}
	for _, set := range trace.SpanSets(tr, spans) {
		busy, gaps := trace.Union(set.Spans, o.GapNs)
		first, last := set.Spans[0].Start, set.Spans[0].End
		for _, s := range set.Spans {
			first, last = min(first, s.Start), max(last, s.End)
		}
		window := last - first
		for _, g := range gaps {
			out = append(out, Finding{Scope: scope, ID: "gpu_gap", Value: float64(g.End - g.Start),
				Message: fmt.Sprintf("%s is idle for %s ns%s (from %s ns into the window)", set.GPU, WithSep(g.End-g.Start), in, WithSep(g.Start-first)),
				Advice:  "find what the CPU does in that time (NVTX ranges, OS runtime calls): work not overlapped with the GPU"})
		}
		if window > 0 {
			if u := stat.Percent(busy, window); u < o.LowUtil {
				out = append(out, Finding{Scope: scope, ID: "low_gpu_util", Value: u,
					Message: fmt.Sprintf("%s is busy %.1f%% of the %s ns from the first to the last GPU operation%s", set.GPU, u, WithSep(window), in),
					Advice:  "the GPU waits for the CPU: batch more work per launch, overlap stages, or move CPU work off the critical path"})
			}
		}
	}
	// launch-bound: CPU time in launch calls versus the GPU time of the kernels they launched
	var launchT int64
	var launches int
	launch := ByName(tr, isLaunch)
	for i := range tr.Runtime.Start {
		if launch(tr.Runtime.NameID[i]) {
			launchT += tr.Runtime.End[i] - tr.Runtime.Start[i]
			launches++
		}
	}
	var kernT int64
	nk := tr.Kernels.Len()
	graphK := 0
	for i := range tr.Kernels.Start {
		kernT += tr.Kernels.End[i] - tr.Kernels.Start[i]
		if g := tr.Kernels.GraphNodeID[i]; g != trace.Null && g != 0 {
			graphK++
		}
	}
	if nk > 0 {
		med := -1.0 // the median kernel, selected only when the finding needs it
		median := func() float64 {
			if med < 0 {
				kd := make([]int64, nk)
				for i := range kd {
					kd[i] = tr.Kernels.End[i] - tr.Kernels.Start[i]
				}
				med = stat.Median(kd)
			}
			return med
		}
		if launchT > kernT || (launches > 1000 && median() < 10000) {
			out = append(out, Finding{Scope: scope, ID: "launch_bound", Value: float64(launchT),
				Message: fmt.Sprintf("%s launch calls take %s ns of CPU time%s against %s ns of GPU time for %s kernels (median kernel %s ns)",
					WithSep(int64(launches)), WithSep(launchT), in, WithSep(kernT), WithSep(int64(nk)), FloatSep(median())),
				Advice: "many short kernels: capture the repeated step into a CUDA graph (one launch per step) or fuse kernels"})
		}
		share := stat.Percent(int64(graphK), int64(nk))
		out = append(out, Finding{Scope: scope, ID: "cuda_graphs", Value: share,
			Message: fmt.Sprintf("%.1f%% of the kernels%s run inside CUDA graphs (%s of %s)", share, in, WithSep(int64(graphK)), WithSep(int64(nk))),
			Advice:  graphAdvice(share)})
	}
	return out
}

func graphAdvice(share float64) string {
	if share >= 50 {
		return "launch overhead is already amortised by graphs; look at the kernels themselves"
	}
	return "repeated steps (decode steps, denoising steps) are candidates for CUDA graphs"
}

// WithSep formats n with thousands separators.
func WithSep(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// FloatSep formats a one-decimal float with thousands separators: 1,839,324.4.
func FloatSep(x float64) string {
	s := stat.PyFloat(stat.Round(x, 1))
	i, f, _ := strings.Cut(s, ".")
	n, err := strconv.ParseInt(i, 10, 64)
	if err != nil {
		return s
	}
	return WithSep(n) + "." + f
}

// FindingsTable turns findings into a table.
func FindingsTable(fs []Finding) *table.Table {
	t := &table.Table{Name: "findings", Title: "Findings",
		Columns: []table.Column{{Name: "Scope"}, {Name: "Finding"}, {Name: "What"}, {Name: "Try"}}}
	for _, f := range fs {
		t.Rows = append(t.Rows, []table.Value{table.Str(f.Scope), table.Str(f.ID), table.Str(f.Message), table.Str(f.Advice)})
	}
	return t
}
