// Package cuda is the GPU boundary of the built-in workloads: a small binding of the CUDA driver
// API over purego (dlopen of libcuda.so.1 at run time, no cgo), optional runtime-API copies
// through libcudart (so copies appear as cudaMemcpyAsync, as in PyTorch programs), the kernels as
// PTX embedded in the binary, and a pure-Go NVTX client. On a machine without a driver, Open
// returns workload.ErrNoCUDA; nothing here runs at package init.
package cuda

import (
	_ "embed"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"unsafe"

	"github.com/ebitengine/purego"
	"github.com/omnistat/omnistat/workload"
)

//go:embed kernels/kernels.ptx
var ptx []byte

// driver holds the resolved driver entry points.
type driver struct {
	lib uintptr
	fn  map[string]uintptr
}

// driverSyms are the versioned names the CUDA 12/13 headers map to.
var driverSyms = []string{
	"cuInit", "cuDriverGetVersion", "cuDeviceGetCount", "cuDeviceGet", "cuDeviceGetName",
	"cuDevicePrimaryCtxRetain", "cuCtxSetCurrent", "cuCtxSynchronize", "cuModuleLoadData",
	"cuModuleGetFunction", "cuMemAlloc_v2", "cuMemHostAlloc", "cuMemcpyHtoDAsync_v2",
	"cuMemcpyDtoHAsync_v2", "cuMemsetD8Async", "cuStreamCreate", "cuStreamSynchronize", "cuLaunchKernel",
	"cuStreamBeginCapture_v2", "cuStreamEndCapture", "cuGraphInstantiateWithFlags", "cuGraphLaunch",
	"cuProfilerStart", "cuProfilerStop", "cuGetErrorString", "cuEventCreate", "cuEventRecord", "cuEventSynchronize",
}

func loadDriver() (*driver, error) {
	lib, err := purego.Dlopen("libcuda.so.1", purego.RTLD_NOW|purego.RTLD_GLOBAL)
	if err != nil {
		return nil, fmt.Errorf("%w (%v)", workload.ErrNoCUDA, err)
	}
	d := &driver{lib: lib, fn: map[string]uintptr{}}
	for _, s := range driverSyms {
		p, err := purego.Dlsym(lib, s)
		if err != nil {
			return nil, fmt.Errorf("libcuda.so.1 lacks %s (driver too old?): %v", s, err)
		}
		d.fn[s] = p
	}
	// the elapsed-time call got a _v2 in CUDA 12.8; older drivers have the plain one
	for _, s := range []string{"cuEventElapsedTime_v2", "cuEventElapsedTime"} {
		if p, err := purego.Dlsym(lib, s); err == nil {
			d.fn["cuEventElapsedTime"] = p
			break
		}
	}
	return d, nil
}

// call runs a driver function and turns a CUresult into an error.
func (d *driver) call(name string, args ...uintptr) error {
	r, _, _ := purego.SyscallN(d.fn[name], args...)
	if r == 0 {
		return nil
	}
	return fmt.Errorf("%s: %s", name, d.errString(r))
}

func (d *driver) errString(code uintptr) string {
	var p *byte
	purego.SyscallN(d.fn["cuGetErrorString"], code, uintptr(unsafe.Pointer(&p)))
	if p == nil {
		return fmt.Sprintf("CUDA error %d", code)
	}
	return fmt.Sprintf("CUDA error %d (%s)", code, goString(p))
}

func goString(p *byte) string {
	var b []byte
	for i := 0; i < 512; i++ {
		c := *(*byte)(unsafe.Add(unsafe.Pointer(p), i))
		if c == 0 {
			break
		}
		b = append(b, c)
	}
	return string(b)
}

func cstr(s string) []byte { return append([]byte(s), 0) }

// Device is a workload.Device on one GPU, through the driver API. Every call must come from the
// OS thread that opened it (the context is current there): lock the goroutine with
// runtime.LockOSThread before Open.
type Device struct {
	drv      *driver
	ordinal  int
	name     string
	ctx      uintptr
	module   uintptr
	funcs    map[string]uintptr
	memcpyRT uintptr // cudaMemcpyAsync from libcudart, or 0
	slots    []uint64
	params   []uintptr
	nvtx     *nvtxClient
	blas     *blas
	// DriverVersion is cuDriverGetVersion's answer, e.g. 13000.
	DriverVersion int
}

