package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
)

// raiseMemLimit: before a read the soft limit becomes the input read so far (when above the
// floor and the limit), after it heapFactor times the heap in use, lower or higher; it leaves it
// alone when GOMEMLIMIT is set.
func TestRaiseMemLimit(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "")
	old := debug.SetMemoryLimit(memLimitFloor)
	defer debug.SetMemoryLimit(old)
	memLimit.inputBytes = 0
	defer func() { memLimit.inputBytes = 0 }()

	raiseMemLimit(memLimitFloor / 2) // below the floor: unchanged
	if got := debug.SetMemoryLimit(-1); got != memLimitFloor {
		t.Fatalf("limit %d after a small input, want the floor %d", got, memLimitFloor)
	}
	raiseMemLimit(memLimitFloor) // 1.5 floors of input in all
	if got, want := debug.SetMemoryLimit(-1), int64(memLimitFloor)*3/2; got != want {
		t.Fatalf("limit %d after 1.5 floors of input, want %d", got, want)
	}
	live := make([]byte, 2*memLimitFloor) // a model of 2 floors
	for i := range live {
		live[i] = 1
	}
	raiseMemLimit(0)
	got := debug.SetMemoryLimit(-1)
	if want := limitAfterRead(int64(len(live)), runtime.GOMAXPROCS(0)); got < want || got > want*5/4 {
		t.Fatalf("limit %d after a read with %d bytes live, want %d or a little more", got, len(live), want)
	}
	runtime.KeepAlive(live)
	raiseMemLimit(memLimitFloor) // before a read: never lowered
	if after := debug.SetMemoryLimit(-1); after != got {
		t.Fatalf("limit moved from %d to %d before a read", got, after)
	}
	live = nil
	raiseMemLimit(0) // after a read with less live (the read's garbage is collected): lowered
	if after := debug.SetMemoryLimit(-1); after >= got/2 {
		t.Fatalf("limit %d after a read with the model gone, want it lowered from %d", after, got)
	}
	got = debug.SetMemoryLimit(-1)
	t.Setenv("GOMEMLIMIT", "1GiB")
	raiseMemLimit(100 * memLimitFloor)
	if after := debug.SetMemoryLimit(-1); after != got {
		t.Fatalf("limit moved to %d with GOMEMLIMIT set", after)
	}
}

// heapFactor grows with the jobs run at once, from 1.5 on up to 2 cores to at most 3.
func TestHeapFactor(t *testing.T) {
	for procs, want := range map[int]float64{1: 1.5, 2: 1.5, 4: 1.7, 12: 2.5, 16: 2.9, 17: 3, 128: 3} {
		if got := heapFactor(procs); math.Abs(got-want) > 1e-9 {
			t.Errorf("heapFactor(%d) = %v, want %v", procs, got, want)
		}
	}
}

// limitAfterRead: twice the model while that is at most spareHeap above it, heapFactor times
// the model beyond (and wherever that is more).
func TestLimitAfterRead(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		live  int64
		procs int
		want  int64
	}{
		{100 * mib, 2, 200 * mib},                 // twice
		{200 * mib, 2, 400 * mib},                 // twice, spareHeap above
		{300 * mib, 2, 500 * mib},                 // spareHeap above
		{400 * mib, 2, 600 * mib},                 // spareHeap above: 1.5 times
		{432 * mib, 2, 648 * mib},                 // 1.5 times (a ×400 trace's model)
		{100 * mib, 16, int64(2.9 * 100 * mib)},   // heapFactor's, more
		{1000 * mib, 16, int64(2.9 * 1000 * mib)}, // heapFactor's
	} {
		if got := limitAfterRead(c.live, c.procs); got != c.want {
			t.Errorf("limitAfterRead(%d MiB, %d) = %d MiB, want %d MiB", c.live/mib, c.procs, got/mib, c.want/mib)
		}
	}
}
