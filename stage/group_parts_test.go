package stage_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/trace"
)

// Over 1<<15 calls the runtime rows' groups are found in parallel parts: by thread, every call
// is in its own thread's group and every kernel in its launching call's (a kernel without a
// call in its process's main thread's), labels sorted and each once; by stage, a trace with
// no stage puts every row in the one group of no stage.
func TestGroupRowsInParts(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 13))
	pids := []int64{0x1_000080_000000, 0x1_000081_000000}
	var tids []int64
	for _, p := range pids {
		for k := range 5 {
			tids = append(tids, p|int64(0x80+k)) // thread 0x80 of a process is not its main thread
		}
		tids = append(tids, p|trace.PID(p)) // its main thread
	}
	tr := &trace.Trace{Strings: trace.NewStrings([]int64{0}, []string{"cudaLaunchKernel"})}
	for _, g := range tids {
		tr.Threads = append(tr.Threads, trace.Thread{GlobalTID: g, Name: fmt.Sprintf("t%x", g&0xffffff)})
	}
	rt, k := &tr.Runtime, &tr.Kernels
	corr := int32(1)
	for rt.Len() < 80_000 {
		g := tids[rng.IntN(len(tids))]
		for range 1 + rng.IntN(25) {
			s := int64(rt.Len()) * 10
			rt.Start, rt.End, rt.NameID = append(rt.Start, s), append(rt.End, s+5), append(rt.NameID, 0)
			rt.GlobalTID, rt.CorrID = rt.GlobalTID.Append(g), append(rt.CorrID, corr)
			if rng.IntN(3) > 0 {
				c := corr
				if rng.IntN(200) == 0 {
					c = 1 << 30 // no call has it
				}
				k.Start, k.End, k.CorrID = append(k.Start, s+1), append(k.End, s+9), append(k.CorrID, c)
				k.GlobalPID, k.Device = k.GlobalPID.Append(trace.ProcessOf(g)), k.Device.Append(0)
				k.Demangled, k.Short, k.Mangled = append(k.Demangled, 0), append(k.Short, 0), append(k.Mangled, 0)
			}
			corr++
		}
	}
	g, err := stage.Group(tr, stage.ByThread, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.IsSorted(g.Labels) || len(slices.Compact(slices.Clone(g.Labels))) != len(g.Labels) {
		t.Fatalf("labels not sorted or repeated: %v", g.Labels)
	}
	groupOf := func(masks func(trace.Keep) []bool, i int) int {
		found := -1
		for gi, kp := range g.Keep {
			if masks(kp)[i] {
				if found >= 0 {
					t.Fatalf("row %d in two groups", i)
				}
				found = gi
			}
		}
		return found
	}
	label := func(tid int64) string {
		return fmt.Sprintf("t%x (%d/%d)", tid&0xffffff, trace.PID(tid), trace.TID(tid))
	}
	callOf := map[int32]int{}
	for i := range rt.Len() {
		callOf[rt.CorrID[i]] = i
		if gi := groupOf(func(k trace.Keep) []bool { return k.Runtime }, i); gi < 0 || g.Labels[gi] != label(rt.GlobalTID.At(i)) {
			t.Fatalf("call %d of thread %x in group %d of %v", i, rt.GlobalTID.At(i), gi, g.Labels)
		}
	}
	for i := range k.Len() {
		want := k.GlobalPID.At(i) | trace.PID(k.GlobalPID.At(i))
		if c, ok := callOf[k.CorrID[i]]; ok {
			want = rt.GlobalTID.At(c)
		}
		if gi := groupOf(func(k trace.Keep) []bool { return k.Kernels }, i); gi < 0 || g.Labels[gi] != label(want) {
			t.Fatalf("kernel %d in group %d, want thread %x's", i, gi, want)
		}
	}
	a := stage.Assign(&trace.Trace{}, nil) // no stage: every row is of no stage
	gs, err := stage.Group(tr, stage.ByStage, a)
	if err != nil {
		t.Fatal(err)
	}
	if len(gs.Labels) != 1 || gs.Labels[0] != stage.Other || slices.Contains(gs.Keep[0].Runtime, false) || slices.Contains(gs.Keep[0].Kernels, false) {
		t.Fatalf("by stage without stages: labels %v", gs.Labels)
	}
}
