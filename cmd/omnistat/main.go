// Command omnistat reads Nsight Systems traces of multi-stage GPU serving workloads and prints
// nsys-identical and per-stage summaries. Run `omnistat --help`.
package main

import "os"

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }
