package summary

import (
	"cmp"
	"fmt"
	"github.com/omnistat/omnistat/reports"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/omnistat/omnistat/internal/par"
	"github.com/omnistat/omnistat/internal/timing"
	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/trace"
)

// StageOverview is one stage's line of the overview.
type StageOverview struct {
	Stage    string  `json:"stage"`
	PIDs     []int64 `json:"pids"`
	Source   string  `json:"found_by"`     // title, nvtx, process, rule
	WallNs   int64   `json:"wall_ns"`      // first to last event of the stage (API call, GPU op, NVTX range)
	GPUBusy  int64   `json:"gpu_busy_ns"`  // time with GPU operations running, summed over the stage's GPUs
	GPUPct   float64 `json:"gpu_busy_pct"` // GPUBusy over WallNs × Devices
	Devices  int     `json:"gpu_count"`    // GPUs the stage's operations run on (1 when none)
	KernelNs int64   `json:"kernel_ns"`
	MemcpyNs int64   `json:"memcpy_ns"`
	MemsetNs int64   `json:"memset_ns"`
	Replicas int     `json:"replicas"` // processes playing the stage's role; 0 for a --by none section
	APINs    int64   `json:"cuda_api_ns"`
	TopRange string  `json:"top_nvtx_range,omitempty"`
	// Steps is the stage's step range and steady state; nil without a step range.
	Steps *Steps `json:"steps,omitempty"`
	// Spans are the stage's GPU spans, sorted and disjoint; Sets the same per GPU (Spans itself
	// when there is one GPU).
	Spans   []trace.Span    `json:"-"`
	Sets    []trace.SpanSet `json:"-"`
	devices []int64         // the GPUs of its operations
	// devOps are its operations' spans by GPU; its kernels' (kernelSpans) are made from sub,
	// cut to clip, only when a stage pair's overlap asks, after the stage jobs
	devOps     map[int64][]trace.Span
	devKernels map[int64][]trace.Span
	sub        *trace.Trace
	clip       trace.Span
	first      int64
	last       int64
	// events counts its API calls, GPU operations and NVTX ranges (see Summary.Events).
	events int
}

// StageSummary is one stage's section.
type StageSummary struct {
	StageOverview
	Tables   []*table.Table `json:"-"`
	Findings []Finding      `json:"findings"`
	// Kernels are the signatures of all the stage's kernels, not only the rows its kernel
	// table shows (KernelSignatures).
	Kernels []string `json:"-"`
}

// KernelSignatures are the signatures of every kernel of s's stages, sorted and once each: the
// set the text views name kernels over (ShortKernelNames), so that one kernel reads the same
// in every table of an output whatever --top shows.
func (s *Summary) KernelSignatures() []string {
	var all []string
	for _, st := range s.Stages {
		all = append(all, st.Kernels...)
	}
	slices.Sort(all)
	return slices.Compact(all)
}

// names are the cells of t's column col (nil when t has none).
func names(t *table.Table, col string) []string {
	c := t.Col(col)
	if c < 0 {
		return nil
	}
	out := make([]string, len(t.Rows))
	for i, r := range t.Rows {
		out[i] = r[c].S
	}
	return out
}

// Summary is the per-stage view of a trace.
type Summary struct {
	Trace   string   `json:"trace"`
	Product string   `json:"nsys_version,omitempty"`
	GPUs    []string `json:"gpus,omitempty"` // "NVIDIA H200 (0)", by ID
	// Windows are the exports of a merged trace with where each starts on the merged clock
	// ("run.2.sqlite (+4147.6 ms)"); empty for one export.
	Windows []string `json:"windows,omitempty"`
	// GPUModels lists the GPUs by model for text: "2× NVIDIA H200 (0, 1)".
	GPUModels []string `json:"-"`
	// WindowNs spans the first to the last event of all stages (the capture window's busy part),
	// clipped to the filter window.
	WindowNs int64 `json:"-"` // text and markdown only
	// Filter is the --filter-time or --filter-nvtx window the summary covers; nil without one.
	Filter *Window `json:"filter,omitempty"`
	// Processes are the stage processes as "name (pid, stage key)".
	Processes []string       `json:"-"` // text and markdown only
	Overview  *table.Table   `json:"-"`
	Stages    []StageSummary `json:"stages"`
	Findings  []Finding      `json:"findings"` // whole-trace findings and stage overlap
}

