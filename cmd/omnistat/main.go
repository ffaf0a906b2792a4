// Command omnistat reads Nsight Systems traces of multi-stage GPU serving workloads and prints
// nsys-identical and per-stage summaries. Run `omnistat --help`.
package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"runtime/pprof"
)

// exit ends the process; GPU stage processes swap in the C library's exit so profiler buffers
// are flushed (see workload/cuda.Exit).
var exit = os.Exit

func main() {
	// a soft memory limit: the garbage collector then works before the heap has doubled, which
	// keeps the resident size near the live data; readTrace raises it for big inputs so the
	// collector never thrashes (GOMEMLIMIT overrides both)
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memLimitFloor)
	}
	stop := cpuProfile(os.Getenv("OMNISTAT_CPUPROFILE"))
	code := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	exit(code)
}

// cpuProfile writes a CPU profile of the whole run to path (OMNISTAT_CPUPROFILE, for
// docs/performance.md's measurements; "" profiles nothing) and returns what stops it.
func cpuProfile(path string) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "omnistat: OMNISTAT_CPUPROFILE: %v\n", err)
		return func() {}
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}
