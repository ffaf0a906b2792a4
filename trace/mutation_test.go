package trace

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// GPUSpans, DeviceSpans and BusyTime on small tables in any row order (descending, shuffled,
// in a few sorted runs, in more runs than MaxRuns) against the bitmap of covered instants, per
// device and over all devices; device ids start at 0 as often as not.
func TestGPUSpansUnsortedBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	const horizon = 90
	for iter := 0; iter < 600; iter++ {
		tr := &Trace{}
		nDev := 1 + rng.IntN(3)
		var all []Span
		perDev := map[int64][]Span{}
		fill := func(start, end *[]int64, dev *Codes) {
			n := rng.IntN(12)
			spans := randSpans(rng, n, horizon, 9)
			switch rng.IntN(4) {
			case 0: // descending starts
				slices.SortFunc(spans, func(a, b Span) int { return int(b.Start - a.Start) })
			case 1: // sorted
				slices.SortFunc(spans, bySpanStart)
			case 2: // two sorted runs
				h := len(spans) / 2
				slices.SortFunc(spans[:h], bySpanStart)
				slices.SortFunc(spans[h:], bySpanStart)
			}
			for _, s := range spans {
				d := rng.Int64N(int64(nDev))
				*start, *end, *dev = append(*start, s.Start), append(*end, s.End), dev.Append(d)
				all = append(all, s)
				perDev[d] = append(perDev[d], s)
			}
		}
		fill(&tr.Kernels.Start, &tr.Kernels.End, &tr.Kernels.Device)
		fill(&tr.Memcpy.Start, &tr.Memcpy.End, &tr.Memcpy.Device)
		fill(&tr.Memset.Start, &tr.Memset.End, &tr.Memset.Device)
		bits := make([]bool, horizon)
		cover(bits, all)
		want := runsOf(bits)
		got := GPUSpans(tr)
		if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Fatalf("GPUSpans = %v, want %v (kernels %v-%v)", got, want, tr.Kernels.Start, tr.Kernels.End)
		}
		var wantBusy int64
		for _, sp := range perDev {
			b := make([]bool, horizon)
			cover(b, sp)
			for _, x := range b {
				if x {
					wantBusy++
				}
			}
		}
		busy, n := BusyTime(tr, got)
		wantN := len(perDev)
		if wantN == 0 {
			wantN = 1
		}
		if busy != wantBusy || n != wantN {
			t.Fatalf("BusyTime = %d on %d devices, want %d on %d (devices %v %v %v)", busy, n, wantBusy, wantN,
				tr.Kernels.Device, tr.Memcpy.Device, tr.Memset.Device)
		}
		devs := DeviceSpans(tr)
		if (devs == nil) != (len(perDev) <= 1) {
			t.Fatalf("DeviceSpans nil=%v with %d devices in use (%v %v %v)", devs == nil, len(perDev), tr.Kernels.Device, tr.Memcpy.Device, tr.Memset.Device)
		}
	}
	// devices 0 then 1: two devices, although the first seen is 0
	tr := &Trace{}
	tr.Kernels.Start, tr.Kernels.End, tr.Kernels.Device = []int64{0, 0}, []int64{10, 10}, CodesOf([]int64{0, 1})
	if busy, n := BusyTime(tr, GPUSpans(tr)); busy != 20 || n != 2 {
		t.Errorf("devices 0 and 1 running together: busy %d on %d, want 20 on 2", busy, n)
	}
	// a descending table of two rows is no sorted run
	tr = &Trace{}
	tr.Kernels.Start, tr.Kernels.End, tr.Kernels.Device = []int64{30, 10, 20}, []int64{35, 12, 22}, CodesOf([]int64{0, 0, 0})
	if got := GPUSpans(tr); !slices.Equal(got, []Span{{10, 12}, {20, 22}, {30, 35}}) {
		t.Errorf("descending kernels: %v", got)
	}
}

// With minGap −1 every hole between covered runs is a gap, and touching spans, being one
// covered run, still leave none (a zero-length gap is no hole).
func TestUnionNegativeMinGap(t *testing.T) {
	if b, g := Union([]Span{{0, 5}, {5, 9}, {9, 9}, {12, 14}}, -1); b != 11 || !slices.Equal(g, []Span{{9, 12}}) {
		t.Errorf("Union touching, minGap -1: %d %v, want 11 [{9 12}]", b, g)
	}
}

// Strings stored densely answer for an id one past the largest (absent) and for negative ids.
func TestStringsDenseEdges(t *testing.T) {
	s := NewStrings([]int64{0, 1, 2}, []string{"a", "b", "c"})
	for _, id := range []int64{3, -1, 1 << 40} {
		if v, ok := s.Lookup(id); ok || v != "" {
			t.Errorf("Lookup(%d) = %q %v", id, v, ok)
		}
	}
	if v, ok := s.Lookup(2); !ok || v != "c" {
		t.Errorf("Lookup(2) = %q %v", v, ok)
	}
	if s.Bound() < 3 {
		t.Errorf("Bound %d cannot index id 2", s.Bound())
	}
}

