package summary

import (
	"fmt"
	"github.com/omnistat/omnistat/reports"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/omnistat/omnistat/reports/stat"
	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/trace"
)

// Replica is one process of a stage that several processes play (workers on several GPUs,
// stage replicas), with its own figures. Kernel, memory-operation and CUDA API time add up
// to the stage's over its replicas; GPU busy time does too when the replicas use different GPUs.
type Replica struct {
	Index   int     // position in the stage's replica order
	PID     int64   // process id
	Devices []int64 // GPUs its operations run on
	StageOverview
	Steps  int64   // instances of the step range (1 without one)
	StepNs float64 // mean GPU time per step (the step range's GPU projection), or wall time
	// kernels is the kernel time per step by demangled name.
	kernels map[string]float64
}

// replicasOf splits a stage into its replicas, in the stage's replica order; it also returns the
// step range (the stage's most frequent push/pop range; "" when it has none). Nil for a stage of
// one process.
func replicasOf(sub *trace.Trace, st stage.Stage, clip trace.Span) ([]Replica, string) {
	if len(st.Procs) < 2 || st.Mixed {
		return nil, ""
	}
	g, err := stage.Group(sub, stage.ByProcess, nil)
	if err != nil {
		return nil, ""
	}
	order := map[int64]int{} // by global process id: two hosts of a merged trace may share a PID
	for i, p := range st.Procs {
		order[p] = i
	}
	var reps []Replica
	// the step is the stage's step range (StepFamily, the family its Steps table shows), counted
	// and projected per replica over all its instances
	fam, _ := StepFamily(sub)
	step := ""
	isStep := func(*trace.Trace, int) bool { return false }
	if fam != "" {
		families := map[string]string{} // message → family
		isStep = func(t *trace.Trace, i int) bool {
			if !trace.IsRange(t.NVTX.EventType[i]) {
				return false
			}
			msg, _ := t.NVTX.Message(&t.Strings, i)
			f, ok := families[msg]
			if !ok {
				f = stage.Family(msg)
				families[msg] = f
			}
			return f == fam
		}
		names := reports.NewNVTXNames(sub)
		for i := range sub.NVTX.Start {
			if isStep(sub, i) {
				step = names.Domain(i) + ":" + fam
				break
			}
		}
	}
	for i := range g.Labels {
		t := sub.Subset(g.Keep[i])
		r := Replica{kernels: map[string]float64{}}
		var gp int64
		switch {
		case t.Runtime.Len() > 0:
			gp = trace.ProcessOf(t.Runtime.GlobalTID.At(0))
		case t.Kernels.Len() > 0:
			gp = t.Kernels.GlobalPID.At(0)
		default:
			continue
		}
		r.PID = trace.PID(gp)
		idx, ok := order[gp]
		if !ok {
			idx = len(st.Procs) + i
		}
		r.Index = idx
		r.StageOverview = overview(t, stage.Stage{Key: st.Key, Source: st.Source, Procs: []int64{gp}}, clip, false)
		r.sub = nil // a replica's overview is in no stage pair: its rows need not be kept
		r.Devices = trace.DevicesOf(t)
		measured := false
		if step != "" { // per-step GPU time: the mean GPU projection of the step range
			var sum, n int64
			for _, pr := range reports.ProjectRanges(t) {
				if isStep(t, pr.Row) {
					sum += pr.ProjEnd - pr.ProjStart
					n++
				}
			}
			if n > 0 {
				r.StepNs, measured = float64(sum)/float64(n), true
			}
			for k := range t.NVTX.Start {
				if isStep(t, k) {
					r.Steps++
				}
			}
		}
		if !measured {
			r.StepNs = float64(r.WallNs)
			r.Steps = 1
		}
		if r.Steps == 0 {
			r.Steps = 1
		}
		for k := range t.Kernels.Start {
			r.kernels[tr0Name(t, k)] += float64(t.Kernels.End[k]-t.Kernels.Start[k]) / float64(r.Steps)
		}
		reps = append(reps, r)
	}
	slices.SortFunc(reps, func(a, b Replica) int { return a.Index - b.Index })
	for i := range reps {
		reps[i].Index = i
	}
	if len(reps) < 2 {
		return nil, ""
	}
	return reps, step
}

