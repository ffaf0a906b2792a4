package summary

import (
	"strings"
	"testing"
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
