// Command omnistat reads Nsight Systems traces of multi-stage GPU serving workloads and prints
// nsys-identical and per-stage summaries. Run `omnistat --help`.
package main

import "os"

// exit ends the process; GPU stage processes swap in the C library's exit so profiler buffers
// are flushed (see workload/cuda.Exit).
var exit = os.Exit

func main() { exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }
