package hugepage

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// TestPlan: Hint advises only in the "madvise" mode, with a huge page size that is a power of
// two above the page size, and its budget is half the free memory in blocks of a huge page or
// larger, over every node and zone of /proc/buddyinfo.
func TestPlan(t *testing.T) {
	const mb = 1 << 20
	// two nodes; order 9 (2 MiB) and 10 (4 MiB) count, the smaller blocks do not
	buddy := "Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      1      3 \n" +
		"Node 0, zone   Normal  44113  25076   9932   3672   1235    558    399    141    640    559   3139 \n" +
		"Node 1, zone   Normal  5 4 3 2 1 0 0 0 7 2 0\n"
	want := int64((1+559+2)*2*mb+(3+3139)*4*mb) / 2
	for _, c := range []struct {
		mode, hp, buddy string
		page            int
		size            uintptr
		budget          int64
		ok              bool
	}{
		{"always [madvise] never\n", "2097152\n", buddy, 4096, 2 * mb, want, true},
		{"[always] madvise never\n", "2097152\n", buddy, 4096, 0, 0, false},
		{"always madvise [never]\n", "2097152\n", buddy, 4096, 0, 0, false},
		{"always [madvise] never\n", "3000000\n", buddy, 4096, 0, 0, false}, // not a power of two
		{"always [madvise] never\n", "4096\n", buddy, 4096, 0, 0, false},    // not above the page
		{"always [madvise] never\n", "2097152\n", "Node 0, zone Normal 1 2 x\n", 4096, 0, 0, false},
		{"always [madvise] never\n", "2097152\n", "Node 0, zone Normal 1 2 3\n", 4096, 0, 0, false}, // no free 2 MiB block
		// 64 KiB pages and 512 MiB huge pages (arm64): order 13 and up
		{"always [madvise] never\n", "536870912\n", "Node 0, zone Normal " + strings.Repeat("9 ", 13) + "3 1\n", 65536, 512 * mb, (3*512*mb + 1024*mb) / 2, true},
	} {
		size, budget, ok := plan(c.mode, c.hp, c.buddy, c.page)
		if size != c.size || budget != c.budget || ok != c.ok {
			t.Errorf("plan(%q, %q, %q, %d) = %d, %d, %v; want %d, %d, %v", c.mode, c.hp, c.buddy, c.page, size, budget, ok, c.size, c.budget, c.ok)
		}
	}
}

// TestHintBudget: Hint counts the whole huge pages of a slice off the budget, advises nothing
// the budget does not hold (and keeps the budget for a smaller slice), and nothing under
// minBytes.
func TestHintBudget(t *testing.T) {
	once.Do(func() {}) // no setup: this test sets the size and budget
	const hp = 2 << 20
	size = hp
	defer func() { size = 0 }()
	s := make([]byte, 16<<20)
	p := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
	whole := int64(0) // the aligned 2 MiB blocks inside s, counted one by one
	for a := (p + hp - 1) / hp * hp; a+hp <= p+uintptr(len(s)); a += hp {
		whole += hp
	}
	budget.Store(100 << 20)
	Hint(s)
	if got := 100<<20 - budget.Load(); got != whole {
		t.Errorf("a 16 MiB slice took %d bytes of the budget, want %d", got, whole)
	}
	budget.Store(whole - 1)
	Hint(s)
	if budget.Load() != whole-1 {
		t.Errorf("a slice the budget does not hold took %d bytes", whole-1-budget.Load())
	}
	small := make([]int64, minBytes/8-1)
	budget.Store(100 << 20)
	Hint(small)
	if budget.Load() != 100<<20 {
		t.Errorf("a slice under minBytes took %d bytes", 100<<20-budget.Load())
	}
}

// TestHintHugePages: where the system advises huge pages ("madvise" mode, free 2 MiB blocks),
// a hinted slice written after the hint is backed by some (/proc/self/smaps' AnonHugePages of
// its mapping); elsewhere Hint leaves the system alone, which TestPlan checks.
func TestHintHugePages(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("huge pages are advised on Linux only")
	}
	once.Do(func() {}) // set up here, whatever ran before
	setup()
	defer func() { size = 0 }()
	if size == 0 {
		t.Logf("this system's transparent huge pages are not advised (mode or free blocks): nothing to see")
		return
	}
	s := make([]byte, 64<<20)
	Hint(s)
	for i := range s {
		s[i] = 1
	}
	first := (uintptr(unsafe.Pointer(&s[0])) + size - 1) &^ (size - 1) // its first whole huge page
	if kb := anonHuge(t, first); kb == 0 {
		t.Errorf("a hinted 64 MiB slice has no huge page")
	}
	runtime.KeepAlive(s)
}

// anonHuge is AnonHugePages (kB) of the mapping of /proc/self/smaps holding address p.
func anonHuge(t *testing.T, p uintptr) int {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := sc.Text()
		if f := strings.Fields(l); len(f) > 0 && strings.Contains(f[0], "-") && !strings.HasSuffix(f[0], ":") {
			lo, hi, _ := strings.Cut(f[0], "-")
			a, err1 := strconv.ParseUint(lo, 16, 64)
			b, err2 := strconv.ParseUint(hi, 16, 64)
			in = err1 == nil && err2 == nil && uint64(p) >= a && uint64(p) < b
			continue
		}
		if in && strings.HasPrefix(l, "AnonHugePages:") {
			kb, _ := strconv.Atoi(strings.Fields(l)[1])
			return kb
		}
	}
	t.Fatalf("no mapping holds %#x", p)
	return 0
}
