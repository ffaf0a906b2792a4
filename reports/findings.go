package reports

import (
	"fmt"
	"slices"
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
	return findingsOf(tr, scope, o, GPUSpans(tr))
}

// findingsOf is Findings with the GPU spans of tr (GPUSpans) already computed.
func findingsOf(tr *trace.Trace, scope string, o FindingOptions, spans []interval) []Finding {
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
				Message: fmt.Sprintf("%s takes %.1f%% of CUDA API time%s (%s calls, avg %s ns)", name, share, in, withSep(calls), floatSep(float64(total)/float64(calls)))}
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
	isSync := byName(tr, func(n string) bool {
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
			Message: fmt.Sprintf("%s synchronization calls take %.1f%% of CUDA API time%s (%s ns)", withSep(int64(syncN)), p, in, withSep(syncT)),
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
		if best == trace.Null || a.total > by[best].total || (a.total == by[best].total && APIName(tr.Strings.Get(id)) < APIName(tr.Strings.Get(best))) {
			best = id
		}
	}
	if best == trace.Null {
		return "", 0, 0, 0
	}
	return APIName(tr.Strings.Get(best)), by[best].total, by[best].n, all
}

// byName evaluates f once per API name id (on the name without its CUPTI suffix) and answers
// from a table afterwards: f stays off the per-row path.
func byName(tr *trace.Trace, f func(name string) bool) func(id int64) bool {
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
			v := f(APIName(tr.Strings.Get(id)))
			memo[id] = no
			if v {
				memo[id] = yes
			}
			return v
		}
		v, ok := other[id]
		if !ok {
			v = f(APIName(tr.Strings.Get(id)))
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
			Message: fmt.Sprintf("%s asynchronous copies%s use pageable host memory; their API calls take %s ns", withSep(int64(asyncN)), in, withSep(asyncT)),
			Advice:  "an async copy to or from pageable memory is synchronous for the host: allocate the host buffer pinned (cudaHostAlloc, pin_memory=True)"})
	}
	if syncN > 0 {
		out = append(out, Finding{Scope: scope, ID: "sync_memcpy", Value: float64(syncN),
			Message: fmt.Sprintf("%s synchronous copies%s (cudaMemcpy without Async) take %s ns of API time", withSep(int64(syncN)), in, withSep(syncT)),
			Advice:  "use cudaMemcpyAsync on a stream with pinned host memory so the copy overlaps other work"})
	}
	return out
}

// interval is a half-open time span.
type interval struct{ s, e int64 }

// union is the total length covered by the spans, and the gaps between them above min.
func union(spans []interval, min int64) (busy int64, gaps []interval) {
	if len(spans) == 0 {
		return 0, nil
	}
	if !slices.IsSortedFunc(spans, func(a, b interval) int { return cmpInt64(a.s, b.s) }) {
		slices.SortFunc(spans, func(a, b interval) int { return cmpInt64(a.s, b.s) })
	}
	cur := spans[0]
	for _, x := range spans[1:] {
		if x.s > cur.e {
			busy += cur.e - cur.s
			if x.s-cur.e > min {
				gaps = append(gaps, interval{cur.e, x.s})
			}
			cur = x
		} else if x.e > cur.e {
			cur.e = x.e
		}
	}
	return busy + cur.e - cur.s, gaps
}

// GPUSpans lists the time covered by the GPU operations of tr (kernels, memcpy, memset) as
// spans sorted by start and disjoint (overlapping or touching operations joined). Each table is
// nearly sorted already (records come in stream order), so a table is copied and sorted only
// when it must be; the three are merged straight from their columns.
func GPUSpans(tr *trace.Trace) []interval {
	var lists []spanList
	n := 0
	for _, c := range [][2][]int64{{tr.Kernels.Start, tr.Kernels.End}, {tr.Memcpy.Start, tr.Memcpy.End}, {tr.Memset.Start, tr.Memset.End}} {
		lists = append(lists, sortedRuns(c[0], c[1])...)
		n += len(c[0])
	}
	return mergeSpans(lists, n)
}

// mergeSpans merges sorted span lists into sorted disjoint spans; n bounds how many there are.
func mergeSpans(lists []spanList, n int) []interval {
	out := make([]interval, 0, n)
	for {
		best := -1
		for l := range lists {
			if lists[l].i < len(lists[l].s) && (best < 0 || lists[l].s[lists[l].i] < lists[best].s[lists[best].i]) {
				best = l
			}
		}
		if best < 0 {
			return clipSpans(out)
		}
		b := &lists[best]
		out = coalesce(out, interval{b.s[b.i], b.e[b.i]})
		b.i++
	}
}

// coalesce appends x, which starts no earlier than the last span of out, joining the two when
// they overlap or touch.
func coalesce(out []interval, x interval) []interval {
	if n := len(out); n > 0 && x.s <= out[n-1].e {
		out[n-1].e = max(out[n-1].e, x.e)
		return out
	}
	return append(out, x)
}