// replicaTable lists a stage's replicas with their figures; the figures that add up over
// replicas (kernel, memory-operation and CUDA API time) sum to the stage overview's.
func replicaTable(key string, reps []Replica, step string) *table.Table {
	per := "Wall per Run"
	if step != "" {
		per = "GPU per Step"
	}
	t := &table.Table{Name: "stage_replicas", Title: key + ": Replicas",
		Columns: []table.Column{{Name: "Replica", Unit: table.Count}, {Name: "PID", Unit: table.Count}, {Name: "GPUs"},
			{Name: "Wall", Unit: table.Ns}, {Name: "GPU Busy", Unit: table.Ns}, {Name: "Kernels", Unit: table.Ns},
			{Name: "MemOps", Unit: table.Ns}, {Name: "CUDA API", Unit: table.Ns}, {Name: "Steps", Unit: table.Count},
			{Name: per, Unit: table.Ns}}}
	for _, r := range reps {
		var ds []string
		for _, d := range r.Devices {
			ds = append(ds, strconv.FormatInt(d, 10))
		}
		t.Rows = append(t.Rows, []table.Value{table.I64(int64(r.Index)), table.I64(r.PID), table.Str(orNone(strings.Join(ds, ","))),
			table.I64(r.WallNs), table.I64(r.GPUBusy), table.I64(r.KernelNs), table.I64(r.MemcpyNs + r.MemsetNs), table.I64(r.APINs),
			table.I64(r.Steps), table.F64(stat.Round(r.StepNs, 1))})
	}
	if step != "" {
		t.Notes = append(t.Notes, "step: "+step+"; GPU per step is the mean GPU projection of one step")
	}
	return t
}

