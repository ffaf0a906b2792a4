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

// NULL threads and processes as the walk from "no value" has always taken them, in parallel
// parts too (the leading run of NULLs crosses the parts' cut): the calls of a NULL thread before
// any other thread's are in the group of the first thread met after them, later ones in their
// own; a NULL process counts as active only when its kernels come after another process's.
func TestLeadingNullsInParts(t *testing.T) {
	const n = 80_000
	tid := int64(0x1_000090_000091)
	tr := &trace.Trace{Strings: trace.NewStrings([]int64{0}, []string{"cudaLaunchKernel"})}
	tr.Threads = []trace.Thread{{GlobalTID: tid, Name: "worker"}}
	rt := &tr.Runtime
	for i := range n {
		g := trace.Null
		if i >= 50_000 && i < 70_000 { // NULL, then the worker, then NULL again
			g = tid
		}
		rt.Start, rt.End, rt.NameID = append(rt.Start, int64(i)*10), append(rt.End, int64(i)*10+5), append(rt.NameID, 0)
		rt.GlobalTID, rt.CorrID = rt.GlobalTID.Append(g), append(rt.CorrID, int32(i+1))
	}
	g, err := stage.Group(tr, stage.ByThread, nil)
	if err != nil {
		t.Fatal(err)
	}
	groupOf := func(i int) int {
		for gi, k := range g.Keep {
			if k.Runtime[i] {
				return gi
			}
		}
		return -1
	}
	if len(g.Labels) != 2 || groupOf(0) != groupOf(49_999) || groupOf(0) != groupOf(50_000) || groupOf(70_000) == groupOf(0) || groupOf(79_999) != groupOf(70_000) {
		t.Fatalf("labels %q; groups of rows 0, 49999, 50000, 70000, 79999: %d %d %d %d %d", g.Labels,
			groupOf(0), groupOf(49_999), groupOf(50_000), groupOf(70_000), groupOf(79_999))
	}
	// active processes: kernels of a NULL process first, then of one process
	pid := trace.ProcessOf(tid)
	k := &tr.Kernels
	for i := range n {
		p := trace.Null
		if i >= 50_000 {
			p = pid
		}
		k.Start, k.End, k.CorrID = append(k.Start, int64(i)*10+1), append(k.End, int64(i)*10+3), append(k.CorrID, int32(i+1))
		k.GlobalPID, k.Device = k.GlobalPID.Append(p), k.Device.Append(0)
		k.Demangled, k.Short, k.Mangled = append(k.Demangled, 0), append(k.Short, 0), append(k.Mangled, 0)
	}
	if got := stage.Active(tr); !slices.Equal(got, []int64{pid}) {
		t.Fatalf("active %x, want only %x (the leading NULLs count for no process)", got, pid)
	}
	k.GlobalPID = k.GlobalPID.Append(trace.Null) // one more kernel of a NULL process, after the others
	k.Start, k.End, k.CorrID = append(k.Start, 1), append(k.End, 2), append(k.CorrID, 0)
	k.Device, k.Demangled, k.Short, k.Mangled = k.Device.Append(0), append(k.Demangled, 0), append(k.Short, 0), append(k.Mangled, 0)
	if got := stage.Active(tr); len(got) != 2 || !slices.Contains(got, trace.Null) {
		t.Fatalf("active %x, want the NULL process too (its kernel comes after another's)", got)
	}
}
