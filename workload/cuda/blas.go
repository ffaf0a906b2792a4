package cuda

import (
	"fmt"
	"runtime"
	"unsafe"

	"github.com/ebitengine/purego"
	"github.com/omnistat/omnistat/workload"
)

// blas is cuBLAS, opened at run time when the library is installed (CUDA toolkits and PyTorch
// wheels ship it); GEMMs then run cuBLAS's kernels, as in real serving stacks.
type blas struct {
	handle    uintptr
	setStream uintptr
	sgemm     uintptr
	stream    workload.Stream
}

func loadBLAS() *blas {
	syms := findLibrary("libcublas", "cublasCreate_v2", "cublasSetStream_v2", "cublasSgemm_v2")
	if syms == nil {
		return nil
	}
	b := &blas{setStream: syms[1], sgemm: syms[2]}
	if r, _, _ := purego.SyscallN(syms[0], uintptr(unsafe.Pointer(&b.handle))); r != 0 {
		return nil
	}
	return b
}

// cublasOpN is CUBLAS_OP_N.
const cublasOpN = 0

// GEMM computes row-major C[m,n] = A[m,k]·B[k,n] with cuBLAS (column-major: Cᵀ = Bᵀ·Aᵀ).
// It implements workload.GEMMer; ok is false without cuBLAS.
func (d *Device) GEMM(a, b, c workload.Ptr, m, n, k int, s workload.Stream) (bool, error) {
	if d.blas == nil {
		return false, nil
	}
	if d.blas.stream != s {
		if r, _, _ := purego.SyscallN(d.blas.setStream, d.blas.handle, uintptr(s)); r != 0 {
			return true, fmt.Errorf("cublasSetStream: status %d", r)
		}
		d.blas.stream = s
	}
	alpha, beta := float32(1), float32(0)
	r, _, _ := purego.SyscallN(d.blas.sgemm, d.blas.handle, cublasOpN, cublasOpN,
		uintptr(n), uintptr(m), uintptr(k), uintptr(unsafe.Pointer(&alpha)),
		uintptr(b), uintptr(n), uintptr(a), uintptr(k), uintptr(unsafe.Pointer(&beta)), uintptr(c), uintptr(n))
	runtime.KeepAlive(&alpha)
	runtime.KeepAlive(&beta)
	if r != 0 {
		return true, fmt.Errorf("cublasSgemm: status %d", r)
	}
	return true, nil
}

// BLAS reports whether GEMMs go through cuBLAS.
func (d *Device) BLAS() bool { return d.blas != nil }
