package summary

import (
	"fmt"

	"github.com/omnistat/omnistat/internal/par"
	"github.com/omnistat/omnistat/reports/stat"
	"github.com/omnistat/omnistat/trace"
)

// gpuFindings: idle gaps and low utilisation per GPU, launch-bound work and the CUDA graph
// share, all but the last judged on the steady window.
func (j *judge) gpuFindings() []Finding {
	var out []Finding
	for _, g := range j.gpus {
		out = append(out, j.gapFinding(g)...)
		out = append(out, j.utilFinding(g)...)
	}
	lb := j.launchFinding()
	out = append(out, lb...)
	if j.kernels > 0 {
		share := j.graphShare()
		f := Finding{Scope: j.scope, ID: "cuda_graphs", Value: share, cause: "graphs",
			Message: fmt.Sprintf("%.1f%% of the kernels%s run inside CUDA graphs (%s of %s)", share, j.in, WithSep(int64(j.graphKernels)), WithSep(int64(j.kernels))),
			brief:   fmt.Sprintf("%.1f%% of the kernels run inside CUDA graphs (cuda_graphs)", share)}
		switch {
		case share >= graphsMost:
			f.Advice = "launch overhead is already amortised by graphs; look at the kernels themselves"
		case j.gpuBusy():
			f.Advice = fmt.Sprintf("the GPU is %s: CUDA graphs would save CPU time, not GPU time", j.busyClause())
		default:
			f.Advice = "repeated steps (decode steps, denoising steps) are candidates for CUDA graphs"
		}
		out = append(out, f)
	}
	return out
}

// idleCause is the cause key of a GPU's idle time.
func idleCause(gpu string) string { return "idle:" + gpu }

// utilFinding reports a GPU busy under --low-util percent of its steady window.
func (j *judge) utilFinding(g gpuWindow) []Finding {
	sw := g.sDur()
	if sw <= 0 {
		return nil
	}
	u := stat.Percent(g.sBusy, sw)
	if u >= j.o.LowUtil {
		return nil
	}
	msg := fmt.Sprintf("%s is busy %.1f%% of the %s ns from the first to the last GPU operation%s", g.name, u, WithSep(sw), j.in)
	if j.warm() {
		msg = fmt.Sprintf("%s is busy %.1f%% of the %s ns from the first to the last GPU operation%s, %.1f%% of the %s ns in steady state after %s",
			g.name, stat.Percent(g.busy, g.dur()), WithSep(g.dur()), j.in, u, WithSep(sw), plural(j.steps.Warmup, "warm-up step"))
	}
	advice := "the GPU waits for the CPU: batch more work per launch, overlap stages, or move CPU work off the critical path"
	if p, ok := j.stepBusyPct(); ok && len(j.gpus) == 1 {
		msg += fmt.Sprintf("; inside its %s steps %.1f%%", j.steps.Range, p)
		if p >= j.o.LowUtil {
			advice = "the GPU is busy while a step runs and idle between steps: the stage waits for work; feed it sooner (overlap it with the stage before it) or give it more per step"
		}
	}
	return []Finding{{Scope: j.scope, ID: "low_gpu_util", Value: u, ImpactNs: sw - g.sBusy, cause: idleCause(g.name), Message: msg, Advice: advice,
		brief: fmt.Sprintf("%s is busy %.1f%% of %s (low_gpu_util)", g.name, u, j.spanName())}}
}

// launchFinding reports launch-bound work in the steady window: at least minLaunches launches
// outside CUDA graphs whose CPU time reaches their kernels' GPU time, or whose median kernel is
// under shortKernelNs, while the GPU is not busy (under --low-util percent inside the steps, or
// over the steady window without steps).
func (j *judge) launchFinding() []Finding {
	if len(j.gpus) == 0 {
		return nil
	}
	busy := j.steadyPct()
	where := "in steady state"
	if p, ok := j.stepBusyPct(); ok {
		busy, where = p, "inside the steps"
	}
	if busy >= j.o.LowUtil {
		return nil
	}
	launches, launchT := j.launchCounts()
	if launches < minLaunches {
		return nil
	}
	kd, kernT := j.kernelFigures()
	med := stat.Median(kd)
	if launchT < kernT && med >= shortKernelNs {
		return nil
	}
	// the idle time between kernels: inside the steps (over the steady window without steps),
	// less what the gap finding reports
	impact := j.sWindow - j.sBusy
	if j.stepTime > 0 {
		impact = j.stepTime - j.stepBusy
	}
	ss := j.steps.stepSpans(j.from)
	for _, g := range j.gpus {
		for _, x := range j.gaps(g) {
			if j.stepTime > 0 {
				impact -= covered(x, ss)
			} else {
				impact -= x.End - x.Start
			}
		}
	}
	cause := "idle:all"
	if len(j.gpus) == 1 {
		cause = idleCause(j.gpus[0].name)
	}
	return []Finding{{Scope: j.scope, ID: "launch_bound", Value: float64(launchT), ImpactNs: max(impact, 0), cause: cause,
		brief: fmt.Sprintf("%s launches outside CUDA graphs (median kernel %s ns) with the GPU busy %.1f%% %s (launch_bound)", WithSep(int64(launches)), FloatSep(med), busy, where),
		Message: fmt.Sprintf("%s launches outside CUDA graphs take %s ns of CPU time%s against %s ns of GPU time for their %s kernels (median kernel %s ns); the GPU is %s, %.1f%% %s",
			WithSep(int64(launches)), WithSep(launchT), j.in, WithSep(kernT), WithSep(int64(len(kd))), FloatSep(med), j.busyClause(), busy, where),
		Advice: j.launchAdvice()}}
}

// kernelDurations are the durations of the kernels launched outside CUDA graphs in the steady
// window, in row order, and their sum (kernelDurationsFrom).
func (j *judge) kernelDurations() ([]int64, int64) { return kernelDurationsFrom(j.tr, j.from) }

// kernelDurationsFrom are the durations of tr's kernels launched outside CUDA graphs that start
// at or after from, in row order, and their sum: counted, then placed, in parallel parts on a
// large table.
func kernelDurationsFrom(tr *trace.Trace, from int64) ([]int64, int64) {
	k := &tr.Kernels
	outside := func(i int) bool { g := k.GraphNode(i); return k.Start[i] >= from && (g == trace.Null || g == 0) }
	parts := par.Parts(k.Len())
	at := make([]int, parts+1) // part p's durations go to kd[at[p]:at[p+1]]
	par.ForParts(k.Len(), parts, func(p, lo, hi int) {
		n := 0 // stored once: parts writing one cache line row by row would share it
		for i := lo; i < hi; i++ {
			if outside(i) {
				n++
			}
		}
		at[p+1] = n
	})
	for p := range parts {
		at[p+1] += at[p]
	}
	kd := make([]int64, at[parts]) // allocated once at its size: a kernel table can hold millions
	sums := make([]int64, parts)
	par.ForParts(k.Len(), parts, func(p, lo, hi int) {
		w, sum := at[p], int64(0)
		for i := lo; i < hi; i++ {
			if outside(i) {
				kd[w] = k.End[i] - k.Start[i]
				sum += kd[w]
				w++
			}
		}
		sums[p] = sum
	})
	var sum int64
	for _, s := range sums {
		sum += s
	}
	return kd, sum
}

// spanName is the time a GPU's figures are over: from its first to its last operation, or the
// steady window after a warm-up (never "the window", which is the overview's wall time).
func (j *judge) spanName() string {
	if j.warm() {
		return "the steady window"
	}
	return "the time from its first to its last operation"
}