// unionSpans merges lists of sorted disjoint spans (the stages' GPUSpans) into the sorted
// disjoint spans of all of them: GPUSpans of the whole trace, without going back to its tables.
func unionSpans(lists [][]interval) []interval {
	n := 0
	for _, l := range lists {
		n += len(l)
	}
	out := make([]interval, 0, n)
	at := make([]int, len(lists))
	for {
		best := -1
		for l := range lists {
			if at[l] < len(lists[l]) && (best < 0 || lists[l][at[l]].s < lists[best][at[best]].s) {
				best = l
			}
		}
		if best < 0 {
			return clipSpans(out)
		}
		out = coalesce(out, lists[best][at[best]])
		at[best]++
	}
}

// clipSpans gives back the unused room of spans merged into far fewer than their bound.
func clipSpans(out []interval) []interval {
	if len(out) < cap(out)/2 {
		return slices.Clone(out)
	}
	return out
}

// spanList walks the start and end columns of one table (or a run of it) in start order.
type spanList struct {
	s, e []int64
	i    int
}

// maxRuns is the most sorted runs of one table that GPUSpans merges as they are; a table in
// more pieces is copied and sorted.
const maxRuns = 8

// sortedRuns splits the columns into their sorted runs: a table read from an export is sorted by
// start, and a whole trace whose rows were made stage-contiguous is one run per stage. Columns
// in more than maxRuns runs come back as one sorted copy.
func sortedRuns(start, end []int64) []spanList {
	var runs []spanList
	from := 0
	for i := 1; i <= len(start) && len(runs) <= maxRuns; i++ {
		if i == len(start) || start[i] < start[i-1] {
			runs = append(runs, spanList{s: start[from:i], e: end[from:i]})
			from = i
		}
	}
	if len(runs) <= maxRuns {
		return runs
	}
	iv := make([]interval, len(start))
	for i := range start {
		iv[i] = interval{start[i], end[i]}
	}
	slices.SortFunc(iv, func(a, b interval) int { return cmpInt64(a.s, b.s) })
	s, e := make([]int64, len(iv)), make([]int64, len(iv))
	for i, x := range iv {
		s[i], e[i] = x.s, x.e
	}
	return []spanList{{s: s, e: e}}
}

// gpuFindings: idle gaps, low utilisation, launch-bound work, CUDA graph share.
func gpuFindings(tr *trace.Trace, scope, in string, o FindingOptions, spans []interval) []Finding {
	var out []Finding
	if len(spans) == 0 {
		return nil
	}
	for _, set := range spanSets(tr, spans) {
		busy, gaps := union(set.spans, o.GapNs)
		first, last := set.spans[0].s, set.spans[0].e
		for _, s := range set.spans {
			first, last = min(first, s.s), max(last, s.e)
		}
		window := last - first
		for _, g := range gaps {
			out = append(out, Finding{Scope: scope, ID: "gpu_gap", Value: float64(g.e - g.s),
				Message: fmt.Sprintf("%s is idle for %s ns%s (from %s ns into the window)", set.gpu, withSep(g.e-g.s), in, withSep(g.s-first)),
				Advice:  "find what the CPU does in that time (NVTX ranges, OS runtime calls): work not overlapped with the GPU"})
		}
		if window > 0 {
			if u := stat.Percent(busy, window); u < o.LowUtil {
				out = append(out, Finding{Scope: scope, ID: "low_gpu_util", Value: u,
					Message: fmt.Sprintf("%s is busy %.1f%% of the %s ns from the first to the last GPU operation%s", set.gpu, u, withSep(window), in),
					Advice:  "the GPU waits for the CPU: batch more work per launch, overlap stages, or move CPU work off the critical path"})
			}
		}
	}
	// launch-bound: CPU time in launch calls versus the GPU time of the kernels they launched
	var launchT int64
	var launches int
	launch := byName(tr, isLaunch)
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
					withSep(int64(launches)), withSep(launchT), in, withSep(kernT), withSep(int64(nk)), floatSep(median())),
				Advice: "many short kernels: capture the repeated step into a CUDA graph (one launch per step) or fuse kernels"})
		}
		share := stat.Percent(int64(graphK), int64(nk))
		out = append(out, Finding{Scope: scope, ID: "cuda_graphs", Value: share,
			Message: fmt.Sprintf("%.1f%% of the kernels%s run inside CUDA graphs (%s of %s)", share, in, withSep(int64(graphK)), withSep(int64(nk))),
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

// withSep formats n with thousands separators.
func withSep(n int64) string {
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

// floatSep formats a one-decimal float with thousands separators: 1,839,324.4.
func floatSep(x float64) string {
	s := stat.PyFloat(stat.Round(x, 1))
	i, f, _ := strings.Cut(s, ".")
	n, err := strconv.ParseInt(i, 10, 64)
	if err != nil {
		return s
	}
	return withSep(n) + "." + f
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