// Open initialises the driver and makes device ordinal's primary context current on the calling
// OS thread. ordinal wraps around the number of GPUs.
func Open(ordinal int) (*Device, error) {
	drv, err := loadDriver()
	if err != nil {
		return nil, err
	}
	if err := drv.call("cuInit", 0); err != nil {
		return nil, fmt.Errorf("%w: %v", workload.ErrNoCUDA, err)
	}
	var n, ver int32
	drv.call("cuDriverGetVersion", uintptr(unsafe.Pointer(&ver)))
	if err := drv.call("cuDeviceGetCount", uintptr(unsafe.Pointer(&n))); err != nil || n == 0 {
		return nil, fmt.Errorf("%w: no GPU visible", workload.ErrNoCUDA)
	}
	ordinal %= int(n)
	d := &Device{drv: drv, ordinal: ordinal, funcs: map[string]uintptr{}, DriverVersion: int(ver)}
	var dev int32
	if err := drv.call("cuDeviceGet", uintptr(unsafe.Pointer(&dev)), uintptr(ordinal)); err != nil {
		return nil, err
	}
	name := make([]byte, 256)
	drv.call("cuDeviceGetName", uintptr(unsafe.Pointer(&name[0])), 256, uintptr(dev))
	d.name = goString(&name[0])
	if err := drv.call("cuDevicePrimaryCtxRetain", uintptr(unsafe.Pointer(&d.ctx)), uintptr(dev)); err != nil {
		return nil, err
	}
	if err := drv.call("cuCtxSetCurrent", d.ctx); err != nil {
		return nil, err
	}
	code := ptx
	if p := os.Getenv("OMNISTAT_PTX"); p != "" { // a freshly generated PTX, for development
		if code, err = os.ReadFile(p); err != nil {
			return nil, err
		}
	}
	if len(code) < 100 {
		return nil, fmt.Errorf("workload/cuda: kernels.ptx is empty: run workload/cuda/kernels/gen-ptx.sh on a machine with nvcc")
	}
	img := append(append([]byte(nil), code...), 0)
	if err := drv.call("cuModuleLoadData", uintptr(unsafe.Pointer(&d.module)), uintptr(unsafe.Pointer(&img[0]))); err != nil {
		return nil, fmt.Errorf("load the kernels' PTX: %w", err)
	}
	runtime.KeepAlive(img)
	if os.Getenv("OMNISTAT_NO_CUDART") == "" {
		d.memcpyRT = loadRuntimeMemcpy()
	}
	if os.Getenv("OMNISTAT_NO_CUBLAS") == "" {
		d.blas = loadBLAS()
	}
	d.nvtx = newNVTX()
	return d, nil
}

// loadRuntimeMemcpy finds cudaMemcpyAsync in a CUDA runtime library, if one is installed.
func loadRuntimeMemcpy() uintptr {
	syms := findLibrary("libcudart", "cudaMemcpyAsync")
	if syms == nil {
		return 0
	}
	return syms[0]
}

// findLibrary opens the first CUDA library named base (libcudart, libcublas: versions 13 and 12,
// the unversioned name, then the usual install folders) that has every one of the symbols, and
// returns their addresses; nil when none has them.
func findLibrary(base string, symbols ...string) []uintptr {
	cands := []string{base + ".so.13", base + ".so.12", base + ".so"}
	for _, pat := range []string{"/usr/local/cuda*/targets/*/lib/" + base + ".so.1*", "/usr/local/cuda*/lib64/" + base + ".so.1*"} {
		m, _ := filepath.Glob(pat)
		cands = append(cands, m...)
	}
next:
	for _, c := range cands {
		lib, err := purego.Dlopen(c, purego.RTLD_NOW|purego.RTLD_GLOBAL)
		if err != nil {
			continue
		}
		addrs := make([]uintptr, len(symbols))
		for i, sym := range symbols {
			if addrs[i], err = purego.Dlsym(lib, sym); err != nil {
				continue next
			}
		}
		return addrs
	}
	return nil
}

// Name implements workload.Device.
func (d *Device) Name() string { return d.name }

// Ordinal is the GPU's index.
func (d *Device) Ordinal() int { return d.ordinal }

// CopiesThroughRuntime reports whether copies go through cudaMemcpyAsync (libcudart found).
func (d *Device) CopiesThroughRuntime() bool { return d.memcpyRT != 0 }

