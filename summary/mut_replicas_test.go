package summary

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/trace"
)

// replicasOf on two workers: pid 10 runs four step_N ranges, each launching a 100 ns kernel
// inside it (and a 40 ns one outside it); pid 20 runs four step_N ranges too, but launches its
// 50 ns kernels after each range ends, so none of its steps projects GPU work. The stage lists
// pid 20 first: the replicas come in that order. Kernel time per step is each kernel's summed
// time over the replica's steps; a replica whose steps project nothing is measured by wall time
// over one run.
func TestMutReplicasOf(t *testing.T) {
	s := newSynth()
	s.proc(10, "worker")
	s.proc(20, "worker")
	for i := range int64(4) {
		at := 1_000_000 + i*10_000
		s.rng(10, "step_"+strconv.FormatInt(i, 10), at, 500)
		s.kernel(10, "kA", at+100, 100, 0)
		s.kernel(10, "kB", at+700, 40, 0)
		s.rng(20, "step_"+strconv.FormatInt(i, 10), at+1, 500)
		s.kernel(20, "kA", at+600, 50, 1)
	}
	tr := s.done()
	st := stage.Stage{Key: "worker", Procs: []int64{synthGPID(20), synthGPID(10)}}
	reps, step := replicasOf(tr, st, trace.Span{Start: math.MinInt64, End: math.MaxInt64})
	if len(reps) != 2 || step != ":step_N" {
		t.Fatalf("replicas %+v, step %q", reps, step)
	}
	a, b := reps[0], reps[1]
	if a.PID != 20 || a.Index != 0 || b.PID != 10 || b.Index != 1 {
		t.Fatalf("order: replica 0 pid %d (%d), replica 1 pid %d (%d); want the stage's order, 20 then 10", a.PID, a.Index, b.PID, b.Index)
	}
	// pid 10: four steps, each projecting its 100 ns kernel
	if b.Steps != 4 || b.StepNs != 100 {
		t.Errorf("pid 10: %d steps of %v ns, want 4 of 100", b.Steps, b.StepNs)
	}
	if b.kernels["kA"] != 4*100/4.0 || b.kernels["kB"] != 4*40/4.0 {
		t.Errorf("pid 10 kernels per step %v, want kA 100, kB 40", b.kernels)
	}
	// pid 20: no step projects anything: wall time (first range start to last kernel end), one run
	wall := int64(1_000_000+3*10_000+650) - (1_000_000 + 1)
	if a.WallNs != wall || a.Steps != 1 || a.StepNs != float64(wall) {
		t.Errorf("pid 20: wall %d, %d steps of %v ns, want %d ns over 1 run", a.WallNs, a.Steps, a.StepNs, wall)
	}
	if a.kernels["kA"] != 4*50 {
		t.Errorf("pid 20 kernels per run %v, want kA 200", a.kernels)
	}
}

func mrep(i int, steps int64, stepNs float64, wall, busy, kern int64, kernels map[string]float64) Replica {
	r := Replica{Index: i, PID: int64(100 + i), Devices: []int64{int64(i)}, Steps: steps, StepNs: stepNs, kernels: kernels}
	r.WallNs, r.GPUBusy, r.KernelNs = wall, busy, kern
	return r
}

// Two steps in every replica are enough for a per-step comparison.
func TestMutReplicaPerStepFromTwoSteps(t *testing.T) {
	fs := replicaFinding("w", []Replica{mrep(0, 2, 100, 1000, 200, 200, nil), mrep(1, 2, 200, 1000, 400, 400, nil)}, ":s")
	if len(fs) == 0 || !strings.Contains(fs[0].Message, "ns of GPU time per :s") {
		t.Errorf("two steps each: %+v", fs)
	}
	if want := int64((200 - 100) * 2); fs[0].ImpactNs != want {
		t.Errorf("impact %d, want %d", fs[0].ImpactNs, want)
	}
}

// With one step in a replica the comparison is of wall time and of each kernel's total (its
// time per step times the steps); the impact is the extra wall time.
func TestMutReplicaWallComparison(t *testing.T) {
	a := mrep(0, 1, 50, 1000, 10, 10, map[string]float64{"k": 300})
	b := mrep(1, 3, 60, 2000, 10, 10, map[string]float64{"k": 200}) // 600 ns of k in all
	fs := replicaFinding("w", []Replica{a, b}, ":s")
	if len(fs) == 0 {
		t.Fatal("no finding")
	}
	f := fs[0]
	if !strings.Contains(f.Message, "replica 1, pid 101, GPU 1) takes 2,000.0 ns wall time, 100.0% more") {
		t.Errorf("message %q", f.Message)
	}
	if want := "kernels that differ most: k (" + Signed(600-300) + " ns)"; !strings.HasSuffix(f.Message, want) {
		t.Errorf("message %q, want it to end %q", f.Message, want)
	}
	if f.ImpactNs != 2000-1000 {
		t.Errorf("impact %d, want 1,000", f.ImpactNs)
	}
}

// Equally slow replicas keep the replica order (a stable sort): the last of them is named the
// slowest, the middle one the median.
func TestMutReplicaTiesKeepOrder(t *testing.T) {
	reps := []Replica{mrep(0, 4, 100, 1000, 400, 400, nil), mrep(1, 4, 100, 1000, 400, 400, nil), mrep(2, 4, 100, 1000, 400, 400, nil)}
	fs := replicaFinding("w", reps, ":s")
	if len(fs) == 0 || !strings.Contains(fs[0].Message, "(replica 2, pid 102, GPU 2)") || !strings.Contains(fs[0].Message, "median replica (replica 1, pid 101, GPU 1,") {
		t.Errorf("ties: %+v", fs)
	}
}

