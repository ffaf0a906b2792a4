package hugepage

import (
	"syscall"
	"unsafe"
)

const supported = true

// advise marks the n bytes at p (whole huge pages) MADV_HUGEPAGE; an error (an old kernel)
// leaves them as they are.
func advise(p unsafe.Pointer, n uintptr) {
	_ = syscall.Madvise(unsafe.Slice((*byte)(p), n), syscall.MADV_HUGEPAGE)
}
