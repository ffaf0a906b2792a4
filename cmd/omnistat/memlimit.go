package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// memLimitFloor is the smallest soft memory limit omnistat sets: below it, collecting sooner
// saves nothing that matters and costs time (on the ×100 TTS trace, whose model is 109 MiB, a
// limit of 1.5 times the model made summarize 7% slower on 2 cores than this floor did).
const memLimitFloor = 192 << 20

// memLimit guards inputBytes (the size of every export read so far) and the soft memory limit.
var memLimit struct {
	sync.Mutex
	inputBytes int64
}

// raiseMemLimit sets the soft memory limit, unless GOMEMLIMIT is set. Before a read (add > 0
// bytes of input), it raises the limit to the size of the input read so far, never lowering it:
// the model of an export takes about 0.6 of its file (123 MiB for the 200 MB ×100 TTS trace), and
// the read adds little. After a read (add == 0), it collects the read's garbage and sets the limit
// to heapFactor times the heap then in use (the models), which may be lower: what the analyses
// need, not what the read needed. Inputs read together (a merged folder) add up.
func raiseMemLimit(add int64) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	memLimit.Lock()
	defer memLimit.Unlock()
	memLimit.inputBytes += add
	want := memLimit.inputBytes
	if add == 0 {
		runtime.GC() // the read's buffers and 64-bit columns go: what is left is the model
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		metrics.Read(s)
		if s[0].Value.Kind() == metrics.KindUint64 {
			want = limitAfterRead(int64(s[0].Value.Uint64()), runtime.GOMAXPROCS(0))
		}
		debug.SetMemoryLimit(max(want, memLimitFloor))
		return
	}
	if want > memLimitFloor && want > debug.SetMemoryLimit(-1) {
		debug.SetMemoryLimit(want)
	}
}

// spareHeap is how far above the model the soft limit always lets the heap grow, up to twice
// the model (limitAfterRead).
const spareHeap = 200 << 20

// limitAfterRead is the soft limit once the models (live bytes of heap) are read, for procs
// jobs at once: heapFactor times the models, but never under twice the models while that is
// at most spareHeap above them. On 2 cores summarize's live data peaks near 1.45 times the
// model, so that a limit of 1.5 times keeps the collector running back to back and the pages
// it frees are returned and faulted in again: on the 384 MB H200 capture (model 196 MiB),
// twice the model made summarize 10% faster (0.86-0.94 s against 0.98-1.03 s, peak RSS 417
// against 380-410 MB). Past 200 MiB of model (a ×400 TTS trace's is 432 MiB) the spare memory
// is heapFactor's, which keeps the resident size below the file's.
func limitAfterRead(live int64, procs int) int64 {
	return max(int64(float64(live)*heapFactor(procs)), min(2*live, live+spareHeap))
}

// heapFactor is the soft limit after a read over the heap then in use (the model, the read's
// garbage collected), for procs jobs at once: 1.5 on up to 2 cores, 0.1 more per core beyond, at
// most 3. summarize's live data peaks near 1.45 times the model on 2 cores (a stage's GPU spans
// and projection, the steps, a table or two) and higher with more concurrent jobs, each holding
// its own transients: 1.9 times on 16 cores (the 384 MB H200 capture, model 196 MiB). A limit
// under the peak makes the collector run back to back: on 16 cores, 2 times made summarize 12%
// slower than 2.9 times did. Near the peak, the collector works and the resident size stays
// close to the live data: on 2 cores, 728 MiB for the ×400 TTS trace (a 783 MiB file).
func heapFactor(procs int) float64 {
	return min(3, 1.5+0.1*float64(max(0, procs-2)))
}
