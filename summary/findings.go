package summary

import (
	"fmt"
	"slices"
	"strings"

	"github.com/omnistat/omnistat/internal/par"
	"github.com/omnistat/omnistat/internal/timing"
	"github.com/omnistat/omnistat/reports"
	"github.com/omnistat/omnistat/reports/stat"
	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/trace"
)

// FindingOptions are the thresholds of the findings.
type FindingOptions struct {
	DominantAPI float64 // share of CUDA API time, in percent, at which one API is "dominant" (50)
	LowUtil     float64 // GPU busy percent under which a stage is "underusing the GPU" (50)
	// GapNs is the idle gap that is always reported (nsys's gpu_gaps default: 500 ms); with a
	// step range, shorter gaps are reported too when longer than one steady step and GapFloorNs.
	GapNs int64
	// GapFloorNs is the shortest gap reported against the step time (1 ms; 0 means the default).
	GapFloorNs int64
	// CopyShare is the share of GPU busy time, in percent, at which copies bind a stage (50;
	// 0 means the default).
	CopyShare float64
	// window is the filter window (Options.Window): GPU time outside it is not judged; nil: none.
	window *Window
}

// DefaultFindingOptions are nsys's defaults where nsys has one.
var DefaultFindingOptions = FindingOptions{DominantAPI: 50, LowUtil: 50, GapNs: 500_000_000, GapFloorNs: 1_000_000, CopyShare: 50}

// The fixed thresholds of the findings (docs/summarize.md, "Findings").
const (
	syncShare      = 10.0   // sync_api: synchronize calls' share of CUDA API time, in percent
	minLaunches    = 100    // launch_bound: launches outside graphs in the steady window
	shortKernelNs  = 10_000 // launch_bound: a median kernel under this is short
	graphsDone     = 90.0   // percent of kernels in graphs above which no graph advice is given
	graphsMost     = 50.0   // percent of kernels in graphs above which launches are mostly amortised
	overlapShare   = 10.0   // stage_overlap: share of the shorter stage's time that counts as overlap
	activityBridge = 1_000_000
	// dominant_api's floor: an API is dominant only with at least minDominantNs of time over
	// minDominantCalls calls (3 calls of 10 µs may be half of a small window's API time, and say
	// nothing), or with fewer calls that take at least longDominantNs (two 331 ms copies, eight
	// 1.8 ms stream synchronizations, two 24 ms lazy module loads)
	minDominantNs    = 1_000_000
	minDominantCalls = 10
	longDominantNs   = 10_000_000
)

// dominantEnough says whether an API with that total time over that many calls clears
// dominant_api's floor.
func dominantEnough(total, calls int64) bool {
	return total >= longDominantNs || total >= minDominantNs && calls >= minDominantCalls
}

// count is "1 copy" or "2 copies": n with the noun in its number (one, many).
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return WithSep(int64(n)) + " " + many
}

// Finding is one observation with its numbers, what to try, and the time at stake.
type Finding struct {
	Scope   string  `json:"scope"` // a stage key, "trace", or "a+b" for a pair of stages
	ID      string  `json:"id"`    // warmup, dominant_api, memcpy_bound, pageable_async_memcpy, sync_memcpy, sync_api, gpu_gap, low_gpu_util, launch_bound, cuda_graphs, stage_overlap, replica_balance, replica_split
	Message string  `json:"message"`
	Advice  string  `json:"advice"`
	Value   float64 `json:"value"` // the finding's main number (a percent, a count, ns)
	// ImpactNs is the time at stake (ns): what the findings of a scope are ordered by.
	ImpactNs int64 `json:"impact_ns"`
	// Also lists the findings merged into this one because they restate its cause.
	Also []string `json:"also,omitempty"`
	// Subject is what the finding is about when one finding can be about several things (the
	// API of dominant_api): a diff tells "the dominant API changed" from "kept" by it.
	Subject string `json:"subject,omitempty"`
	// cause groups the findings that restate one cause; brief is the clause a merged finding
	// adds to the finding it joins.
	cause, brief string
	// kernels are the kernels a finding's message ends with (replica_balance), named when the
	// summary is done as its tables name them (nameKernels)
	kernels []kernelDelta
	head    string // the message before them
}

