package summary

import (
	"fmt"
	"github.com/omnistat/omnistat/internal/par"
	"github.com/omnistat/omnistat/internal/timing"
	"github.com/omnistat/omnistat/reports"
	"runtime"
	"slices"
	"sync/atomic"

	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/trace"
)

// job is one independent piece of a summary, with an estimate of its cost (rows it reads).
type job struct {
	cost int
	run  func()
	name string // for OMNISTAT_TIMING
	// needed marks a job other work waits on (a stage's overview: the trace's findings need
	// every stage's GPU spans): it starts before the jobs that are not, however cheap
	needed bool
}

// runJobs runs the jobs on at most workers goroutines, the needed ones first, then the most
// costly first (so that a long job does not start last and leave the other cores idle at the
// end, nor the work waiting on a cheap job start last: on 2 cores the trace's findings, which
// wait on the smallest stage's overview, ran alone after every other job).
func runJobs(jobs []job, workers int) {
	slices.SortStableFunc(jobs, func(a, b job) int {
		if a.needed != b.needed {
			if a.needed {
				return -1
			}
			return 1
		}
		return b.cost - a.cost
	})
	next := make(chan func(), len(jobs))
	for _, j := range jobs {
		if timing.On() {
			f, name := j.run, fmt.Sprintf("job %s (cost %d)", j.name, j.cost)
			next <- func() { defer timing.Start(name)(); f() }
			continue
		}
		next <- j.run
	}
	close(next)
	var g par.Group
	for range max(1, min(workers, len(jobs))) {
		g.Go(func() {
			for f := range next {
				f()
			}
		})
	}
	g.Wait()
}

// stageTables are a stage's tables while they are computed.
type stageTables struct {
	proj, nvtx, kernels, api, memTime, memSize, replicas, steps *table.Table
}

// stageWork is one stage's part of a summary while it is computed.
type stageWork struct {
	sub      *trace.Trace
	keep     trace.Keep // the rows of the stage
	st       stage.Stage
	ss       StageSummary
	tables   stageTables
	nv       *table.Table // the whole NVTX summary (its top range is the overview's)
	steps    Steps
	tallies  tallies // the range families its steps were picked from (the trace's add up from them)
	findings []Finding
	fig      figures // what its findings counted that adds up to the trace's
	replica  []Finding
	top      int // rows per table
}

// jobs lists the stage's independent pieces; stepsDone runs once its steps are found,
// overviewDone once its overview (and so its GPU spans) is ready, and findingsDone once its
// findings are made (with the figures the trace's add up from). With pairs, the stage is one
// of several whose overlap is judged once every job is done: with more than two cores its
// overview makes the kernels' spans that judgement needs, on a core of its own, instead of
// after the jobs on one core.
func (w *stageWork) jobs(o Options, nvtx, pairs bool, overviewDone, stepsDone, findingsDone func()) []job {
	sub, st := w.sub, w.st
	w.top = o.Top
	rt, k, m, n := sub.Runtime.Len(), sub.Kernels.Len(), sub.Memcpy.Len()+sub.Memset.Len(), sub.NVTX.Len()
	// the overview (GPU spans) and the steps are independent; the findings need both, and run
	// in whichever of the two jobs ends last
	var both atomic.Int32
	findings := func() {
		if both.Add(1) < 2 {
			return
		}
		ov := &w.ss.StageOverview
		if w.steps.Count > 0 {
			ov.Steps = &w.steps
			w.tables.steps = stepsTable(st.Key, w.steps)
		}
		done := timing.Start(st.Key + " findings")
		w.fig.tr = sub
		w.findings = findingsOf(sub, st.Key, o.Findings, ov.Spans, w.steps, &w.fig, nil)
		done()
		findingsDone()
	}
	js := []job{
		{rt + 2*(k+m), func() { // the findings reuse the overview's GPU spans
			w.ss.StageOverview = overview(sub, st, o.Findings.window.span(), pairs && runtime.GOMAXPROCS(0) > 2)
			overviewDone()
			findings()
		}, st.Key + " overview", true},
		{rt, func() {
			w.steps, w.tallies = stepsTallied(sub, o.Findings.window)
			stepsDone()
			findings()
		}, st.Key + " steps", true}, // the trace's steps wait on every stage's
		{k, func() {
			all := reports.CUDAGPUKernSum(sub, reports.Options{})
			w.ss.Kernels = names(all, "Name") // every kernel, whatever --top shows (KernelSignatures)
			w.tables.kernels = top(all, o.Top, "Time", "Total Time", "Instances", "Avg", "Med", "Name")
		}, st.Key + " kernels", false},
		{rt, func() {
			w.tables.api = top(reports.CUDAAPISum(sub), o.Top, "Time", "Total Time", "Num Calls", "Avg", "Med", "Name")
		}, st.Key + " api", false},
		{m, func() {
			w.tables.memTime = top(reports.CUDAGPUMemTimeSum(sub), o.Top, "Time", "Total Time", "Count", "Avg", "Med", "Operation")
			w.tables.memSize = top(reports.CUDAGPUMemSizeSum(sub), o.Top, "Total", "Count", "Avg", "Operation")
		}, st.Key + " memops", false},
	}
	if len(st.Procs) > 1 && !st.Mixed {
		js = append(js, job{rt + k + m + n, func() {
			reps, step := replicasOf(sub, st, o.Findings.window.span())
			if len(reps) > 0 {
				w.tables.replicas = replicaTable(st.Key, reps, step)
			}
			w.replica = replicaFinding(st.Key, reps, step)
		}, st.Key + " replicas", false})
	}
	if nvtx {
		js = append(js,
			job{rt + k + n, func() {
				proj := reports.NVTXGPUProjSum(sub)
				if o.ProjectByProcess {
					proj = reports.NVTXGPUProjSumByProcess(sub)
				}
				w.tables.proj = top(proj, o.Top, "Range", "Style", "Total Proj Time", "Range Instances", "Proj Avg", "Total GPU Ops")
			}, st.Key + " projection", false},
			job{n, func() { w.nv = reports.NVTXSum(sub, reports.NVTXAll) }, st.Key + " nvtx", false})
	}
	return js
}