// The call index against a map, for sparse ids on both sides of zero (the index's base is
// negative: a damaged export), lookups of every id, its neighbours and far ids.
func TestCallIndexNegativeBase(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	p := int64(0x1_000100_000000)
	for _, spread := range []int64{1 << 20, 1 << 26, 1 << 30, 1<<31 - 1} {
		a := &APICalls{}
		want := map[int64]int{}
		for i := 0; i < 300; i++ {
			c := rng.Int64N(2*spread) - spread
			a.GlobalTID, a.CorrID = a.GlobalTID.Append(p|0x100), append(a.CorrID, int32(c))
			if _, ok := want[c]; !ok {
				want[c] = i
			}
		}
		x := NewCallIndex(a)
		for c := range want {
			for _, d := range []int64{-1, 0, 1} {
				exp := -1
				if r, ok := want[c+d]; ok {
					exp = r
				}
				if got := x.Call(p, c+d); got != exp {
					t.Fatalf("spread %d: Call(%d) = %d, want %d", spread, c+d, got, exp)
				}
			}
		}
		for _, c := range []int64{-spread - 1, spread + 1, -1 << 63, 1<<63 - 1} {
			if _, ok := want[c]; !ok && x.Call(p, c) != -1 {
				t.Fatalf("spread %d: Call(%d) = %d, want -1", spread, c, x.Call(p, c))
			}
		}
	}
}

// Merging exports of two hosts that share a pid: the later export's rows move to another machine
// part whether the pid shows in its PROCESSES rows only (a process with NVTX but no CUDA calls)
// or in its CUDA calls only (an export without PROCESSES).
func TestMergeSharedPIDSeenOnce(t *testing.T) {
	shifted := func(name string, b *Trace) {
		t.Helper()
		a := mergeInput("a", "h1", 1000, 100, "k_a")
		m, err := Merge([]*Trace{a, b})
		if err != nil {
			t.Fatal(err)
		}
		orig := b.NVTX.GlobalTID[0]
		if got := m.NVTX.GlobalTID[len(a.NVTX.GlobalTID)]; got != orig+1<<56 {
			t.Errorf("%s: NVTX globalTid %x, want %x moved to machine part 1", name, got, orig)
		}
		if b.Runtime.GlobalTID.Len() > 0 {
			if got := m.Runtime.GlobalTID.At(a.Runtime.GlobalTID.Len()); got != b.Runtime.GlobalTID.At(0)+1<<56 {
				t.Errorf("%s: runtime globalTid %x not moved", name, got)
			}
		}
	}
	b := mergeInput("b", "h2", 1500, 100, "k_b")
	b.Runtime = APICalls{}
	b.Kernels, b.Memcpy, b.Memset = Kernels{}, Memcpy{}, Memset{}
	shifted("processes only", b)
	c := mergeInput("c", "h2", 1500, 100, "k_c")
	c.Processes, c.Threads = nil, nil
	shifted("calls only", c)
}

// A window whose only event is one instant (start = end) spans that instant.
func TestMergeWindowOfOneInstant(t *testing.T) {
	one := func(path string, at int64) *Trace {
		return &Trace{Path: path, Host: "h", SessionStartNs: 1000, Strings: NewStrings(nil, nil),
			Runtime: APICalls{Start: []int64{at}, End: []int64{at}, GlobalTID: CodesOf([]int64{0x1_000064_000064}), CorrID: CorrIDs{1}, NameID: StrIDs{Null32}}}
	}
	m, err := Merge([]*Trace{one("a", 500), one("b", 700)})
	if err != nil {
		t.Fatal(err)
	}
	if want := []Window{{"a", 0, 500, 500}, {"b", 0, 700, 700}}; !slices.Equal(m.Windows, want) {
		t.Errorf("windows %v, want %v", m.Windows, want)
	}
}

// Dense ids around zero (a damaged export): the dense index sized from the lowest to the highest.
func TestCallIndexDenseNegative(t *testing.T) {
	p := int64(0x1_000100_000000)
	a := &APICalls{}
	for c := int64(-50); c <= 50; c++ {
		a.GlobalTID, a.CorrID = a.GlobalTID.Append(p|0x100), append(a.CorrID, int32(c))
	}
	x := NewCallIndex(a)
	if x.procs[0].calls.rows == nil {
		t.Fatal("indexed sparsely: the case tests nothing")
	}
	for i, c := range a.CorrID {
		if got := x.Call(p, int64(c)); got != i {
			t.Fatalf("Call(%d) = %d, want %d", c, got, i)
		}
	}
	for _, c := range []int64{-51, 51, -1 << 63, 1<<63 - 1} {
		if got := x.Call(p, c); got != -1 {
			t.Errorf("Call(%d) = %d, want -1", c, got)
		}
	}
}
