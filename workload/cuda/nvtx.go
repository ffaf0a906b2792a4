package cuda

import (
	"os"
	"runtime"
	"sync"
	"syscall"
	"unsafe"

	"github.com/ebitengine/purego"
	"github.com/omnistat/omnistat/workload"
)

// NVTX v3 is header-only in C: the first call loads the tool named by NVTX_INJECTION64_PATH and
// calls its InitializeInjectionNvtx2 with a function that hands out export tables; the tool then
// writes its implementations into the client's function-pointer slots. This file is that client in
// Go. Slot numbers are NVTX's callback ids.
const (
	coreMarkEx        = 1
	coreRangeStartEx  = 4
	coreRangeEnd      = 7
	coreRangePushEx   = 8
	coreRangePop      = 11
	coreNameCategoryA = 12
	coreNameOsThreadA = 14
	coreSize          = 16

	core2MarkEx          = 1
	core2RangeStartEx    = 2
	core2RangeEnd        = 3
	core2RangePushEx     = 4
	core2RangePop        = 5
	core2NameCategoryA   = 8
	core2RegisterStringA = 10
	core2CreateA         = 12
	core2Size            = 16

	moduleCore  = 1
	moduleCore2 = 5

	etidCallbacks   = 1
	etidVersionInfo = 3
	nvtxVersion     = 3
)

// eventAttr is nvtxEventAttributes_t version 3 (48 bytes).
type eventAttr struct {
	version     uint16
	size        uint16
	category    uint32
	colorType   int32
	color       uint32
	payloadType int32
	reserved0   int32
	payload     uint64
	messageType int32
	_           int32
	message     uintptr
}

const (
	colorARGB         = 1
	payloadInt64      = 2
	messageASCII      = 1
	messageRegistered = 3
)

// The tables the tool reads and writes live in package variables, so they never move and
// outlive every call.
var (
	coreSlots   [coreSize + 1]uintptr
	core2Slots  [core2Size + 1]uintptr
	coreTable   [coreSize + 1]uintptr
	core2Table  [core2Size + 1]uintptr
	etCallbacks struct {
		size uintptr
		get  uintptr
	}
	etVersion struct {
		size     uintptr
		version  uint32
		reserved uint32
		set      uintptr
	}
	nvtxOnce   sync.Once
	nvtxShared *nvtxClient
)

// nvtxClient calls the tool's implementations; every call is a no-op when none is attached.
// OMNISTAT_NVTX=interop skips the Go handshake and uses libnvtx3interop; =off disables NVTX.
type nvtxClient struct {
	mode string // "injection", "libnvtx3interop" or "off"
	// fn maps a callback id (core ids as is, core2 ids + 100) to the function to call.
	fn      map[int]uintptr
	mu      sync.Mutex
	domains map[string]*domain
}

func newNVTX() *nvtxClient {
	nvtxOnce.Do(func() { nvtxShared = initNVTX() })
	return nvtxShared
}

func initNVTX() *nvtxClient {
	c := &nvtxClient{mode: "off", fn: map[int]uintptr{}, domains: map[string]*domain{}}
	path := os.Getenv("NVTX_INJECTION64_PATH")
	if path == "" || os.Getenv("OMNISTAT_NVTX") == "off" {
		return c
	}
	if os.Getenv("OMNISTAT_NVTX") != "interop" && c.inject(path) {
		c.mode = "injection"
		return c
	}
	if c.interop() {
		c.mode = "libnvtx3interop"
	}
	return c
}

