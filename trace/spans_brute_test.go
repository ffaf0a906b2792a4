package trace

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// cover marks the integer instants [Start, End) of spans on a bitmap: the brute-force model of
// the interval algebra (a span [s, e) covers s … e−1).
func cover(bits []bool, spans []Span) {
	for _, s := range spans {
		for x := s.Start; x < s.End; x++ {
			bits[x] = true
		}
	}
}

// runsOf is the maximal covered runs of bits, as sorted disjoint spans.
func runsOf(bits []bool) []Span {
	var out []Span
	for i := 0; i < len(bits); i++ {
		if !bits[i] {
			continue
		}
		j := i
		for j < len(bits) && bits[j] {
			j++
		}
		out = append(out, Span{int64(i), int64(j)})
		i = j
	}
	return out
}

func randSpans(rng *rand.Rand, n, horizon, maxLen int) []Span {
	out := make([]Span, n)
	for i := range out {
		s := rng.Int64N(int64(horizon - maxLen))
		out[i] = Span{s, s + 1 + rng.Int64N(int64(maxLen))}
	}
	return out
}

// Union's busy time and gaps against the bitmap: busy is the covered instants, the gaps are the
// holes between covered runs longer than minGap (a gap of exactly minGap is left out), and
// touching spans ([0,5) and [5,9)) leave no gap.
func TestUnionBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for iter := 0; iter < 400; iter++ {
		spans := randSpans(rng, 1+rng.IntN(12), 80, 10)
		minGap := rng.Int64N(5)
		bits := make([]bool, 80)
		cover(bits, spans)
		var busy int64
		for _, b := range bits {
			if b {
				busy++
			}
		}
		runs := runsOf(bits)
		var gaps []Span
		for i := 1; i < len(runs); i++ {
			if runs[i].Start-runs[i-1].End > minGap {
				gaps = append(gaps, Span{runs[i-1].End, runs[i].Start})
			}
		}
		gotBusy, gotGaps := Union(slices.Clone(spans), minGap)
		if gotBusy != busy || !slices.Equal(gotGaps, gaps) {
			t.Fatalf("Union(%v, %d) = %d %v, want %d %v", spans, minGap, gotBusy, gotGaps, busy, gaps)
		}
	}
	// the edges, exactly
	if b, g := Union([]Span{{0, 5}, {5, 9}}, 0); b != 9 || g != nil {
		t.Errorf("touching: %d %v", b, g)
	}
	if b, g := Union([]Span{{0, 5}, {7, 9}}, 2); b != 7 || g != nil {
		t.Errorf("gap of exactly minGap: %d %v, want 7 and no gap", b, g)
	}
	if b, g := Union([]Span{{7, 9}, {0, 5}}, 1); b != 7 || !slices.Equal(g, []Span{{5, 7}}) {
		t.Errorf("gap of minGap+1, unsorted: %d %v", b, g)
	}
	if b, g := Union([]Span{{0, 10}, {2, 4}, {3, 12}}, 0); b != 12 || g != nil {
		t.Errorf("nested then longer: %d %v", b, g)
	}
}

