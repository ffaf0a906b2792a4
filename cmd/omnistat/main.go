// Command omnistat reads Nsight Systems traces of multi-stage GPU serving workloads and prints
// nsys-identical and per-stage summaries. Run `omnistat --help`.
package main

import (
	"os"
	"runtime/debug"
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
	exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
