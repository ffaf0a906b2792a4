//go:build !linux

package hugepage

import "unsafe"

const supported = false

func advise(p unsafe.Pointer, n uintptr) {}