// inject runs the injection protocol against the tool library at path.
func (c *nvtxClient) inject(path string) bool {
	lib, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_GLOBAL)
	if err != nil {
		return false
	}
	initFn, err := purego.Dlsym(lib, "InitializeInjectionNvtx2")
	if err != nil {
		return false
	}
	for i := 1; i < coreSize; i++ {
		coreTable[i] = uintptr(unsafe.Pointer(&coreSlots[i]))
	}
	for i := 1; i < core2Size; i++ {
		core2Table[i] = uintptr(unsafe.Pointer(&core2Slots[i]))
	}
	getModule := purego.NewCallback(func(module uint32, outTable *uintptr, outSize *uint32) uintptr {
		var t *[coreSize + 1]uintptr
		switch module {
		case moduleCore:
			t = &coreTable
		case moduleCore2:
			t = &core2Table
		default:
			return 0
		}
		if outSize != nil {
			*outSize = uint32(len(t) - 1)
		}
		if outTable != nil {
			*outTable = uintptr(unsafe.Pointer(&t[0]))
		}
		return 1
	})
	etCallbacks.size = unsafe.Sizeof(etCallbacks)
	etCallbacks.get = getModule
	etVersion.size = unsafe.Sizeof(etVersion)
	etVersion.version = nvtxVersion
	etVersion.set = purego.NewCallback(func(version uint32) uintptr { return 0 })
	getExportTable := purego.NewCallback(func(id uint32) uintptr {
		switch id {
		case etidCallbacks:
			return uintptr(unsafe.Pointer(&etCallbacks))
		case etidVersionInfo:
			return uintptr(unsafe.Pointer(&etVersion))
		}
		return 0
	})
	r, _, _ := purego.SyscallN(initFn, getExportTable)
	if r == 0 {
		return false
	}
	for _, id := range []int{coreMarkEx, coreRangeStartEx, coreRangeEnd, coreRangePushEx, coreRangePop, coreNameCategoryA, coreNameOsThreadA} {
		c.fn[id] = coreSlots[id]
	}
	for _, id := range []int{core2MarkEx, core2RangeStartEx, core2RangeEnd, core2RangePushEx, core2RangePop, core2NameCategoryA, core2RegisterStringA, core2CreateA} {
		c.fn[100+id] = core2Slots[id]
	}
	return c.fn[100+core2CreateA] != 0 && c.fn[coreRangePushEx] != 0
}

// interop resolves the same functions from libnvtx3interop.so.1 (CUDA 12.8+), which runs the
// C client: the fallback when the injection handshake fails.
func (c *nvtxClient) interop() bool {
	var lib uintptr
	var err error
	for _, name := range []string{"libnvtx3interop.so.1", "/usr/local/cuda/targets/x86_64-linux/lib/libnvtx3interop.so.1"} {
		if lib, err = purego.Dlopen(name, purego.RTLD_NOW|purego.RTLD_GLOBAL); err == nil {
			break
		}
	}
	if err != nil {
		return false
	}
	syms := map[int]string{
		coreMarkEx: "nvtxMarkEx", coreRangeStartEx: "nvtxRangeStartEx", coreRangeEnd: "nvtxRangeEnd",
		coreRangePushEx: "nvtxRangePushEx", coreRangePop: "nvtxRangePop", coreNameCategoryA: "nvtxNameCategoryA",
		coreNameOsThreadA: "nvtxNameOsThreadA", 100 + core2MarkEx: "nvtxDomainMarkEx",
		100 + core2RangeStartEx: "nvtxDomainRangeStartEx", 100 + core2RangeEnd: "nvtxDomainRangeEnd",
		100 + core2RangePushEx: "nvtxDomainRangePushEx", 100 + core2RangePop: "nvtxDomainRangePop",
		100 + core2NameCategoryA: "nvtxDomainNameCategoryA", 100 + core2RegisterStringA: "nvtxDomainRegisterStringA",
		100 + core2CreateA: "nvtxDomainCreateA",
	}
	for id, s := range syms {
		p, err := purego.Dlsym(lib, s)
		if err != nil {
			return false
		}
		c.fn[id] = p
	}
	return true
}

func (c *nvtxClient) call(id int, args ...uintptr) uintptr {
	f := c.fn[id]
	if f == 0 {
		return 0
	}
	r, _, _ := purego.SyscallN(f, args...)
	return r
}