// finish puts the stage's section together once its jobs are done.
func (w *stageWork) finish() StageSummary {
	ss, tables := w.ss, w.tables
	if w.nv != nil {
		if len(w.nv.Rows) > 0 {
			ss.TopRange = w.nv.Rows[0][w.nv.Col("Range")].S
		}
		tables.nvtx = top(w.nv, w.top, "Time", "Total Time", "Instances", "Avg", "Med", "Style", "Range")
	}
	for _, t := range []*table.Table{tables.replicas, tables.steps} { // replicas first: they split everything below
		if t != nil {
			ss.Tables = append(ss.Tables, t)
		}
	}
	for _, t := range []*table.Table{tables.proj, tables.nvtx, tables.kernels, tables.api, tables.memTime, tables.memSize} {
		if t != nil {
			t.Title = w.st.Key + ": " + t.Title
			ss.Tables = append(ss.Tables, t)
		}
	}
	ss.Findings = byImpact(append(w.findings, w.replica...))
	return ss
}

// stepsTable is the stage's step range and steady state as a table of one row.
func stepsTable(key string, s Steps) *table.Table {
	t := &table.Table{Name: "stage_steps", Title: key + ": Steps",
		Columns: []table.Column{{Name: "Range"}, {Name: "Style"}, {Name: "Steps", Unit: table.Count}}}
	row := []table.Value{table.Str(s.Range), table.Str(s.Style), table.I64(int64(s.Count))}
	if s.Phased {
		t.Columns = append(t.Columns, table.Column{Name: "Prefill", Unit: table.Count}, table.Column{Name: "Decode", Unit: table.Count})
		row = append(row, table.I64(int64(s.Prefill)), table.I64(int64(s.Decode)))
	}
	t.Columns = append(t.Columns, table.Column{Name: "Warm-up Steps", Unit: table.Count}, table.Column{Name: "Warm-up Time", Unit: table.Ns},
		table.Column{Name: "Steady Med", Unit: table.Ns}, table.Column{Name: "Steady P90", Unit: table.Ns})
	row = append(row, table.I64(int64(s.Warmup)), table.I64(s.WarmupNs), table.F64(s.SteadyMedianNs), table.I64(s.SteadyP90Ns))
	t.Rows = [][]table.Value{row}
	what := "steps: the range family with the most instances"
	if s.Phased {
		what += "; steady figures over decode steps"
	}
	if s.Warmup > 0 {
		what += fmt.Sprintf("; warm-up: leading steps over %.0f× the median of the second half", WarmupFactor)
	}
	t.Notes = append(t.Notes, what)
	return t
}