// Options tune Summarize.
type Options struct {
	Top      int // rows per table (10)
	Findings FindingOptions
	// ProjectByProcess attributes GPU work to NVTX ranges by time window across the threads of a
	// process, not only the range's own thread (beyond nsys; the table says so).
	ProjectByProcess bool
	// Window is the filter the trace was cut to (nil: none): wall and busy times are clipped to it.
	Window *Window
}

// Build reorders tr's event rows by stage (row order carries no meaning in the model) and
// builds the stage overview, each stage's top NVTX ranges (with GPU projection),
// kernels, CUDA APIs and memory operations, and the findings.
func Build(tr *trace.Trace, a *stage.Assignment, o Options) (*Summary, error) {
	if o.Top <= 0 {
		o.Top = 10
	}
	done := timing.Start("summary: group contiguous")
	g, err := stage.GroupContiguous(tr, a) // rows reordered stage by stage: subsets share the columns
	done()
	if err != nil {
		return nil, err
	}
	s := &Summary{Trace: tr.Path, Product: tr.Product, Filter: o.Window}
	o.Findings.window = o.Window
	if len(tr.Windows) > 1 {
		for _, w := range tr.Windows {
			s.Windows = append(s.Windows, fmt.Sprintf("%s (%+.1f ms)", w.Path, float64(w.OffsetNs)/1e6))
		}
	}
	s.GPUs, s.GPUModels = gpuNames(tr.GPUs)
	// the stages, and within a stage its tables and findings, are independent: compute them
	// concurrently (the trace is read-only; its launching calls are found before anything starts)
	done = timing.Start("summary: launches + subsets")
	tr.Launches()
	var traceFindings []Finding
	// the trace's GPU spans are the union of the stages' when the stages hold every GPU operation
	ops := func(t *trace.Trace) int { return t.Kernels.Len() + t.Memcpy.Len() + t.Memset.Len() }
	var works []*stageWork
	var keeps []trace.Keep
	for i, label := range g.Labels {
		if label != stage.Other {
			works = append(works, &stageWork{st: a.Stages[i], keep: g.Keep[i]})
			keeps = append(keeps, g.Keep[i])
		}
	}
	// the trace's findings count what the tables count: the stages' rows, not those of the
	// processes in no stage (whose API time no table shows)
	ftr := tr
	if !slices.Contains(g.Labels, stage.Other) {
		keeps = nil // every row is a stage's
	}
	if k, all := unionKeep(keeps); !all {
		ftr = tr.Subset(k)
		ftr.Launches()
	}
	var cut par.Group // the stages' subsets, concurrently (tr is only read)
	for _, w := range works {
		cut.Go(func() {
			w.sub = tr.Subset(w.keep)
			w.sub.Launches()
		})
	}
	cut.Wait()
	// the subsets are made: the row masks (a byte a row per stage) are not needed any more
	for _, w := range works {
		w.keep = trace.Keep{}
	}
	clear(g.Keep)
	keeps = nil
	staged, calls := 0, 0
	for _, w := range works {
		staged += ops(w.sub)
		calls += w.sub.Runtime.Len()
	}
	done()
	// the trace's findings need every stage's spans, findings (the figures they add up) and
	// the trace's steps: the last of those jobs to end runs them
	var pending atomic.Int64
	pending.Store(int64(len(works)) + 1)
	var traceSteps Steps
	traceFindingsJob := func() {
		defer timing.Start("trace findings")()
		if staged == ops(ftr) {
			var spans [][]trace.Span
			for _, w := range works {
				spans = append(spans, w.ss.Spans)
			}
			// the stages hold each of the trace's rows once: its counts are their sums
			var parts []*figures
			if calls == ftr.Runtime.Len() {
				for _, w := range works {
					parts = append(parts, &w.fig)
				}
			}
			traceFindings = findingsOf(ftr, "trace", o.Findings, trace.UnionSpans(spans), traceSteps, nil, parts)
		} else {
			traceFindings = findingsOf(ftr, "trace", o.Findings, trace.GPUSpans(ftr), stepsIn(ftr, o.Findings.window), nil, nil)
		}
	}
	// with more than two cores they run on their own goroutine, beside the findings of the stage
	// whose job ended last (which need not wait for them); on two, in that job (no idle core to
	// gain, and less held at once)
	var beside par.Group
	// the stages' overlap needs their overviews only: with two cores or more it is judged beside
	// the jobs once the last overview is done, instead of after them on one core (on two, its
	// walk of the kernels fills the gaps the jobs leave: 38 ms after the jobs on the H200's two)
	var overlap []Finding
	overlapDone := false
	overviews := func() []*StageOverview {
		var ovs []*StageOverview
		for _, w := range works {
			ovs = append(ovs, &w.ss.StageOverview)
		}
		return ovs
	}
	var seen atomic.Int64
	seen.Store(int64(len(works)))
	overviewDone := func() {
		if seen.Add(-1) == 0 && runtime.GOMAXPROCS(0) > 1 {
			overlapDone = true
			beside.Go(func() { overlap = overlapFindings(overviews()) })
		}
	}
	traceJob := func() {
		if pending.Add(-1) != 0 {
			return
		}
		if runtime.GOMAXPROCS(0) > 2 {
			beside.Go(traceFindingsJob)
			return
		}
		traceFindingsJob()
	}
	// the trace's steps: from the stages' family tallies, once the last stage's steps are found
	// (the trace's ranges are the stages': their calls are not walked again); with no stage, a
	// job of their own
	var stepsLeft atomic.Int64
	stepsLeft.Store(int64(len(works)))
	traceStepsJob := func() {
		if staged == ops(ftr) {
			done := timing.Start("trace steps")
			var parts []tallies
			for _, w := range works {
				parts = append(parts, w.tallies)
			}
			traceSteps = stepsOfParts(ftr, o.Findings.window, parts)
			done()
		}
		traceJob()
	}
	stepsDone := func() {
		if stepsLeft.Add(-1) == 0 {
			traceStepsJob()
		}
	}
	var jobs []job
	if len(works) == 0 {
		jobs = append(jobs, job{tr.Runtime.Len(), traceStepsJob, "trace steps", false})
	}
	for _, w := range works {
		jobs = append(jobs, w.jobs(o, tr.NVTX.Len() > 0, len(works) > 1, overviewDone, stepsDone, traceJob)...)
	}
	done = timing.Start("summary: jobs")
	runJobs(jobs, runtime.GOMAXPROCS(0))
	beside.Wait()
	done()
	done = timing.Start("summary: stages' sections, overlap")
	for _, w := range works {
		s.Stages = append(s.Stages, w.finish())
	}
	if !overlapDone {
		overlap = overlapFindings(overviews())
	}
	s.Findings = byImpact(append(traceFindings, overlap...))
	names := map[int64]string{}
	for _, p := range tr.Processes {
		names[trace.PID(p.GlobalPID)] = p.Name
	}
	first, last := int64(1<<63-1), int64(-1<<63)
	for _, st := range s.Stages {
		first, last = min(first, st.first), max(last, st.last)
		for _, pid := range st.PIDs {
			s.Processes = append(s.Processes, fmt.Sprintf("%s (%d, stage %s)", names[pid], pid, st.Stage))
		}
	}
	if last > first {
		s.WindowNs = last - first - tr.UncapturedIn(first, last) // time between merged exports was not recorded
	}
	s.Overview = overviewTable(s.Stages)
	done()
	defer timing.Start("summary: kernel names")()
	short := OutputKernelNames(s.KernelSignatures()) // the findings name kernels as the tables do
	nameKernels(s.Findings, short)
	for i := range s.Stages {
		nameKernels(s.Stages[i].Findings, short)
	}
	return s, nil
}

