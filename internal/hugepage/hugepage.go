// Package hugepage asks Linux to back omnistat's largest slices (the model's columns, the big
// buffers of the analyses) with transparent huge pages, where that costs nothing but the advice.
//
// Every page of a fresh slice is zeroed by the kernel at its first touch, one fault per 4 KiB:
// on a 384 MB export summarize took ~115,000 faults, a quarter of its CPU time on two cores of
// the H200 machine (system time 0.35 s of 2.2 s). With 2 MiB pages a slice takes one fault per
// 2 MiB. The Go runtime leaves its heap to the system's default, which on most distributions
// (transparent_hugepage "madvise") is small pages unless a range is advised.
//
// An advised range whose fault finds no free 2 MiB block makes the kernel reclaim or compact
// memory on the spot (defrag "madvise"), which can stall for milliseconds or more on a busy
// machine. So Hint advises only while the kernel's free lists hold enough free 2 MiB blocks
// (/proc/buddyinfo, read once): at most half of the free memory in blocks of that size or
// larger, counted down by every range advised; beyond it, and when the system mode is not
// "madvise" ("always" already gives huge pages; "never" refuses them), Hint does nothing.
// OMNISTAT_HUGEPAGES=off turns it off, as does a process whose huge pages are disabled. Only the
// kernel's page size changes: no value, no output, nothing else depends on it.
package hugepage

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"
)

// minBytes is the smallest slice Hint advises: smaller ones hold few whole huge pages.
const minBytes = 4 << 20

var (
	once   sync.Once
	size   uintptr      // the huge page size, 0 when Hint does nothing
	budget atomic.Int64 // bytes still to advise
)

// Hint advises the kernel to back s's whole huge pages with huge pages (see the package
// comment). Call it right after making s, before its first write.
func Hint[T any](s []T) {
	var z T
	n := uintptr(len(s)) * unsafe.Sizeof(z)
	if n < minBytes {
		return
	}
	once.Do(setup)
	if size == 0 {
		return
	}
	base := unsafe.Pointer(unsafe.SliceData(s))
	p := uintptr(base)
	a, e := (p+size-1)&^(size-1), (p+n)&^(size-1) // the whole huge pages of s
	if e > a && take(int64(e-a)) {
		advise(unsafe.Add(base, a-p), e-a)
	}
}

// take counts n bytes off the budget, if it holds them.
func take(n int64) bool {
	for {
		b := budget.Load()
		if b < n {
			return false
		}
		if budget.CompareAndSwap(b, b-n) {
			return true
		}
	}
}

// setup reads the system's settings once.
func setup() {
	if os.Getenv("OMNISTAT_HUGEPAGES") == "off" || !supported {
		return
	}
	// a process whose huge pages are turned off (prctl PR_SET_THP_DISABLE, as some container
	// runtimes do) says so in its status ("THP_enabled: 0", Linux 6.x): advice would do nothing
	if st, err := os.ReadFile("/proc/self/status"); err == nil && strings.Contains(string(st), "\nTHP_enabled:\t0") {
		return
	}
	mode, err1 := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	hp, err2 := os.ReadFile("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size")
	buddy, err3 := os.ReadFile("/proc/buddyinfo")
	if err1 != nil || err2 != nil || err3 != nil {
		return
	}
	s, b, ok := plan(string(mode), string(hp), string(buddy), os.Getpagesize())
	if ok {
		size = s
		budget.Store(b)
	}
}

// plan reads the kernel's settings: the transparent huge page mode (enabled), the huge page
// size (hpage_pmd_size) and the free lists (buddyinfo: per zone, the free blocks of 2^k pages
// for k = 0, 1, …). It gives the huge page size and the bytes Hint may advise: half of the free
// memory in blocks of a huge page or more; ok is false unless the mode is "madvise" and the
// size a power of two above the page size.
func plan(mode, hp, buddy string, page int) (size uintptr, budget int64, ok bool) {
	if !strings.Contains(mode, "[madvise]") {
		return 0, 0, false
	}
	h, err := strconv.ParseInt(strings.TrimSpace(hp), 10, 64)
	if err != nil || h <= int64(page) || h&(h-1) != 0 {
		return 0, 0, false
	}
	order := 0 // the order of a huge page's block
	for int64(page)<<order < h {
		order++
	}
	var free int64
	for _, line := range strings.Split(buddy, "\n") {
		f := strings.Fields(line)
		i := slices.Index(f, "zone")
		if i < 0 || len(f) < i+2 {
			continue
		}
		for k, c := range f[i+2:] {
			n, err := strconv.ParseInt(c, 10, 64)
			if err != nil || n < 0 {
				return 0, 0, false
			}
			if k >= order && k < 62 {
				free += n * (int64(page) << k)
			}
		}
	}
	if free == 0 {
		return 0, 0, false
	}
	return uintptr(h), free / 2, true
}
