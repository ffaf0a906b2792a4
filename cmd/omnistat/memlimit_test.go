package main

import (
	"runtime"
	"runtime/debug"
	"testing"
)

// raiseMemLimit: before a read the soft limit becomes the input read so far (when above the
// floor), after it at least 1.5 times the heap in use; it never lowers the limit, and leaves it
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
	if want := int64(len(live)) * 3 / 2; got < want || got > want*5/4 {
		t.Fatalf("limit %d after a read with %d bytes live, want 1.5 times that (%d) or a little more", got, len(live), want)
	}
	runtime.KeepAlive(live)
	live = nil
	runtime.GC()
	raiseMemLimit(0) // less live now: never lowered
	if after := debug.SetMemoryLimit(-1); after != got {
		t.Fatalf("limit lowered from %d to %d", got, after)
	}
	t.Setenv("GOMEMLIMIT", "1GiB")
	raiseMemLimit(100 * memLimitFloor)
	if after := debug.SetMemoryLimit(-1); after != got {
		t.Fatalf("limit moved to %d with GOMEMLIMIT set", after)
	}
}
