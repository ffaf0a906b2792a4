package main

import (
	"os"
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
// adds little. After a read (add == 0), it becomes at least 1.5 times the heap then in use:
// summarize's live data peaks near 1.45 times the model (call index, a stage's GPU spans and
// projection, a few concurrent tables), so the collector works hard only near the peak, and the
// resident size stays near it (272–287 MiB on that trace, 1.75 times gave 295 MiB for 3% less
// time). Inputs read together (a merged folder) add up.
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
			want = max(want, int64(s[0].Value.Uint64())*3/2)
		}
	}
	if want > memLimitFloor && want > debug.SetMemoryLimit(-1) {
		debug.SetMemoryLimit(want)
	}
}
