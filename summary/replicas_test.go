package summary

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/stage"
)

// TestReplicaFindings: the balance finding names the slowest replica against the median one; an
// uneven split of steps (or of GPU time without a step range) is its own finding, an even one is not.
func TestReplicaFindings(t *testing.T) {
	rep := func(i int, pid int64, dev int64, steps int64, stepNs float64, busy int64) Replica {
		r := Replica{Index: i, PID: pid, Devices: []int64{dev}, Steps: steps, StepNs: stepNs, kernels: map[string]float64{"k": stepNs}}
		r.GPUBusy = busy
		return r
	}
	reps := []Replica{rep(0, 10, 0, 30, 100, 3000), rep(1, 11, 1, 10, 120, 1200), rep(2, 12, 0, 30, 101, 3030)}
	fs := replicaFinding("diffusion", reps, "dit.block")
	if len(fs) != 2 || fs[0].ID != "replica_balance" || fs[1].ID != "replica_split" {
		t.Fatalf("findings %+v", fs)
	}
	if want := "the slowest of 3 replicas (replica 1, pid 11, GPU 1) takes 120.0 ns of GPU time per dit.block, 18.8% more than the median replica (replica 2, pid 12, GPU 0, 101.0 ns)"; !strings.HasPrefix(fs[0].Message, want) {
		t.Errorf("balance: %q", fs[0].Message)
	}
	if want := "work is split unevenly over 3 replicas: replica 0 (pid 10, GPU 0) ran 30 dit.block, replica 1 (pid 11, GPU 1) 10 dit.block, 3.00× as much"; fs[1].Message != want || fs[1].Value != 3 {
		t.Errorf("split: %q (%v)", fs[1].Message, fs[1].Value)
	}
	// without a step range the split is by GPU busy time; within 25% it is even
	even := []Replica{rep(0, 10, 0, 1, 100, 1000), rep(1, 11, 1, 1, 100, 1240)}
	if fs := replicaFinding("diffusion", even, ""); len(fs) != 1 {
		t.Errorf("even split reported: %+v", fs)
	}
	uneven := []Replica{rep(0, 10, 0, 1, 100, 1000), rep(1, 11, 1, 1, 100, 1300)}
	if fs := replicaFinding("diffusion", uneven, ""); len(fs) != 2 || !strings.Contains(fs[1].Message, "replica 1 (pid 11, GPU 1) ran 1,300 ns of GPU time") {
		t.Errorf("uneven split by GPU time: %+v", fs)
	}
}

// TestReplicasUseTheStageStepFamily: two replicas run the same ten steps (step_0 … step_9), one
// kernel of 1,000 ns each, except that each runs one step with a 5,000 ns kernel: replica 0 its
// step_0, replica 1 its step_1. Their GPU busy and kernel time are equal. The replica table
// counts the stage's step family (step_N, 10 steps per replica, as the Steps table has 20), not
// one exact name with one instance per replica, and the balance finding says balanced.
func TestReplicasUseTheStageStepFamily(t *testing.T) {
	s := newSynth()
	for r, pid := range []int64{10, 20} {
		s.proc(pid, "diffusion-rank-"+strconv.Itoa(r))
		for i := range int64(10) {
			at := 1_000_000 + i*100_000 + int64(r)*10
			d := int64(1000)
			if i == int64(r) {
				d = 5000
			}
			s.rng(pid, "step_"+strconv.FormatInt(i, 10), at, 20_000)
			s.kernel(pid, "void dit_block()", at+100, d, int64(r))
		}
	}
	tr := s.done()
	a := stage.Assign(tr, nil)
	if len(a.Stages) != 1 || len(a.Stages[0].Procs) != 2 {
		t.Fatalf("stages %+v: want one stage of two replicas", a.Stages)
	}
	sum, err := Build(tr, a, Options{Findings: DefaultFindingOptions})
	if err != nil {
		t.Fatal(err)
	}
	st := sum.Stages[0]
	if st.Steps == nil || st.Steps.Range != ":step_N" || st.Steps.Count != 20 {
		t.Fatalf("steps %+v", st.Steps)
	}
	var reps *table.Table
	for _, tb := range st.Tables {
		if tb.Name == "stage_replicas" {
			reps = tb
		}
	}
	if reps == nil {
		t.Fatal("no replica table")
	}
	for _, row := range reps.Rows {
		if n := row[reps.Col("Steps")].I; n != 10 {
			t.Errorf("replica %v: %d steps, want 10 of the stage's step range", row[0], n)
		}
		if ns := row[reps.Col("GPU per Step")].F; ns != 1400 {
			t.Errorf("replica %v: %v ns per step, want 1,400", row[0], ns)
		}
	}
	if want := "step: :step_N; GPU per step is the mean GPU projection of one step"; !slices.Contains(reps.Notes, want) {
		t.Errorf("notes %q", reps.Notes)
	}
	f, ok := find(st.Findings, "replica_balance")
	if !ok || f.Value != 0 || !strings.HasPrefix(f.Advice, "balanced") || !strings.Contains(f.Message, "per :step_N") {
		t.Errorf("replica_balance %+v", f)
	}
}

// A per-step difference comes from 2 steps or more in every replica: with one step in a replica
// the finding compares wall time; and a per-step difference that the replicas' GPU busy and
// kernel time per step do not show is balanced, as the table it sits under says.
func TestReplicaBalanceAgreesWithTheTable(t *testing.T) {
	rep := func(i int, steps int64, stepNs float64, wall, busy int64) Replica {
		r := Replica{Index: i, PID: int64(10 + i), Devices: []int64{int64(i)}, Steps: steps, StepNs: stepNs, kernels: map[string]float64{"k": float64(busy) / float64(steps)}}
		r.WallNs, r.GPUBusy, r.KernelNs = wall, busy, busy
		return r
	}
	// one step each: 151,750,042 ns against 7,274,562 ns of projection, equal walls
	fs := replicaFinding("item", []Replica{rep(0, 1, 151_750_042, 969_447_605, 962_890_247), rep(1, 1, 7_274_562, 969_258_578, 962_810_705)}, ":aten::_to_copy")
	if len(fs) != 1 || !strings.Contains(fs[0].Message, "wall time") || strings.Contains(fs[0].Message, "per :aten") || fs[0].Value != 0 || !strings.HasPrefix(fs[0].Advice, "balanced") {
		t.Errorf("one step: %+v", fs)
	}
	// 28 steps each, a projection 20× apart over equal GPU busy and kernel time
	fs = replicaFinding("item", []Replica{rep(0, 28, 40_000, 1000, 962_890_247), rep(1, 28, 2000, 1000, 962_810_705)}, ":aten::clone")
	if len(fs) != 1 || fs[0].ImpactNs != 0 || !strings.HasPrefix(fs[0].Advice, "balanced") || !strings.Contains(fs[0].Message, "within 5% of the median replica's") {
		t.Errorf("equal work per step: %+v", fs)
	}
	// the same projection with the work as far apart: an imbalance
	fs = replicaFinding("item", []Replica{rep(0, 28, 40_000, 1000, 20*962_810_705), rep(1, 28, 2000, 1000, 962_810_705)}, ":aten::clone")
	if len(fs) != 1 || fs[0].Value != 1900 || strings.HasPrefix(fs[0].Advice, "balanced") {
		t.Errorf("unequal work per step: %+v", fs)
	}
}
