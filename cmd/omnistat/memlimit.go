package main

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// memLimitFloor is the smallest soft memory limit omnistat sets.
const memLimitFloor = 256 << 20

// memLimit guards inputBytes (the size of every export read so far) and the soft memory limit.
var memLimit struct {
	sync.Mutex
	inputBytes int64
}

// raiseMemLimit raises the soft memory limit, never lowers it, unless GOMEMLIMIT is set. Before a
// read (add > 0 bytes of input), the limit becomes 1.25 times the input read so far: the model
// of an export takes a little less than its file (184 MiB for the 200 MB ×100 TTS trace). After a
// read (add == 0), it becomes at least 1.75 times the heap then in use: summarize's live data
// peaks near 1.6 times the model (grouping, call index, a few concurrent tables; about 300 MiB
// on that trace), so the collector works only near the peak and the resident size stays near
// it. Inputs read together (a merged folder) add up.
func raiseMemLimit(add int64) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	memLimit.Lock()
	defer memLimit.Unlock()
	memLimit.inputBytes += add
	want := memLimit.inputBytes * 5 / 4
	if add == 0 {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		metrics.Read(s)
		if s[0].Value.Kind() == metrics.KindUint64 {
			want = max(want, int64(s[0].Value.Uint64())*7/4)
		}
	}
	if want > memLimitFloor && want > debug.SetMemoryLimit(-1) {
		debug.SetMemoryLimit(want)
	}
}
