package workload

import (
	"fmt"
	"strings"
	"sync"
)

// Call is one recorded device call of the fake device.
type Call struct {
	Op     string // "launch", "copy_htod", "copy_dtoh", "memset", "sync", "capture_begin", "graph_launch", "profiler_start", "push", …
	Name   string // kernel or NVTX range name
	Stream Stream
	Bytes  int
	Pinned bool
}

func (c Call) String() string {
	if c.Name != "" {
		return c.Op + ":" + c.Name
	}
	return c.Op
}

// Fake is a Device that computes nothing and records every call, for tests on machines without
// a GPU. Launches inside a stream capture are recorded as "capture_launch".
type Fake struct {
	mu        sync.Mutex
	Calls     []Call
	next      Ptr
	streams   int
	capturing map[Stream]bool
	graphs    int
}

// NewFake makes a fake device.
func NewFake() *Fake { return &Fake{next: 0x1000, capturing: map[Stream]bool{}} }

func (f *Fake) rec(c Call) {
	f.mu.Lock()
	f.Calls = append(f.Calls, c)
	f.mu.Unlock()
}

// Name implements Device.
func (f *Fake) Name() string { return "fake" }

// Alloc implements Device.
func (f *Fake) Alloc(bytes int) (Ptr, error) {
	if bytes <= 0 {
		return 0, fmt.Errorf("fake: alloc of %d bytes", bytes)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.next
	f.next += Ptr(bytes+255) &^ 255
	return p, nil
}

type fakeHost struct {
	b      []byte
	pinned bool
}

func (h *fakeHost) Bytes() []byte { return h.b }
func (h *fakeHost) Pinned() bool  { return h.pinned }

// HostAlloc implements Device.
func (f *Fake) HostAlloc(bytes int, pinned bool) (Host, error) {
	return &fakeHost{b: make([]byte, bytes), pinned: pinned}, nil
}

// NewStream implements Device.
func (f *Fake) NewStream() (Stream, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.streams++
	return Stream(f.streams), nil
}

// CopyHtoD implements Device.
func (f *Fake) CopyHtoD(dst Ptr, src Host, bytes int, s Stream) error {
	f.rec(Call{Op: "copy_htod", Stream: s, Bytes: bytes, Pinned: src.Pinned()})
	return nil
}

// CopyDtoH implements Device.
func (f *Fake) CopyDtoH(dst Host, src Ptr, bytes int, s Stream) error {
	if bytes > len(dst.Bytes()) {
		return fmt.Errorf("fake: copy of %d bytes into a %d-byte buffer", bytes, len(dst.Bytes()))
	}
	f.rec(Call{Op: "copy_dtoh", Stream: s, Bytes: bytes, Pinned: dst.Pinned()})
	return nil
}

// Memset implements Device.
func (f *Fake) Memset(dst Ptr, v byte, bytes int, s Stream) error {
	f.rec(Call{Op: "memset", Stream: s, Bytes: bytes})
	return nil
}

// Launch implements Device.
func (f *Fake) Launch(kernel string, grid, block Dim, shmem int, s Stream, args ...any) error {
	for i, a := range args {
		switch a.(type) {
		case Ptr, int32, uint32, float32:
		default:
			return fmt.Errorf("fake: %s argument %d has type %T", kernel, i, a)
		}
	}
	if grid.X == 0 || block.X == 0 || block.X*block.Y*block.Z > 1024 {
		return fmt.Errorf("fake: %s launched with grid %v block %v", kernel, grid, block)
	}
	op := "launch"
	f.mu.Lock()
	if f.capturing[s] {
		op = "capture_launch"
	}
	f.mu.Unlock()
	f.rec(Call{Op: op, Name: kernel, Stream: s})
	return nil
}

// Sync implements Device.
func (f *Fake) Sync(s Stream) error { f.rec(Call{Op: "sync", Stream: s}); return nil }

// BeginCapture implements Device.
func (f *Fake) BeginCapture(s Stream) error {
	f.mu.Lock()
	f.capturing[s] = true
	f.mu.Unlock()
	f.rec(Call{Op: "capture_begin", Stream: s})
	return nil
}

// EndCapture implements Device.
func (f *Fake) EndCapture(s Stream) (Graph, error) {
	f.mu.Lock()
	f.capturing[s] = false
	f.graphs++
	g := Graph(f.graphs)
	f.mu.Unlock()
	f.rec(Call{Op: "capture_end", Stream: s})
	return g, nil
}

// GraphLaunch implements Device.
func (f *Fake) GraphLaunch(g Graph, s Stream) error {
	f.rec(Call{Op: "graph_launch", Stream: s})
	return nil
}

// NewEvent implements Device.
func (f *Fake) NewEvent() (Event, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.graphs++
	return Event(f.graphs), nil
}

// Record implements Device.
func (f *Fake) Record(e Event, s Stream) error {
	f.rec(Call{Op: "event_record", Stream: s})
	return nil
}

// Elapsed implements Device: the fake's work takes 1 ms.
func (f *Fake) Elapsed(start, end Event) (float64, error) { return 1, nil }

// ProfilerStart implements Device.
func (f *Fake) ProfilerStart() error { f.rec(Call{Op: "profiler_start"}); return nil }

// ProfilerStop implements Device.
func (f *Fake) ProfilerStop() error { f.rec(Call{Op: "profiler_stop"}); return nil }

// Close implements Device.
func (f *Fake) Close() error { return nil }

// NVTX implements Device.
func (f *Fake) NVTX(domain string) Domain { return &fakeDomain{f: f, name: domain} }

type fakeDomain struct {
	f    *Fake
	name string
	ids  uint64
}

func (d *fakeDomain) full(n string) string { return d.name + ":" + n }
func (d *fakeDomain) NameCategory(id uint32, name string) {
	d.f.rec(Call{Op: "category", Name: d.full(name)})
}
func (d *fakeDomain) Push(name string, _ uint32, _ *int64) {
	d.f.rec(Call{Op: "push", Name: d.full(name)})
}
func (d *fakeDomain) Pop() { d.f.rec(Call{Op: "pop"}) }
func (d *fakeDomain) Start(name string, _ uint32) uint64 {
	d.ids++
	d.f.rec(Call{Op: "start", Name: d.full(name)})
	return d.ids
}
func (d *fakeDomain) End(uint64)                 { d.f.rec(Call{Op: "end"}) }
func (d *fakeDomain) Mark(name string, _ uint32) { d.f.rec(Call{Op: "mark", Name: d.full(name)}) }

// Ops returns the recorded calls as "op:name" strings, for compact test assertions.
func (f *Fake) Ops() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, len(f.Calls))
	for i, c := range f.Calls {
		out[i] = c.String()
	}
	return out
}

// Count counts the recorded calls whose "op:name" has the given prefix.
func (f *Fake) Count(prefix string) int {
	n := 0
	for _, s := range f.Ops() {
		if strings.HasPrefix(s, prefix) {
			n++
		}
	}
	return n
}
