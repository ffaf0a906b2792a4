package reports

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/omnistat/omnistat/trace"
)

// bigProjTrace is a synthetic trace large enough that the projection runs in parallel parts
// (over 1<<15 calls): two threads of one process, each with nested push/pop ranges (some
// ending exactly where their parent or a call ends, one never ended), and a kernel per call
// for most calls.
func bigProjTrace(seed uint64) *trace.Trace {
	rng := rand.New(rand.NewPCG(seed, 7))
	const pid = int64(0x1_000064_000000)
	tids := []int64{pid | 100, pid | 101}
	null := trace.Null
	tr := &trace.Trace{Strings: trace.NewStrings([]int64{0, 1, 2}, []string{"r", "cudaLaunchKernel_v7000", "k"})}
	rt, k, n := &tr.Runtime, &tr.Kernels, &tr.NVTX
	corr := int64(1)
	for ti, tid := range tids {
		now := int64(1000 * ti)
		for range 30 { // outer ranges, each with nested ones and calls
			outerStart := now
			type open struct{ row int }
			var stack []open
			push := func(at int64) {
				stack = append(stack, open{len(n.Start)})
				n.Start = append(n.Start, at)
				n.End = append(n.End, null)
				n.EventType = append(n.EventType, trace.NVTXPushPopRange)
				n.GlobalTID = append(n.GlobalTID, tid)
				n.EndGlobalTID = append(n.EndGlobalTID, null)
				for _, c := range []*[]int64{&n.RangeID, &n.Category, &n.Color, &n.Payload} {
					*c = append(*c, null)
				}
				n.TextID = append(n.TextID, 0)
				n.Text = append(n.Text, -1)
				n.DomainID = append(n.DomainID, 0)
			}
			pop := func(at int64) {
				n.End[stack[len(stack)-1].row] = at
				stack = stack[:len(stack)-1]
			}
			push(now)
			for range 1200 {
				switch r := rng.IntN(10); {
				case r == 0 && len(stack) < 5:
					push(now)
				case r == 1 && len(stack) > 1:
					pop(now) // may end exactly where the last call ended
				}
				d := int64(1 + rng.IntN(20))
				rt.Start = append(rt.Start, now)
				rt.End = append(rt.End, now+d)
				rt.GlobalTID = rt.GlobalTID.Append(tid)
				rt.CorrID = append(rt.CorrID, int32(corr))
				rt.NameID = append(rt.NameID, 1)
				if rng.IntN(8) != 0 {
					ks := now + d + int64(rng.IntN(50))
					k.Start = append(k.Start, ks)
					k.End = append(k.End, ks+int64(1+rng.IntN(40)))
					k.GlobalPID = k.GlobalPID.Append(pid)
					k.CorrID = append(k.CorrID, int32(corr))
					k.Device = k.Device.Append(0)
					k.Demangled = append(k.Demangled, 2)
					k.Short = append(k.Short, 2)
					k.Mangled = append(k.Mangled, trace.Null32)
					k.GraphNodeID = append(k.GraphNodeID, null)
				}
				corr++
				now += d + int64(rng.IntN(3)) // calls may touch: the next starts where this one ends
			}
			for len(stack) > 1 {
				pop(now)
			}
			if outerStart%2 == 0 || ti == 1 {
				pop(now) // the outer range ends with its last nested range
			} else {
				stack = nil // never ended: ends at the last NVTX timestamp
			}
			now += 100
		}
	}
	return tr
}

// The projection (its parallel sweep and accumulation included) equals a brute force: a range
// holds every call of its thread inside it, and the first start and last end of their kernels.
func TestProjectionEqualsBruteForce(t *testing.T) {
	for _, seed := range []uint64{1, 2} {
		tr := bigProjTrace(seed)
		if tr.Runtime.Len() < 1<<15 {
			t.Fatalf("%d calls: too few to run in parts", tr.Runtime.Len())
		}
		n, rt, k := &tr.NVTX, &tr.Runtime, &tr.Kernels
		maxTS, _ := n.MaxTimestamp()
		kernOf := map[int32][]int{}
		for i := range k.Start {
			kernOf[k.CorrID[i]] = append(kernOf[k.CorrID[i]], i)
		}
		type want struct {
			ops        int
			start, end int64
		}
		byThread := map[int64][]int{}
		for c := range rt.Start {
			byThread[rt.GlobalTID.At(c)] = append(byThread[rt.GlobalTID.At(c)], c)
		}
		brute := map[int]want{}
		for r := range n.Start {
			rs, re := n.Start[r], RangeEnd(n, r, maxTS)
			w := want{start: 1<<63 - 1, end: -1 << 63}
			calls := byThread[n.GlobalTID[r]] // in start order
			first, _ := slices.BinarySearchFunc(calls, rs, func(c int, s int64) int { return cmp.Compare(rt.Start[c], s) })
			for _, c := range calls[first:] {
				if rt.Start[c] > re {
					break
				}
				if rt.End[c] > re || len(kernOf[rt.CorrID[c]]) == 0 {
					continue
				}
				w.ops++
				for _, i := range kernOf[rt.CorrID[c]] {
					w.start, w.end = min(w.start, k.Start[i]), max(w.end, k.End[i])
				}
			}
			if w.ops > 0 {
				brute[r] = w
			}
		}
		got := ProjectRanges(tr)
		if len(got) != len(brute) {
			t.Fatalf("seed %d: %d projected ranges, brute force %d", seed, len(got), len(brute))
		}
		for _, g := range got {
			w, ok := brute[g.Row]
			if !ok || g.Ops != w.ops || g.ProjStart != w.start || g.ProjEnd != w.end {
				t.Fatalf("seed %d: range %d: got ops %d [%d, %d], brute force %+v (%v)", seed, g.Row, g.Ops, g.ProjStart, g.ProjEnd, w, ok)
			}
		}
	}
}

// callsSorted agrees with slices.IsSortedFunc on calls in order, with equal starts, and with one
// pair out of order anywhere (at the parts' edges too), over 1<<16 calls.
func TestCallsSortedInParts(t *testing.T) {
	const n = 1 << 16
	start := make([]int64, n)
	cs := make([]int32, n)
	for i := range n {
		start[i], cs[i] = int64(i/3), int32(i) // equal starts in threes
	}
	byStart := func(a, b int32) int { return cmp.Compare(start[a], start[b]) }
	check := func(what string) {
		t.Helper()
		if got, want := callsSorted(cs, start), slices.IsSortedFunc(cs, byStart); got != want {
			t.Fatalf("%s: sorted %v, want %v", what, got, want)
		}
	}
	check("in order")
	for _, i := range []int{1, n / 2, n/2 + 1, n / 3, n - 1} {
		cs[i-1], cs[i] = cs[i], cs[i-1]
		check(fmt.Sprintf("swapped at %d", i))
		cs[i-1], cs[i] = cs[i], cs[i-1]
	}
}