// Alloc implements workload.Device.
func (d *Device) Alloc(bytes int) (workload.Ptr, error) {
	var p uint64
	err := d.drv.call("cuMemAlloc_v2", uintptr(unsafe.Pointer(&p)), uintptr(bytes))
	return workload.Ptr(p), err
}

type host struct {
	b      []byte
	pinned bool
}

func (h *host) Bytes() []byte { return h.b }
func (h *host) Pinned() bool  { return h.pinned }

// HostAlloc implements workload.Device: pinned memory from cuMemHostAlloc, pageable memory from
// the Go heap (only ever used by copies that complete before they return).
func (d *Device) HostAlloc(bytes int, pinned bool) (workload.Host, error) {
	if !pinned {
		return &host{b: make([]byte, bytes)}, nil
	}
	var p unsafe.Pointer
	if err := d.drv.call("cuMemHostAlloc", uintptr(unsafe.Pointer(&p)), uintptr(bytes), 0); err != nil {
		return nil, err
	}
	return &host{b: unsafe.Slice((*byte)(p), bytes), pinned: true}, nil
}

// NewStream implements workload.Device.
func (d *Device) NewStream() (workload.Stream, error) {
	var s uintptr
	err := d.drv.call("cuStreamCreate", uintptr(unsafe.Pointer(&s)), 0)
	return workload.Stream(s), err
}

const (
	cudaMemcpyHostToDevice = 1
	cudaMemcpyDeviceToHost = 2
)

func (d *Device) runtimeCopy(dst, src uintptr, n int, kind uintptr, s workload.Stream) error {
	r, _, _ := purego.SyscallN(d.memcpyRT, dst, src, uintptr(n), kind, uintptr(s))
	if r != 0 {
		return fmt.Errorf("cudaMemcpyAsync: CUDA runtime error %d", r)
	}
	return nil
}

// CopyHtoD implements workload.Device.
func (d *Device) CopyHtoD(dst workload.Ptr, src workload.Host, bytes int, s workload.Stream) error {
	b := src.Bytes()
	if bytes > len(b) {
		return fmt.Errorf("copy of %d bytes from a %d-byte buffer", bytes, len(b))
	}
	defer runtime.KeepAlive(b)
	if d.memcpyRT != 0 {
		return d.runtimeCopy(uintptr(dst), uintptr(unsafe.Pointer(&b[0])), bytes, cudaMemcpyHostToDevice, s)
	}
	return d.drv.call("cuMemcpyHtoDAsync_v2", uintptr(dst), uintptr(unsafe.Pointer(&b[0])), uintptr(bytes), uintptr(s))
}

// CopyDtoH implements workload.Device.
func (d *Device) CopyDtoH(dst workload.Host, src workload.Ptr, bytes int, s workload.Stream) error {
	b := dst.Bytes()
	if bytes > len(b) {
		return fmt.Errorf("copy of %d bytes into a %d-byte buffer", bytes, len(b))
	}
	defer runtime.KeepAlive(b)
	if d.memcpyRT != 0 {
		return d.runtimeCopy(uintptr(unsafe.Pointer(&b[0])), uintptr(src), bytes, cudaMemcpyDeviceToHost, s)
	}
	return d.drv.call("cuMemcpyDtoHAsync_v2", uintptr(unsafe.Pointer(&b[0])), uintptr(src), uintptr(bytes), uintptr(s))
}

// Memset implements workload.Device.
func (d *Device) Memset(dst workload.Ptr, v byte, bytes int, s workload.Stream) error {
	return d.drv.call("cuMemsetD8Async", uintptr(dst), uintptr(v), uintptr(bytes), uintptr(s))
}

func (d *Device) function(name string) (uintptr, error) {
	if f, ok := d.funcs[name]; ok {
		return f, nil
	}
	var f uintptr
	cname := cstr(name)
	if err := d.drv.call("cuModuleGetFunction", uintptr(unsafe.Pointer(&f)), d.module, uintptr(unsafe.Pointer(&cname[0]))); err != nil {
		return 0, fmt.Errorf("kernel %s: %w", name, err)
	}
	d.funcs[name] = f
	return f, nil
}