func orNone(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// balancedPct is the per-step difference under which replicas count as balanced.
const balancedPct = 5.0

// replicaFinding compares the replicas of a stage: the slowest replica's per-step time (mean
// GPU projection of the step range) against the median replica's, and the kernels whose
// per-step time differs most between them. A per-step comparison needs at least 2 steps in
// every replica; otherwise (and without a step range) it compares wall time and the kernels'
// totals. A per-step difference that the replicas' GPU busy and kernel time per step (the
// table's columns over its Steps) do not show — both within balancedPct of the median
// replica's — is no imbalance: the finding says the replicas are balanced, as the table does.
func replicaFinding(key string, reps []Replica, step string) []Finding {
	if len(reps) < 2 {
		return nil
	}
	perStep := step != ""
	for _, r := range reps {
		perStep = perStep && r.Steps >= 2
	}
	by := slices.Clone(reps)
	if !perStep && step != "" { // wall time, and each kernel's total time, as without a step range
		for i := range by {
			by[i].StepNs = float64(by[i].WallNs)
			k := map[string]float64{}
			for n, v := range by[i].kernels {
				k[n] = v * float64(by[i].Steps)
			}
			by[i].kernels = k
		}
	}
	sort.SliceStable(by, func(i, j int) bool { return by[i].StepNs < by[j].StepNs })
	med, slow := by[(len(by)-1)/2], by[len(by)-1]
	if med.StepNs == 0 {
		return nil
	}
	diff := (slow.StepNs - med.StepNs) * 100 / med.StepNs
	what, unit := "wall time", "ns"
	if perStep {
		what, unit = "of GPU time per "+step, "ns per step"
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
	var listed []kernelDelta
	for i := 0; i < len(kds) && i < 3; i++ {
		listed = append(listed, kernelDelta{kds[i].name, fmt.Sprintf("%s %s", Signed(stat.Round(kds[i].d, 1)), unit)})
	}
	f := Finding{Scope: key, ID: "replica_balance", Value: stat.Round(diff, 1), ImpactNs: int64((slow.StepNs - med.StepNs) * float64(slow.Steps)),
		Message: fmt.Sprintf("the slowest of %d replicas (replica %d, pid %d%s) takes %s ns %s, %.1f%% more than the median replica (replica %d, pid %d%s, %s ns)",
			len(reps), slow.Index, slow.PID, onGPUs(slow.Devices), FloatSep(slow.StepNs), what, stat.Round(diff, 1),
			med.Index, med.PID, onGPUs(med.Devices), FloatSep(med.StepNs)),
		Advice: "replicas should take the same time: check the GPU each one runs on (clocks, other work on it) and how requests are split"}
	if !perStep {
		f.ImpactNs = int64(slow.StepNs - med.StepNs)
	}
	busyMore, kernMore := perStepMore(slow, med)
	switch {
	case diff < balancedPct:
		f.Advice = fmt.Sprintf("balanced: within %.0f%% of each other, nothing to do", balancedPct)
	case perStep && busyMore < balancedPct && kernMore < balancedPct:
		// the table's columns say the replicas do the same GPU work per step: the projection
		// of the step range differs (where the step's GPU work falls), not the work
		f.Message += fmt.Sprintf(", but its GPU busy and kernel time per step are within %.0f%% of the median replica's (%s and %s ns, against %s and %s ns)",
			balancedPct, FloatSep(float64(slow.GPUBusy)/float64(slow.Steps)), FloatSep(float64(slow.KernelNs)/float64(slow.Steps)),
			FloatSep(float64(med.GPUBusy)/float64(med.Steps)), FloatSep(float64(med.KernelNs)/float64(med.Steps)))
		f.ImpactNs = 0
		f.Advice = fmt.Sprintf("balanced: the replicas' GPU busy and kernel time per step are within %.0f%% of each other, nothing to do", balancedPct)
	}
	f.head, f.kernels = f.Message, listed
	local := map[string]string{} // until the summary names them (nameKernels)
	sigs := make([]string, len(listed))
	for i, k := range listed {
		sigs[i] = k.sig
	}
	for i, n := range ShortKernelNames(sigs) {
		local[sigs[i]] = n
	}
	fs := []Finding{f}
	nameKernels(fs, local)
	return append(fs, splitFinding(key, reps, step)...)
}

// perStepMore is how much more GPU busy time and kernel time per step (in percent) replica a
// has than replica b.
func perStepMore(a, b Replica) (busy, kernels float64) {
	more := func(x, y int64) float64 {
		px, py := float64(x)/float64(max(a.Steps, 1)), float64(y)/float64(max(b.Steps, 1))
		if py == 0 {
			if px == 0 {
				return 0
			}
			return math.Inf(1)
		}
		return (px - py) * 100 / py
	}
	return more(a.GPUBusy, b.GPUBusy), more(a.KernelNs, b.KernelNs)
}

// unevenSplit is how much more work (steps, or GPU time without a step range) the busiest
// replica may do than the least busy before the split is reported.
const unevenSplit = 1.25

// splitFinding reports an uneven split of work over the replicas: the busiest replica's steps (GPU
// busy time without a step range) against the least busy one's. Nothing when the split is even.
func splitFinding(key string, reps []Replica, step string) []Finding {
	work := func(r Replica) float64 {
		if step != "" {
			return float64(r.Steps)
		}
		return float64(r.GPUBusy)
	}
	lo, hi := reps[0], reps[0]
	for _, r := range reps[1:] {
		if work(r) < work(lo) {
			lo = r
		}
		if work(r) > work(hi) {
			hi = r
		}
	}
	if work(lo) <= 0 || work(hi) < unevenSplit*work(lo) {
		return nil
	}
	what := func(r Replica) string {
		if step != "" {
			return fmt.Sprintf("%s %s", WithSep(r.Steps), step)
		}
		return WithSep(r.GPUBusy) + " ns of GPU time"
	}
	ratio := stat.Round(work(hi)/work(lo), 2)
	var busy int64 // the busiest replica's GPU time beyond the mean: what an even split saves
	for _, r := range reps {
		busy += r.GPUBusy
	}
	return []Finding{{Scope: key, ID: "replica_split", Value: ratio, ImpactNs: max(hi.GPUBusy-busy/int64(len(reps)), 0),
		Message: fmt.Sprintf("work is split unevenly over %d replicas: replica %d (pid %d%s) ran %s, replica %d (pid %d%s) %s, %.2f× as much",
			len(reps), hi.Index, hi.PID, onGPUs(hi.Devices), what(hi), lo.Index, lo.PID, onGPUs(lo.Devices), what(lo), ratio),
		Advice: "spread requests evenly over the workers (or give the busiest more GPUs): the stage waits for its slowest replica"}}
}

// onGPUs is ", GPU 1" or ", GPUs 0,1" for a replica's devices ("" without any).
func onGPUs(ds []int64) string {
	var s []string
	for _, d := range ds {
		s = append(s, strconv.FormatInt(d, 10))
	}
	switch len(s) {
	case 0:
		return ""
	case 1:
		return ", GPU " + s[0]
	}
	return ", GPUs " + strings.Join(s, ",")
}

// tr0Name is kernel k's demangled name.
func tr0Name(t *trace.Trace, k int) string { return t.Strings.Get(int64(t.Kernels.Demangled[k])) }