func (c *nvtxClient) nameThread(name string) {
	b := cstr(name)
	c.call(coreNameOsThreadA, uintptr(syscall.Gettid()), uintptr(unsafe.Pointer(&b[0])))
	runtime.KeepAlive(b)
}

// domain returns the domain named name ("" is the default domain), creating it once.
func (c *nvtxClient) domain(name string) workload.Domain {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d, ok := c.domains[name]; ok {
		return d
	}
	d := &domain{c: c, name: name, reg: map[string]uintptr{}}
	if name != "" && c.mode != "off" {
		b := cstr(name)
		d.h = c.call(100+core2CreateA, uintptr(unsafe.Pointer(&b[0])))
		runtime.KeepAlive(b)
	}
	c.domains[name] = d
	return d
}

// domain is one NVTX domain; h is 0 for the default domain.
type domain struct {
	c    *nvtxClient
	name string
	h    uintptr
	reg  map[string]uintptr // registered strings
	keep [][]byte
}

// attr builds the attributes of an event. Push messages are registered strings (as serving
// frameworks do for hot ranges); others are inline ASCII.
func (d *domain) attr(msg string, category uint32, payload *int64, registered bool) (*eventAttr, []byte) {
	a := &eventAttr{version: 3, size: uint16(unsafe.Sizeof(eventAttr{})), category: category, colorType: colorARGB, color: 0xFF76B900}
	if payload != nil {
		a.payloadType, a.payload = payloadInt64, uint64(*payload)
	}
	if registered && d.h != 0 {
		h, ok := d.reg[msg]
		if !ok {
			b := cstr(msg)
			h = d.c.call(100+core2RegisterStringA, d.h, uintptr(unsafe.Pointer(&b[0])))
			runtime.KeepAlive(b)
			d.reg[msg] = h
		}
		if h != 0 {
			a.messageType, a.message = messageRegistered, h
			return a, nil
		}
	}
	b := cstr(msg)
	a.messageType, a.message = messageASCII, uintptr(unsafe.Pointer(&b[0]))
	return a, b
}

func (d *domain) event(coreID, core2ID int, msg string, category uint32, payload *int64, registered bool) uintptr {
	if d.c.mode == "off" {
		return 0
	}
	a, b := d.attr(msg, category, payload, registered)
	var r uintptr
	if d.h != 0 {
		r = d.c.call(100+core2ID, d.h, uintptr(unsafe.Pointer(a)))
	} else {
		r = d.c.call(coreID, uintptr(unsafe.Pointer(a)))
	}
	runtime.KeepAlive(a)
	runtime.KeepAlive(b)
	return r
}

func (d *domain) NameCategory(id uint32, name string) {
	if d.c.mode == "off" {
		return
	}
	b := cstr(name)
	if d.h != 0 {
		d.c.call(100+core2NameCategoryA, d.h, uintptr(id), uintptr(unsafe.Pointer(&b[0])))
	} else {
		d.c.call(coreNameCategoryA, uintptr(id), uintptr(unsafe.Pointer(&b[0])))
	}
	runtime.KeepAlive(b)
}

func (d *domain) Push(name string, category uint32, payload *int64) {
	d.event(coreRangePushEx, core2RangePushEx, name, category, payload, true)
}

func (d *domain) Pop() {
	if d.c.mode == "off" {
		return
	}
	if d.h != 0 {
		d.c.call(100+core2RangePop, d.h)
	} else {
		d.c.call(coreRangePop)
	}
}

func (d *domain) Start(name string, category uint32) uint64 {
	return uint64(d.event(coreRangeStartEx, core2RangeStartEx, name, category, nil, false))
}

func (d *domain) End(id uint64) {
	if d.c.mode == "off" {
		return
	}
	if d.h != 0 {
		d.c.call(100+core2RangeEnd, d.h, uintptr(id))
	} else {
		d.c.call(coreRangeEnd, uintptr(id))
	}
}

func (d *domain) Mark(name string, category uint32) {
	d.event(coreMarkEx, core2MarkEx, name, category, nil, false)
}