// Launch implements workload.Device.
func (d *Device) Launch(kernel string, grid, block workload.Dim, shmem int, s workload.Stream, args ...any) error {
	f, err := d.function(kernel)
	if err != nil {
		return err
	}
	if cap(d.slots) < len(args) {
		d.slots = make([]uint64, len(args)+8)
		d.params = make([]uintptr, len(args)+8)
	}
	slots, params := d.slots[:len(args)], d.params[:len(args)]
	for i, a := range args {
		switch v := a.(type) {
		case workload.Ptr:
			slots[i] = uint64(v)
		case int32:
			slots[i] = uint64(uint32(v))
		case uint32:
			slots[i] = uint64(v)
		case float32:
			slots[i] = uint64(math.Float32bits(v))
		default:
			return fmt.Errorf("kernel %s: argument %d has type %T", kernel, i, a)
		}
		params[i] = uintptr(unsafe.Pointer(&slots[i]))
	}
	var pp uintptr
	if len(params) > 0 {
		pp = uintptr(unsafe.Pointer(&params[0]))
	}
	err = d.drv.call("cuLaunchKernel", f, uintptr(grid.X), uintptr(grid.Y), uintptr(grid.Z),
		uintptr(block.X), uintptr(block.Y), uintptr(block.Z), uintptr(shmem), uintptr(s), pp, 0)
	runtime.KeepAlive(slots)
	runtime.KeepAlive(params)
	if err != nil {
		return fmt.Errorf("kernel %s: %w", kernel, err)
	}
	return nil
}

// Sync implements workload.Device.
func (d *Device) Sync(s workload.Stream) error {
	return d.drv.call("cuStreamSynchronize", uintptr(s))
}

// cuStreamCaptureModeThreadLocal keeps other threads' calls out of the capture.
const cuStreamCaptureModeThreadLocal = 1

// BeginCapture implements workload.Device.
func (d *Device) BeginCapture(s workload.Stream) error {
	return d.drv.call("cuStreamBeginCapture_v2", uintptr(s), cuStreamCaptureModeThreadLocal)
}

// EndCapture implements workload.Device: the captured graph, instantiated.
func (d *Device) EndCapture(s workload.Stream) (workload.Graph, error) {
	var g, exec uintptr
	if err := d.drv.call("cuStreamEndCapture", uintptr(s), uintptr(unsafe.Pointer(&g))); err != nil {
		return 0, err
	}
	if err := d.drv.call("cuGraphInstantiateWithFlags", uintptr(unsafe.Pointer(&exec)), g, 0); err != nil {
		return 0, err
	}
	return workload.Graph(exec), nil
}

// GraphLaunch implements workload.Device.
func (d *Device) GraphLaunch(g workload.Graph, s workload.Stream) error {
	return d.drv.call("cuGraphLaunch", uintptr(g), uintptr(s))
}

// ProfilerStart implements workload.Device: opens nsys's cudaProfilerApi capture range.
func (d *Device) ProfilerStart() error { return d.drv.call("cuProfilerStart") }

// ProfilerStop implements workload.Device.
func (d *Device) ProfilerStop() error { return d.drv.call("cuProfilerStop") }

// NVTX implements workload.Device.
func (d *Device) NVTX(domain string) workload.Domain { return d.nvtx.domain(domain) }

// NVTXMode says how NVTX reaches the tool: "injection" (the pure-Go client), "libnvtx3interop"
// or "off" (no tool attached).
func (d *Device) NVTXMode() string { return d.nvtx.mode }

// NameThread names the calling OS thread for NVTX (nsys shows it in ThreadNames).
func (d *Device) NameThread(name string) { d.nvtx.nameThread(name) }

// Close implements workload.Device.
func (d *Device) Close() error { return d.drv.call("cuCtxSynchronize") }

// Probe reports whether an NVIDIA driver can be loaded, without initialising CUDA (the engine
// processes of the workloads check this before starting GPU workers).
func Probe() error {
	if _, err := purego.Dlopen("libcuda.so.1", purego.RTLD_NOW|purego.RTLD_GLOBAL); err != nil {
		return fmt.Errorf("%w (%v)", workload.ErrNoCUDA, err)
	}
	return nil
}

// Exit ends the process through the C library's exit, so atexit handlers and library
// destructors run: Nsight Systems' injection flushes the last CUDA trace buffers there, and a
// Go os.Exit (a bare exit_group) would lose them. Falls back to os.Exit without libc.
func Exit(code int) {
	if lib, err := purego.Dlopen("libc.so.6", purego.RTLD_NOW|purego.RTLD_GLOBAL); err == nil {
		if fn, err := purego.Dlsym(lib, "exit"); err == nil {
			purego.SyscallN(fn, uintptr(code))
		}
	}
	os.Exit(code)
}
