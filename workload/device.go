// Package workload holds omnistat's built-in GPU workloads — a two-stage autoregressive TTS
// pipeline and a diffusion pipeline — as schedules in pure Go over the Device interface: what is
// allocated, launched, copied, captured into graphs and wrapped in NVTX ranges, in which process,
// and where the profiler capture range opens and closes. A fake device records those calls so the
// schedules are unit-tested without a GPU. The package refuses to touch a driver itself: the real
// device is in workload/cuda.
package workload

import "errors"

// ErrNoCUDA means no NVIDIA driver could be loaded on this machine.
var ErrNoCUDA = errors.New("no NVIDIA driver (libcuda.so.1) on this machine: the workloads need an NVIDIA GPU")

// Ptr is a device address.
type Ptr uint64

// Stream is a device stream handle.
type Stream uintptr

// Graph is an instantiated CUDA graph, ready to launch.
type Graph uintptr

// Event is a device event, for timing work on a stream.
type Event uintptr

// Dim is a launch dimension (grid or block).
type Dim struct{ X, Y, Z uint32 }

// D1 is a one-dimensional Dim.
func D1(x int) Dim { return Dim{uint32(x), 1, 1} }

// Host is host memory a device copies to or from: pinned (page-locked) or pageable.
type Host interface {
	Bytes() []byte
	Pinned() bool
}

// Device is what the workloads need from a GPU. Kernel arguments are Ptr, int32, uint32 or
// float32 values, in the kernel's parameter order.
type Device interface {
	Name() string
	Alloc(bytes int) (Ptr, error)
	HostAlloc(bytes int, pinned bool) (Host, error)
	NewStream() (Stream, error)
	CopyHtoD(dst Ptr, src Host, bytes int, s Stream) error
	CopyDtoH(dst Host, src Ptr, bytes int, s Stream) error
	Memset(dst Ptr, v byte, bytes int, s Stream) error
	Launch(kernel string, grid, block Dim, shmem int, s Stream, args ...any) error
	Sync(s Stream) error
	BeginCapture(s Stream) error
	EndCapture(s Stream) (Graph, error)
	GraphLaunch(g Graph, s Stream) error
	// NewEvent, Record and Elapsed time work on the device: Elapsed waits for end and returns
	// the milliseconds between the two recorded events.
	NewEvent() (Event, error)
	Record(e Event, s Stream) error
	Elapsed(start, end Event) (float64, error)
	ProfilerStart() error
	ProfilerStop() error
	// NVTX returns the NVTX domain of that name ("" for the default domain).
	NVTX(domain string) Domain
	Close() error
}

// Domain is an NVTX domain: ranges, marks and category names. Without a tool attached every
// call does nothing.
type Domain interface {
	NameCategory(id uint32, name string)
	// Push opens a push/pop range on the calling OS thread; payload, when not nil, is attached
	// as an int64.
	Push(name string, category uint32, payload *int64)
	Pop()
	// Start opens a start/end range, which may end on another thread.
	Start(name string, category uint32) uint64
	End(id uint64)
	Mark(name string, category uint32)
}

// GEMMer is a Device that can run a library GEMM (cuBLAS): row-major C[m,n] = A[m,k]·B[k,n].
// ok is false when no library is present; the workloads then launch their built-in kernel.
type GEMMer interface {
	GEMM(a, b, c Ptr, m, n, k int, s Stream) (ok bool, err error)
}