// A per-step difference the table does not show: the message gives both replicas' GPU busy and
// kernel time per step (the table's columns over its steps).
func TestMutReplicaBalancedByTheTable(t *testing.T) {
	med := mrep(0, 4, 100, 1000, 4000, 2000, nil)  // 1,000 and 500 ns per step
	slow := mrep(1, 5, 200, 1000, 5125, 2550, nil) // 1,025 and 510 ns per step: 2.5% and 2% more
	fs := replicaFinding("w", []Replica{med, slow}, ":s")
	want := ", but its GPU busy and kernel time per step are within 5% of the median replica's (1,025.0 and 510.0 ns, against 1,000.0 and 500.0 ns)"
	if len(fs) == 0 || !strings.Contains(fs[0].Message, want) || fs[0].ImpactNs != 0 {
		t.Errorf("%+v, want %q", fs, want)
	}
}

// perStepMore: percent more per step; 0 when neither has any, +Inf when only a has some.
func TestMutPerStepMore(t *testing.T) {
	for _, c := range []struct {
		a, b       Replica
		busy, kern float64
	}{
		{mrep(0, 2, 0, 0, 200, 300, nil), mrep(1, 1, 0, 0, 100, 100, nil), 0, 50},
		{mrep(0, 1, 0, 0, 150, 0, nil), mrep(1, 3, 0, 0, 300, 0, nil), 50, 0},
		{mrep(0, 1, 0, 0, 10, 0, nil), mrep(1, 1, 0, 0, 0, 0, nil), math.Inf(1), 0},
	} {
		if b, k := perStepMore(c.a, c.b); b != c.busy || k != c.kern {
			t.Errorf("perStepMore(%+v, %+v) = %v, %v; want %v, %v", c.a, c.b, b, k, c.busy, c.kern)
		}
	}
}

// The split by GPU time: ties go to the first replica in order (least and busiest alike); a
// replica without GPU time gives no ratio, so no finding; the impact is the busiest replica's
// GPU time above the mean.
func TestMutSplitFinding(t *testing.T) {
	fs := splitFinding("w", []Replica{mrep(0, 1, 0, 0, 200, 0, nil), mrep(1, 1, 0, 0, 100, 0, nil), mrep(2, 1, 0, 0, 100, 0, nil), mrep(3, 1, 0, 0, 200, 0, nil)}, "")
	if want := "replica 0 (pid 100, GPU 0) ran 200 ns of GPU time, replica 1 (pid 101, GPU 1) 100 ns of GPU time, 2.00× as much"; len(fs) != 1 || !strings.HasSuffix(fs[0].Message, want) {
		t.Errorf("ties: %+v, want %q", fs, want)
	}
	if fs := splitFinding("w", []Replica{mrep(0, 1, 0, 0, 0, 0, nil), mrep(1, 1, 0, 0, 100, 0, nil)}, ""); len(fs) != 0 {
		t.Errorf("a replica without GPU time: %+v", fs)
	}
	fs = splitFinding("w", []Replica{mrep(0, 1, 0, 0, 100, 0, nil), mrep(1, 1, 0, 0, 300, 0, nil), mrep(2, 1, 0, 0, 200, 0, nil)}, "")
	if len(fs) != 1 || fs[0].ImpactNs != 300-(100+300+200)/3 {
		t.Errorf("impact: %+v, want 100", fs)
	}
}

// The table's MemOps column is copy plus memset time; a replica without GPUs shows "-".
func TestMutReplicaTableColumns(t *testing.T) {
	r := mrep(0, 1, 10, 100, 50, 20, nil)
	r.MemcpyNs, r.MemsetNs, r.Devices = 30, 4, nil
	tb := replicaTable("w", []Replica{r}, "")
	row := tb.Rows[0]
	if m := row[tb.Col("MemOps")].I; m != 34 {
		t.Errorf("MemOps %d, want 34", m)
	}
	if g := row[tb.Col("GPUs")].S; g != "-" {
		t.Errorf("GPUs %q, want -", g)
	}
	r.Devices = []int64{0, 3}
	if g := replicaTable("w", []Replica{r}, "").Rows[0][tb.Col("GPUs")].S; g != "0,3" {
		t.Errorf("GPUs %q, want 0,3", g)
	}
}

// A finding that lists kernels names them by the function it is given, in its order, with
// their figures; nameKernels names them by the map, and a kernel the map lacks by
// ShortKernelName; a finding without kernels keeps its message.
func TestNamedMessage(t *testing.T) {
	f := Finding{Message: "old", head: "head", kernels: []kernelDelta{{"void a<int>(int)", "+1 ns"}, {"void b()", "-2 ns"}}}
	if got := f.NamedMessage(func(s string) string { return "<" + s + ">" }); got != "head; kernels that differ most: <void a<int>(int)> (+1 ns), <void b()> (-2 ns)" {
		t.Errorf("NamedMessage: %q", got)
	}
	plain := Finding{Message: "plain"}
	fs := []Finding{f, plain}
	nameKernels(fs, map[string]string{"void b()": "B"})
	if fs[0].Message != "head; kernels that differ most: a<…> (+1 ns), B (-2 ns)" || fs[1].Message != "plain" {
		t.Errorf("nameKernels: %q, %q", fs[0].Message, fs[1].Message)
	}
	if got := plain.NamedMessage(func(string) string { return "x" }); got != "plain" {
		t.Errorf("no kernels: %q", got)
	}
}
