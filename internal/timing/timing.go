// Package timing records how long the phases of a run take, for performance work: with
// OMNISTAT_TIMING set, each phase's wall time (and a job's, with its worker count) is written to
// stderr as it ends ("timing: read 0.204 s"). Without it every call is a no-op.
package timing

import (
	"fmt"
	"os"
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
	return func() {
		e := time.Now()
		mu.Lock()
		fmt.Fprintf(os.Stderr, "timing: %-40s %7.3f s  (at %.3f-%.3f s)\n", name, e.Sub(s).Seconds(), s.Sub(t0).Seconds(), e.Sub(t0).Seconds())
		mu.Unlock()
	}
}