// Intersect against the bitmap, on sorted disjoint lists, including lists whose spans end at
// the same instant (either list may advance) and touching spans (no overlap).
func TestIntersectBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for iter := 0; iter < 400; iter++ {
		ab, bb := make([]bool, 60), make([]bool, 60)
		cover(ab, randSpans(rng, 1+rng.IntN(6), 60, 12))
		cover(bb, randSpans(rng, 1+rng.IntN(6), 60, 12))
		var want int64
		for i := range ab {
			if ab[i] && bb[i] {
				want++
			}
		}
		a, b := runsOf(ab), runsOf(bb)
		if got := Intersect(a, b); got != want {
			t.Fatalf("Intersect(%v, %v) = %d, want %d", a, b, got, want)
		}
		if got := Intersect(b, a); got != want {
			t.Fatalf("Intersect(%v, %v) = %d, want %d", b, a, got, want)
		}
	}
	for _, c := range []struct {
		a, b []Span
		want int64
	}{
		{[]Span{{0, 10}, {20, 30}}, []Span{{5, 10}, {25, 40}}, 10}, // same end: both must still be counted
		{[]Span{{0, 10}}, []Span{{10, 20}}, 0},                     // touching
		{[]Span{{0, 10}, {12, 15}}, []Span{{0, 10}, {12, 15}}, 13}, // identical
		{[]Span{{0, 4}, {6, 8}, {10, 30}}, []Span{{3, 11}}, 4},     // one span over three
	} {
		if got := Intersect(c.a, c.b); got != c.want {
			t.Errorf("Intersect(%v, %v) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

// Intersect of long lists, cut into 1 to 16 parts, against the bitmap: parts start inside
// spans of the other list, at its edges and in its gaps.
func TestIntersectInPartsBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for iter := 0; iter < 4; iter++ {
		const horizon = 400_000
		ab, bb := make([]bool, horizon), make([]bool, horizon)
		cover(ab, randSpans(rng, 40_000, horizon, 8))
		cover(bb, randSpans(rng, 1+rng.IntN(3000), horizon, 200))
		var want int64
		for i := range ab {
			if ab[i] && bb[i] {
				want++
			}
		}
		a, b := runsOf(ab), runsOf(bb)
		if len(a) < 1<<13 {
			t.Fatalf("%d spans: too few to cut into parts", len(a))
		}
		for parts := 1; parts <= 16; parts++ {
			if got := intersectIn(a, b, parts); got != want {
				t.Fatalf("iteration %d, %d parts: %d, want %d", iter, parts, got, want)
			}
		}
		if got := Intersect(b, a); got != want {
			t.Fatalf("iteration %d: Intersect(b, a) = %d, want %d", iter, got, want)
		}
	}
}

// UnionSpans of several sorted disjoint lists against the bitmap of all of them; lists that
// touch each other are joined.
func TestUnionSpansBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for iter := 0; iter < 300; iter++ {
		all := make([]bool, 100)
		var lists [][]Span
		for l := 0; l < 1+rng.IntN(4); l++ {
			bits := make([]bool, 100)
			cover(bits, randSpans(rng, rng.IntN(6), 100, 15))
			cover(all, runsOf(bits))
			lists = append(lists, runsOf(bits))
		}
		if got, want := UnionSpans(lists), runsOf(all); !slices.Equal(got, want) {
			t.Fatalf("UnionSpans(%v) = %v, want %v", lists, got, want)
		}
	}
	if got := UnionSpans([][]Span{{{0, 5}}, {{5, 8}}, {{2, 3}, {9, 10}}}); !slices.Equal(got, []Span{{0, 8}, {9, 10}}) {
		t.Errorf("touching lists: %v", got)
	}
}

// A trace on two GPUs: per-device spans, busy time summed per device (overlap on different
// devices counts twice), the devices in order, and one device gives nil.
func TestDeviceSpansAndBusy(t *testing.T) {
	tr := &Trace{}
	tr.Kernels.Start, tr.Kernels.End, tr.Kernels.Device = []int64{0, 5, 20}, []int64{10, 15, 30}, CodesOf([]int64{1, 0, 1})
	tr.Memcpy.Start, tr.Memcpy.End, tr.Memcpy.Device = []int64{8}, []int64{12}, CodesOf([]int64{0})
	tr.Memset.Start, tr.Memset.End, tr.Memset.Device = []int64{40}, []int64{41}, CodesOf([]int64{1})
	devs := DeviceSpans(tr)
	if len(devs) != 2 || !slices.Equal(devs[0], []Span{{5, 15}, {8, 12}}) || !slices.Equal(devs[1], []Span{{0, 10}, {20, 30}, {40, 41}}) {
		t.Fatalf("DeviceSpans = %v", devs)
	}
	sets := SpanSets(tr, GPUSpans(tr))
	if len(sets) != 2 || sets[0].GPU != "GPU 0" || sets[1].GPU != "GPU 1" || !slices.Equal(sets[0].Spans, []Span{{5, 15}, {8, 12}}) {
		t.Fatalf("SpanSets = %v", sets)
	}
	// GPU 0: [5,15) = 10; GPU 1: 10 + 10 + 1 = 21
	if busy, n := BusyTime(tr, GPUSpans(tr)); busy != 31 || n != 2 {
		t.Errorf("BusyTime = %d on %d devices, want 31 on 2", busy, n)
	}
	if got := DevicesOf(tr); !slices.Equal(got, []int64{0, 1}) {
		t.Errorf("DevicesOf = %v", got)
	}
	if !SharesDevice([]int64{3, 1}, []int64{1}) || SharesDevice([]int64{0, 2}, []int64{1, 3}) || SharesDevice(nil, []int64{1}) {
		t.Error("SharesDevice")
	}
	one := &Trace{}
	one.Kernels.Start, one.Kernels.End, one.Kernels.Device = []int64{0, 5}, []int64{10, 15}, CodesOf([]int64{3, 3})
	if DeviceSpans(one) != nil {
		t.Error("one device: DeviceSpans not nil")
	}
	if sets := SpanSets(one, GPUSpans(one)); len(sets) != 1 || sets[0].GPU != "the GPU" || !slices.Equal(sets[0].Spans, []Span{{0, 15}}) {
		t.Errorf("one device: %v", sets)
	}
	if busy, n := BusyTime(one, GPUSpans(one)); busy != 15 || n != 1 {
		t.Errorf("one device: BusyTime %d %d", busy, n)
	}
	if got := DevicesOf(one); !slices.Equal(got, []int64{3}) {
		t.Errorf("DevicesOf(one) = %v", got)
	}
}

// BusyOf against Union on long span lists: sorted and disjoint (summed in parts), and with one
// pair anywhere that Union joins or must sort (touching, overlapping, a start before the one
// before, a span ending before it starts): the same busy time either way.
func TestBusyOfInPartsEqualsUnion(t *testing.T) {
	const n = 1 << 16
	base := make([]Span, n)
	for i := range base {
		base[i] = Span{Start: int64(10 * i), End: int64(10*i + 1 + i%8)}
	}
	check := func(what string, sp []Span) {
		t.Helper()
		want, _ := Union(slices.Clone(sp), 1<<62)
		if got, _ := BusyOf([]SpanSet{{"the GPU", slices.Clone(sp)}}); got != want {
			t.Fatalf("%s: busy %d, Union %d", what, got, want)
		}
	}
	check("disjoint", base)
	if _, ok := disjointTime(base); !ok {
		t.Fatal("a sorted disjoint list taken for another")
	}
	for _, i := range []int{1, n / 3, n / 2, n/2 + 1, n - 1} {
		c := slices.Clone(base)
		c[i].Start = c[i-1].End
		check(fmt.Sprintf("touching at %d", i), c)
		c[i].Start = c[i-1].End - 3
		check(fmt.Sprintf("overlapping at %d", i), c)
		c = slices.Clone(base)
		c[i-1].End = c[i-1].Start - 50 // ends before it starts
		check(fmt.Sprintf("negative at %d", i-1), c)
		c = slices.Clone(base) // after a span ending before it starts, one starting between: Union sorts and joins
		s := c[i-1].Start
		c[i-1].End, c[i] = s-50, Span{Start: s - 40, End: s + 5}
		check(fmt.Sprintf("negative then earlier at %d", i-1), c)
		c = slices.Clone(base)
		c[i-1], c[i] = c[i], c[i-1]
		check(fmt.Sprintf("unsorted at %d", i), c)
		if _, ok := disjointTime(c); ok {
			t.Fatalf("unsorted at %d: taken for sorted", i)
		}
	}
}

// OrInto against a row-by-row or, on every length up to 40 and every offset of the words.
func TestOrIntoRowByRow(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for n := 0; n <= 40; n++ {
		for off := 0; off < 8; off++ {
			dst, src := make([]bool, n+off), make([]bool, n+off+3)
			for i := range dst {
				dst[i] = rng.IntN(3) == 0
			}
			for i := range src {
				src[i] = rng.IntN(3) == 0
			}
			want := slices.Clone(dst)
			for i := off; i < len(want); i++ {
				want[i] = want[i] || src[i]
			}
			OrInto(dst[off:], src[off:])
			if !slices.Equal(dst, want) {
				t.Fatalf("length %d, offset %d: %v, want %v", n, off, dst, want)
			}
		}
	}
}

// mergeInto takes runs of one list at a time, in the order the span-by-span merge takes them:
// random sorted lists with equal starts across lists and spans that end before they start (where
// the order changes the result) merge to what the merge of one span at a time gives.
func TestMergeIntoRunsStepwise(t *testing.T) {
	stepwise := func(lists []spanList, out []Span) []Span {
		for {
			best := -1
			for l := range lists {
				if lists[l].i < len(lists[l].s) && (best < 0 || lists[l].s[lists[l].i] < lists[best].s[lists[best].i]) {
					best = l
				}
			}
			if best < 0 {
				return out
			}
			b := &lists[best]
			out = coalesce(out, Span{b.s[b.i], b.e[b.i]})
			b.i++
		}
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for trial := range 3000 {
		k := 1 + rng.IntN(4)
		var lists []spanList
		for range k {
			n := rng.IntN(30)
			var l spanList
			at := int64(rng.IntN(20))
			for range n {
				at += int64(rng.IntN(4)) // equal starts often
				end := at + int64(rng.IntN(12))
				if rng.IntN(8) == 0 {
					end = at - 1 - int64(rng.IntN(5)) // ends before it starts
				}
				l.s, l.e = append(l.s, at), append(l.e, end)
			}
			lists = append(lists, l)
		}
		want := stepwise(slices.Clone(lists), nil)
		if got := mergeInto(slices.Clone(lists), nil); !slices.Equal(got, want) {
			t.Fatalf("trial %d, lists %v: %v, want %v", trial, lists, got, want)
		}
	}
}
