package reports

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/omnistat/omnistat/reports/stage"
	"github.com/omnistat/omnistat/reports/stat"
	"github.com/omnistat/omnistat/trace"
)

// replicaFinding compares the replicas (processes) of a stage: the slowest replica's per-step
// time (mean duration of the stage's most frequent push/pop range; wall time without one)
// against the median replica's, and the kernels whose per-step time differs most between them.
func replicaFinding(sub *trace.Trace, st stage.Stage) []Finding {
	if len(st.Procs) < 2 {
		return nil
	}
	g, err := GroupBy(sub, "process", nil)
	if err != nil {
		return nil
	}
	type rep struct {
		pid     int64
		value   float64 // ns per step (or wall)
		steps   int64
		kernels map[string]float64 // per-step kernel time by name
	}
	var reps []rep
	step, _, _ := stepRange("auto", sub, sub)
	for i := range g.Labels {
		t := sub.Subset(g.Keep[i])
		if t.Runtime.Len() == 0 && t.Kernels.Len() == 0 {
			continue
		}
		r := rep{kernels: map[string]float64{}}
		if t.Runtime.Len() > 0 {
			r.pid = trace.PID(t.Runtime.GlobalTID[0])
		} else {
			r.pid = trace.PID(t.Kernels.GlobalPID[0])
		}
		var v float64
		ok := false
		if step != "" { // per-step GPU time: the mean GPU projection of the step range
			names := NewNVTXNames(t)
			var sum, n int64
			for _, pr := range ProjectRanges(t, nil) {
				if names.Name(pr.Row) == step {
					sum += pr.ProjEnd - pr.ProjStart
					n++
				}
			}
			if n > 0 {
				v, ok = float64(sum)/float64(n), true
			}
			r.steps = rangeInstances(t)[step]
		}
		if !ok {
			v, _ = Gate{Metric: "wall"}.Value(t, nil)
			r.steps = 1
		}
		r.value = v
		if r.steps == 0 {
			r.steps = 1
		}
		for k := range t.Kernels.Start {
			r.kernels[tr0Name(t, k)] += float64(t.Kernels.End[k]-t.Kernels.Start[k]) / float64(r.steps)
		}
		reps = append(reps, r)
	}
	if len(reps) < 2 {
		return nil
	}
	sort.Slice(reps, func(i, j int) bool { return reps[i].value < reps[j].value })
	med, slow := reps[(len(reps)-1)/2], reps[len(reps)-1]
	if med.value == 0 {
		return nil
	}
	diff := (slow.value - med.value) * 100 / med.value
	what := "wall time"
	if step != "" {
		what = "of GPU time per " + step
	}
	type kd struct {
		name string
		d    float64
	}
	var kds []kd
	for n, v := range slow.kernels {
		kds = append(kds, kd{n, v - med.kernels[n]})
	}
	for n, v := range med.kernels {
		if _, ok := slow.kernels[n]; !ok {
			kds = append(kds, kd{n, -v})
		}
	}
	sort.Slice(kds, func(i, j int) bool {
		if math.Abs(kds[i].d) != math.Abs(kds[j].d) {
			return math.Abs(kds[i].d) > math.Abs(kds[j].d)
		}
		return kds[i].name < kds[j].name
	})
	var parts []string
	for i := 0; i < len(kds) && i < 3; i++ {
		parts = append(parts, fmt.Sprintf("%s (%s ns per step)", ShortKernelName(kds[i].name), signed(stat.Round(kds[i].d, 1))))
	}
	f := Finding{Scope: st.Key, ID: "replica_balance", Value: stat.Round(diff, 1),
		Message: fmt.Sprintf("the slowest of %d replicas (pid %d) takes %s ns %s, %.1f%% more than the median replica (pid %d, %s ns); kernels that differ most: %s",
			len(reps), slow.pid, floatSep(slow.value), what, stat.Round(diff, 1), med.pid, floatSep(med.value), strings.Join(parts, ", ")),
		Advice: "replicas should take the same time: check the GPU each one runs on (clocks, other work on it) and how requests are split"}
	return []Finding{f}
}

// tr0Name is kernel k's demangled name.
func tr0Name(t *trace.Trace, k int) string { return t.Strings.Get(t.Kernels.Demangled[k]) }
