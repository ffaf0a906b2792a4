//go:build unix

package timing

import "syscall"

// usage is the CPU time (user and system, all threads) the process has used so far, in
// seconds, and its minor page faults.
func usage() (cpu float64, faults int64) {
	var r syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &r) != nil {
		return 0, 0
	}
	sec := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return sec(r.Utime) + sec(r.Stime), int64(r.Minflt)
}