// Events counts the stages' events: their CUDA API calls, GPU operations and NVTX ranges (0:
// a filter's window holds nothing of any stage).
func (s *Summary) Events() int {
	n := 0
	for _, st := range s.Stages {
		n += st.events
	}
	return n
}

// EventExtent is the start of tr's first event and the end of its last, over the events a
// stage counts (CUDA API calls, GPU operations, NVTX ranges); ok is false when it has none.
func EventExtent(tr *trace.Trace) (first, last int64, ok bool) {
	first, last = math.MaxInt64, math.MinInt64
	see := func(start, end []int64) {
		for i := range start {
			first, last = min(first, start[i]), max(last, end[i])
		}
	}
	see(tr.Runtime.Start, tr.Runtime.End)
	see(tr.Kernels.Start, tr.Kernels.End)
	see(tr.Memcpy.Start, tr.Memcpy.End)
	see(tr.Memset.Start, tr.Memset.End)
	n := &tr.NVTX
	maxTS, _ := n.MaxTimestamp()
	for i := range n.Start {
		if trace.IsRange(n.EventType[i]) {
			first, last = min(first, n.Start[i]), max(last, reports.RangeEnd(n, i, maxTS))
		}
	}
	return first, last, first <= last
}

// top keeps the first n rows and the named columns of t (the full table stays in stats).
func top(t *table.Table, n int, cols ...string) *table.Table {
	out := &table.Table{Name: t.Name, Title: t.Title, Notes: t.Notes, Source: t.Source}
	var idx []int
	for _, c := range cols {
		if i := t.Col(c); i >= 0 {
			idx = append(idx, i)
			out.Columns = append(out.Columns, t.Columns[i])
		}
	}
	if len(t.Rows) == n+1 { // a note for one hidden row takes a line as well: show the row
		n++
	}
	for r, row := range t.Rows {
		if r == n {
			out.Notes = append(out.Notes, MoreRows(len(t.Rows)-n)+": omnistat stats --by stage -r "+t.Name)
			break
		}
		var nr []table.Value
		for _, i := range idx {
			nr = append(nr, row[i])
		}
		out.Rows = append(out.Rows, nr)
	}
	return out
}

// gpuNames lists the GPUs by ID ("NVIDIA H200 (0)"), and by model ("2× NVIDIA H200 (0, 1)" when
// several GPUs share a name).
func gpuNames(gpus []trace.GPU) (each, models []string) {
	gs := slices.Clone(gpus)
	slices.SortStableFunc(gs, func(a, b trace.GPU) int { return cmp.Compare(a.ID, b.ID) })
	var names []string
	ids := map[string][]string{}
	for _, g := range gs {
		each = append(each, fmt.Sprintf("%s (%d)", g.Name, g.ID))
		if _, ok := ids[g.Name]; !ok {
			names = append(names, g.Name)
		}
		ids[g.Name] = append(ids[g.Name], strconv.FormatInt(g.ID, 10))
	}
	for _, n := range names {
		if len(ids[n]) == 1 {
			models = append(models, fmt.Sprintf("%s (%s)", n, ids[n][0]))
		} else {
			models = append(models, fmt.Sprintf("%d× %s (%s)", len(ids[n]), n, strings.Join(ids[n], ", ")))
		}
	}
	return each, models
}

// moreRows is the note of a table cut short by at least two rows (one more row is shown instead).
func MoreRows(n int) string { return fmt.Sprintf("%d more rows", n) }