// kernelDelta is a kernel (its signature) a finding lists with its figure.
type kernelDelta struct {
	sig, figure string
}

// nameKernels ends the messages of findings that list kernels with the kernels' short names as
// the summary's tables name them (short: signature → name, made over every kernel of the
// summary): one kernel reads the same in a finding and in the tables, two never alike. A
// renderer that cuts the tables' names cuts them here too (NamedMessage).
func nameKernels(fs []Finding, short map[string]string) {
	for i := range fs {
		if len(fs[i].kernels) > 0 {
			fs[i].Message = fs[i].NamedMessage(func(sig string) string {
				if n, ok := short[sig]; ok {
					return n
				}
				return ShortKernelName(sig)
			})
		}
	}
}

// NamedMessage is the finding's message with the kernels it lists named by name (a signature's
// name as the output's tables show it); Message itself when it lists none.
func (f *Finding) NamedMessage(name func(sig string) string) string {
	if len(f.kernels) == 0 {
		return f.Message
	}
	parts := make([]string, len(f.kernels))
	for j, k := range f.kernels {
		parts[j] = name(k.sig) + " (" + k.figure + ")"
	}
	return f.head + "; kernels that differ most: " + strings.Join(parts, ", ")
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

func isGraphLaunch(name string) bool {
	return strings.HasPrefix(name, "cudaGraphLaunch") || strings.HasPrefix(name, "cuGraphLaunch")
}

func isCopyAPI(name string) bool {
	return strings.HasPrefix(name, "cudaMemcpy") || strings.HasPrefix(name, "cuMemcpy")
}

// isSyncAPI: the calls nsys analyze's cuda_api_sync lists, and their driver API counterparts
// (reports.SyncAPIName).
func isSyncAPI(n string) bool {
	rule, driver := reports.SyncAPIName(n)
	return rule || driver
}

// driverSyncNote says how many of the synchronization calls nsys's cuda_api_sync does not list.
func driverSyncNote(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("; %s of them through the driver API (cuCtxSynchronize, cuStreamSynchronize), which nsys's cuda_api_sync does not list", WithSep(int64(n)))
}

// isDriverSyncAPI: a synchronize call of the driver API, which cuda_api_sync does not list.
func isDriverSyncAPI(n string) bool {
	_, driver := reports.SyncAPIName(n)
	return driver
}

// Findings looks at one trace (or one stage's subset of it, scope naming it).
func Findings(tr *trace.Trace, scope string, o FindingOptions) []Finding {
	return findingsOf(tr, scope, o, trace.GPUSpans(tr), StepsOf(tr), nil, nil)
}

// findingsOf is Findings with the GPU spans of tr (GPUSpans) and its steps already computed:
// every finding once per cause (verdict), ordered by the time at stake. own, when not nil,
// keeps the figures that add up over stages (a stage's, for the trace); parts, when not nil,
// are those of stages that hold every row of tr once, summed instead of walking tr's rows.
func findingsOf(tr *trace.Trace, scope string, o FindingOptions, spans []trace.Span, steps Steps, own *figures, parts []*figures) []Finding {
	if o.GapFloorNs <= 0 {
		o.GapFloorNs = DefaultFindingOptions.GapFloorNs
	}
	if o.CopyShare <= 0 {
		o.CopyShare = DefaultFindingOptions.CopyShare
	}
	done := timing.Start(scope + " findings: judge")
	j := newJudge(tr, scope, o, spans, steps)
	j.own, j.parts = own, parts
	done()
	// the four families read the judge and the trace only: they run concurrently, and their
	// findings are put together in this order
	families := []func() []Finding{j.warmupFinding, j.apiFindings, j.copyFindings, j.gpuFindings}
	names := []string{"warm-up", "api", "copies", "gpu"}
	found := make([][]Finding, len(families))
	var g par.Group
	for i, f := range families {
		g.Go(func() {
			defer timing.Start(scope + " findings: " + names[i])()
			found[i] = f()
		})
	}
	g.Wait()
	return verdict(slices.Concat(found...))
}

// apiFindings: the dominant CUDA API, with nsys's own share (cuda_api_sum's Time %, Num Calls
// and Avg), and the synchronization calls' share of API time.
func (j *judge) apiFindings() []Finding {
	tr, scope, in := j.tr, j.scope, j.in
	var out []Finding
	var syncT int64
	var syncN, syncDrv int
	isSync, isDriver := ByName(tr, isSyncAPI), ByName(tr, isDriverSyncAPI)
	byID, apiT := j.apiTotals()
	for id, a := range byID {
		if isSync(id) {
			syncT += a.total
			syncN += int(a.n)
			if isDriver(id) {
				syncDrv += int(a.n)
			}
		}
	}
	busy := j.busyClause()
	if name, total, calls, all := topAPIOf(tr, byID, apiT); all > 0 {
		share := stat.Percent(total, all)
		if share >= j.o.DominantAPI && dominantEnough(total, calls) {
			f := Finding{Scope: scope, ID: "dominant_api", Subject: name, Value: share, ImpactNs: total, cause: "api:" + name,
				Message: fmt.Sprintf("%s takes %.1f%% of CUDA API time%s (%s, avg %s ns)", name, share, in, count(int(calls), "call", "calls"), FloatSep(float64(total)/float64(calls)))}
			f.brief = fmt.Sprintf("%s takes %.1f%% of CUDA API time (dominant_api)", name, share)
			switch {
			case isCopyAPI(name) && j.deviceCopies(name):
				f.cause = "copies"
				f.Advice = "the CPU waits in copies between device buffers (device-to-device, peer-to-peer: no host memory, so pinning does not apply): such a call holds the CPU while the driver waits for the GPU work queued before it or for peer access; enable peer access between the GPUs (cudaDeviceEnablePeerAccess), keep the copies off the legacy default stream, and synchronise only where the result is needed"
			case isCopyAPI(name):
				f.cause = "copies"
				f.Advice = "the CPU waits in copies: a copy into pageable host memory blocks until the GPU work before it is done; copy into pinned memory with non_blocking and synchronise only where the value is needed"
				if j.gpuBusy() {
					f.Advice = fmt.Sprintf("the CPU waits in copies for a busy GPU (%s): a copy into pageable host memory blocks until the GPU work before it is done, expected while the GPU is the bottleneck; copy into pinned memory with non_blocking to free the CPU for other work, and make the GPU work shorter to go faster", busy)
				}
			case isSyncAPI(name):
				f.cause = "wait"
				if j.gpuBusy() {
					f.Advice = fmt.Sprintf("the CPU waits for a busy GPU (%s): expected while the GPU is the bottleneck; make the GPU work shorter, or queue the next step's work before waiting", busy)
				} else {
					f.Advice = fmt.Sprintf("the CPU waits for the GPU, though this work keeps it %s: it waits for other work on the same GPU (another stage) or synchronises more often than needed; synchronise once per step or less so the CPU can queue work ahead", busy)
					if j.window == 0 {
						f.Advice = "the CPU waits in synchronize calls, but no GPU work of this scope was recorded: it waits for work of another process or stage on the same GPU, or for work outside the capture; synchronise only where a result is needed"
					}
				}
			case strings.HasPrefix(name, "cuLibraryLoad") || strings.HasPrefix(name, "cuModuleLoad"):
				f.Advice = "loading GPU code (CUDA lazy module loading on a kernel's first use): a warm-up cost; run a warm-up pass before serving, or load eagerly (CUDA_MODULE_LOADING=EAGER)"
			case isLaunch(name):
				f.cause = "launch"
				f.Advice = j.launchAdvice()
				if j.gpuBusy() {
					f.Advice = fmt.Sprintf("launch calls take the CPU's time, but the GPU stays busy (%s): launch overhead is hidden behind the kernels", busy)
				}
			default:
				f.Advice = "look at where this call is made and whether it can move out of the hot loop"
			}
			if w := j.warmupTime(name); w > 0 && 2*w >= total { // a warm-up cost: the warm-up finding's
				f.cause = "warmup"
				f.brief = fmt.Sprintf("%s takes %.1f%% of CUDA API time, %.1f%% of it during the warm-up (dominant_api)", name, share, stat.Percent(w, total))
			}
			out = append(out, f)
		}
	}
	if apiT > 0 && syncN > 0 && stat.Percent(syncT, apiT) >= syncShare {
		p := stat.Percent(syncT, apiT)
		out = append(out, Finding{Scope: scope, ID: "sync_api", Value: p, ImpactNs: syncT, cause: "wait",
			Message: fmt.Sprintf("%s %.1f%% of CUDA API time%s (%s ns)%s", count(syncN, "synchronization call takes", "synchronization calls take"), p, in, WithSep(syncT), driverSyncNote(syncDrv)),
			brief:   fmt.Sprintf("%s %.1f%% of CUDA API time (sync_api)", count(syncN, "synchronization call takes", "synchronization calls take"), p),
			Advice:  "each synchronize stalls the CPU until the GPU drains; keep them out of per-step loops"})
	}
	return out
}

// deviceCopies says whether the copies that API name made (joined to its calls) all stay on
// the GPUs: device-to-device or peer-to-peer, no host memory on either side. A driver call named
// for device memory (cuMemcpyDtoD…, cuMemcpyPeer…) is one even without joined copies.
func (j *judge) deviceCopies(name string) bool {
	if strings.Contains(name, "DtoD") || strings.Contains(name, "Peer") {
		return true
	}
	tr := j.tr
	is := ByName(tr, func(n string) bool { return n == name })
	launch := tr.Launches()
	m := &tr.Memcpy
	n := 0
	for i := range m.Start {
		c := launch.Memcpy(i)
		if c < 0 || !is(int64(tr.Runtime.NameID[c])) {
			continue
		}
		if strings.Contains(tr.MemcpyKinds[m.CopyKind[i]], "Host") || tr.MemcpyKinds[m.CopyKind[i]] == "" {
			return false
		}
		n++
	}
	return n > 0
}

// warmupTime is the time the calls to API name spend inside the warm-up steps' span, from the
// first step's start to the steady window's (clipped to a filter's window): calls made before
// the first step (an earlier phase, another solve) are not the warm-up's.
func (j *judge) warmupTime(name string) int64 {
	w, ok := j.warmupSpan()
	if !ok {
		return 0
	}
	is := ByName(j.tr, func(n string) bool { return n == name })
	var t int64
	r := &j.tr.Runtime
	for i, s := range r.Start {
		if s < w.End && r.End[i] > w.Start && is(int64(r.NameID[i])) {
			t += min(r.End[i], w.End) - max(s, w.Start)
		}
	}
	return t
}

// warmupSpan is the warm-up steps' span, from the first step's start to the first steady step's
// start, clipped to the filter's window; ok is false without warm-up steps (or when the window
// holds none of it).
func (j *judge) warmupSpan() (trace.Span, bool) {
	if !j.warm() || len(j.steps.Instances) == 0 {
		return trace.Span{}, false
	}
	w, f := trace.Span{Start: j.steps.Instances[0].Start, End: j.from}, j.o.window.span()
	w.Start, w.End = max(w.Start, f.Start), min(w.End, f.End)
	return w, w.End > w.Start
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

// FindingsTable turns findings into a table.
func FindingsTable(fs []Finding) *table.Table {
	t := &table.Table{Name: "findings", Title: "Findings",
		Columns: []table.Column{{Name: "Scope"}, {Name: "Finding"}, {Name: "What"}, {Name: "Try"}}}
	for _, f := range fs {
		t.Rows = append(t.Rows, []table.Value{table.Str(f.Scope), table.Str(f.ID), table.Str(f.Message), table.Str(f.Advice)})
	}
	return t
}
