// Package timing records how long the phases of a run take, for performance work: with
// OMNISTAT_TIMING set, each phase's wall time is written to stderr as it ends, with the heap in
// use and all the memory the Go runtime holds from the system at that moment, and the CPU time
// and minor page faults of the whole process during the phase (every thread: other phases
// running at the same time count too) ("timing: read 0.204 s … cpu 0.391 s, 51234 faults,
// heap 180 MiB, held 210 MiB"). Without it every call is a no-op.
package timing

import (
	"fmt"
	"os"
	"runtime/metrics"
	"sync"
	"time"
)

var (
	on = os.Getenv("OMNISTAT_TIMING") != ""
	mu sync.Mutex
	t0 = time.Now()
)

// On reports whether timings are written.
func On() bool { return on }

// Start begins a phase; the returned function ends it and writes its line.
func Start(name string) func() {
	if !on {
		return func() {}
	}
	s := time.Now()
	c0, f0 := usage()
	return func() {
		e := time.Now()
		c1, f1 := usage()
		m := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/total:bytes"}}
		metrics.Read(m)
		mu.Lock()
		fmt.Fprintf(os.Stderr, "timing: %-40s %7.3f s  (at %.3f-%.3f s)  cpu %.3f s, %d faults, heap %d MiB, held %d MiB\n", name, e.Sub(s).Seconds(),
			s.Sub(t0).Seconds(), e.Sub(t0).Seconds(), c1-c0, f1-f0, m[0].Value.Uint64()>>20, m[1].Value.Uint64()>>20)
		mu.Unlock()
	}
}
