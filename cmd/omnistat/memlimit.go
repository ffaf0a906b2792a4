package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// memLimitFloor is the smallest soft memory limit omnistat sets.
const memLimitFloor = 128 << 20

// memLimit guards inputBytes (the size of every export read so far) and the soft memory limit.
var memLimit struct {
	sync.Mutex
	inputBytes int64
}

// raiseMemLimit raises the soft memory limit, never lowers it, unless GOMEMLIMIT is set. Before a
// read (add > 0 bytes of input), the limit becomes the size of the input read so far: the model
// of an export takes about 0.8 of its file (148 MiB for the 200 MB ×100 TTS trace), and the read
// adds little. After a read (add == 0), it becomes at least heapFactor times the heap then in
// use. Inputs read together (a merged folder) add up.
func raiseMemLimit(add int64) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	memLimit.Lock()
	defer memLimit.Unlock()
	memLimit.inputBytes += add
	want := memLimit.inputBytes
	if add == 0 {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		metrics.Read(s)
		if s[0].Value.Kind() == metrics.KindUint64 {
			want = max(want, int64(float64(s[0].Value.Uint64())*heapFactor(runtime.GOMAXPROCS(0))))
		}
	}
	if want > memLimitFloor && want > debug.SetMemoryLimit(-1) {
		debug.SetMemoryLimit(want)
	}
}

// heapFactor is the soft limit after a read over the heap then in use (the model), for procs
// jobs at once: 1.5 on up to 2 cores, 0.05 more per core beyond, at most 2. summarize's live
// data peaks near 1.45 times the model on 2 cores (call index, a stage's GPU spans and
// projection, a table or two) and higher with more concurrent jobs, each holding its own
// transients; a limit under the peak makes the collector run back to back (on 16 cores, 1.5
// times made summarize 10% slower than 1.75 times did). Near the peak, the collector works and
// the resident size stays close to the live data: on 2 cores, 280 MiB for the ×100 TTS trace
// (1.75 times: 295 MiB, the same time).
func heapFactor(procs int) float64 {
	return min(2, 1.5+0.05*float64(max(0, procs-2)))
}
