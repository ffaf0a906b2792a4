package cuda

import (
	"fmt"
	"path/filepath"
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
	cands := []string{"libcublas.so.13", "libcublas.so.12", "libcublas.so"}
	for _, pat := range []string{"/usr/local/cuda*/targets/*/lib/libcublas.so.1*", "/usr/local/cuda*/lib64/libcublas.so.1*"} {
		m, _ := filepath.Glob(pat)
		cands = append(cands, m...)
	}
	for _, c := range cands {
		lib, err := purego.Dlopen(c, purego.RTLD_NOW|purego.RTLD_GLOBAL)
		if err != nil {
			continue
		}
		create, e1 := purego.Dlsym(lib, "cublasCreate_v2")
		set, e2 := purego.Dlsym(lib, "cublasSetStream_v2")
		gemm, e3 := purego.Dlsym(lib, "cublasSgemm_v2")
		if e1 != nil || e2 != nil || e3 != nil {
			continue
		}
		b := &blas{setStream: set, sgemm: gemm}
		if r, _, _ := purego.SyscallN(create, uintptr(unsafe.Pointer(&b.handle))); r != 0 {
			return nil
		}
		return b
	}
	return nil
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
