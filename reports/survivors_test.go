package reports

import (
	"database/sql"
	"fmt"
	"math"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/trace"
	_ "modernc.org/sqlite"
)

// Tests written against the survivors of gremlins' run of this package (docs/testing.md,
// "Mutation testing"), each against nsys's evidence, an independent computation or the rule.

// APIName drops the last 6 characters when the 6th and 5th from the end are "_v", a name of
// exactly 6 characters included (nothing is left of it).
func TestAPINameAtSixCharacters(t *testing.T) {
	for in, want := range map[string]string{
		"_v7000": "", "cudaFree_v3020": "cudaFree", "v7000": "v7000", "x_v700": "x_v700",
		"cudaLaunchKernelExC_v11060": "cudaLaunchKernelExC_v11060",
	} {
		if got := APIName(in); got != want {
			t.Errorf("APIName(%q) = %q, want %q", in, got, want)
		}
	}
}

// A gap is a hole between an end and the next start (end < start, nsys-stats-semantics.md):
// operations that touch leave none, even at gap=-1 where any hole is long enough.
func TestGPUGapsTouchingAtNegativeGap(t *testing.T) {
	g := int64(0x1_000064_000000)
	for _, c := range []struct {
		second int64 // start of the second operation; the first is 1000–2000
		want   string
	}{{2000, "[]"}, {2005, "[[5 2000]]"}, {1500, "[]"}} {
		tr := &trace.Trace{}
		k := &tr.Kernels
		k.Start, k.End = []int64{1000, c.second}, []int64{2000, c.second + 1000}
		k.GlobalPID, k.Device, k.Context = trace.CodesOf([]int64{g, g}), trace.CodesOf([]int64{0, 0}), []int64{1, 1}
		_, o, err := LookupRule("gpu_gaps:gap=-1")
		if err != nil {
			t.Fatal(err)
		}
		got := [][2]int64{}
		for _, r := range GPUGaps(tr, o).Rows {
			got = append(got, [2]int64{r[1].I, r[2].I})
		}
		if fmt.Sprint(got) != c.want {
			t.Errorf("second operation at %d, gap=-1: gaps %v, want %s", c.second, got, c.want)
		}
	}
}

// gpu_time_util's context is the pair's first operation with the latest end (pairContext), and
// its runs come in (run, device, process) order: three pairs used alike (one chunk, 70%: same
// run, use and duration, so the final order by use and duration keeps the run order).
func TestGPUTimeUtilContextAndPairOrder(t *testing.T) {
	p100, p200 := int64(0x1_000064_000000), int64(0x1_0000c8_000000)
	tr := &trace.Trace{}
	k := &tr.Kernels
	for _, pair := range []struct{ pid, dev, ctx int64 }{{p200, 0, 10}, {p100, 1, 20}, {p100, 0, 30}} {
		// contexts ctx, ctx+1, ctx+2: the second ends last (with the third), so ctx+1 is the pair's
		for i, op := range [][2]int64{{1000, 1010}, {1090, 1100}, {1050, 1100}} {
			k.Start, k.End = append(k.Start, op[0]), append(k.End, op[1])
			k.GlobalPID, k.Device, k.Context = k.GlobalPID.Append(pair.pid), k.Device.Append(pair.dev), append(k.Context, pair.ctx+int64(i))
		}
	}
	_, o, err := LookupRule("gpu_time_util:chunks=1:threshold=100")
	if err != nil {
		t.Fatal(err)
	}
	var got [][5]float64
	for _, r := range GPUTimeUtil(tr, o).Rows {
		got = append(got, [5]float64{r[1].F, float64(r[2].I), float64(r[4].I), float64(r[5].I), float64(r[6].I)})
	}
	// use, duration, pid, device, context
	want := "[[70 100 100 0 31] [70 100 200 0 11] [70 100 100 1 21]]"
	if fmt.Sprint(got) != want {
		t.Errorf("rows (use, duration, pid, device, context)\n got  %v\n want %s", got, want)
	}
}

// kbn is SQLite's sum() of doubles: equal, bit for bit, to SQLite summing the same values in
// the same order, on sums where a plain sum loses the small terms.
func TestKBNEqualsSQLiteSum(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec("CREATE TABLE v(i INTEGER PRIMARY KEY, x REAL)"); err != nil {
		t.Fatal(err)
	}
	sqlSum := func(xs []float64) float64 {
		if _, err := db.Exec("DELETE FROM v"); err != nil {
			t.Fatal(err)
		}
		for i, x := range xs {
			if _, err := db.Exec("INSERT INTO v VALUES (?, ?)", i, x); err != nil {
				t.Fatal(err)
			}
		}
		var s float64
		if err := db.QueryRow("SELECT sum(x) FROM v").Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	cases := [][]float64{{1e16, 1, -1e16}, {1, 1e16, -1e16}, {1e100, 1.5, -1e100}, {3, -3}, {0.1, 0.2, 0.3}}
	rng := rand.New(rand.NewSource(7))
	for range 300 {
		xs := make([]float64, 2+rng.Intn(12))
		for i := range xs {
			xs[i] = (rng.Float64() - 0.5) * math.Pow(10, float64(rng.Intn(34)-10))
			if rng.Intn(4) == 0 && i > 0 {
				xs[i] = -xs[rng.Intn(i)] // cancel an earlier term
			}
		}
		cases = append(cases, xs)
	}
	for _, xs := range cases {
		var k kbn
		for _, x := range xs {
			k.add(x)
		}
		if want := sqlSum(xs); math.Float64bits(k.sum()) != math.Float64bits(want) {
			t.Errorf("sum of %v: kbn %v, SQLite %v", xs, k.sum(), want)
		}
	}
}

// The Skip conditions of the GPU summaries: a report is skipped only when the export holds
// none of the rows it reads (nsys: "does not contain …"), whichever of them it does hold.
func TestGPUSummariesSkipOnlyWithoutTheirRows(t *testing.T) {
	for mask := range 16 {
		tr := &trace.Trace{EnumTables: true, MemcpyKinds: map[int64]string{1: "Host-to-Device"}, Tables: map[string]bool{"TARGET_INFO_GPU": true}}
		has := func(bit int) bool { return mask&(1<<bit) != 0 }
		if has(0) {
			tr.Runtime.Start, tr.Runtime.End = []int64{1}, []int64{2}
		}
		if has(1) {
			tr.Kernels.Start, tr.Kernels.End = []int64{1}, []int64{2}
		}
		if has(2) {
			tr.Memcpy.Start, tr.Memcpy.End, tr.Memcpy.CopyKind, tr.Memcpy.Bytes = []int64{1}, []int64{2}, []int64{1}, []int64{8}
		}
		if has(3) {
			tr.Memset.Start, tr.Memset.End, tr.Memset.Bytes = []int64{1}, []int64{2}, []int64{8}
		}
		for _, c := range []struct {
			report string
			reads  int // bits of the tables it reads
		}{{"cuda_gpu_sum", 0b1110}, {"cuda_api_gpu_sum", 0b1111}, {"cuda_gpu_mem_time_sum", 0b1100}, {"cuda_gpu_mem_size_sum", 0b1100}, {"cuda_gpu_trace", 0b1110}} {
			r, _, err := Lookup(c.report)
			if err != nil {
				t.Fatal(err)
			}
			skip := r.Skip(tr)
			if want := mask&c.reads == 0; (skip != "") != want || want && !strings.HasPrefix(skip, "does not contain") {
				t.Errorf("%s with tables %04b (runtime, kernels, copies, memsets from the right): skip %q, want skipped %v", c.report, mask, skip, want)
			}
		}
	}
}

// The note that nsys skips a memory summary: only on an export without the memcpy enum table
// (nsys ≤ 2022) that holds copies, as nsys requires ENUM_CUDA_MEMCPY_OPER only when MEMCPY
// exists (nsys-stats-semantics.md, cuda_gpu_mem_time_sum).
func TestMemSummaryEnumNote(t *testing.T) {
	for _, c := range []struct {
		enum, copies, memsets bool
		note                  bool
	}{{false, true, false, true}, {false, true, true, true}, {false, false, true, false}, {true, true, true, false}, {true, false, true, false}} {
		tr := &trace.Trace{EnumTables: c.enum, MemcpyKinds: map[int64]string{1: "Host-to-Device"}}
		if c.copies {
			tr.Memcpy.Start, tr.Memcpy.End, tr.Memcpy.CopyKind, tr.Memcpy.Bytes = []int64{1}, []int64{2}, []int64{1}, []int64{8}
		}
		if c.memsets {
			tr.Memset.Start, tr.Memset.End, tr.Memset.Bytes = []int64{1}, []int64{2}, []int64{8}
		}
		for _, n := range [][]string{CUDAGPUMemTimeSum(tr).Notes, CUDAGPUMemSizeSum(tr).Notes} {
			if (len(n) > 0) != c.note {
				t.Errorf("enum table %v, copies %v, memsets %v: notes %q, want a note %v", c.enum, c.copies, c.memsets, n, c.note)
			}
		}
	}
}

// cuda_gpu_mem_size_sum orders operations of equal total bytes by name: nsys 2025.3.1 on the
// sc23openmp sample (100 copies of 512,000,000 bytes each way, testdata/samples-golden/
// nsys2023.3.1_sc23openmp_report3/cuda_gpu_mem_size_sum.csv) prints Device-to-Host first.
func TestMemSizeSumTiesByName(t *testing.T) {
	tr := &trace.Trace{EnumTables: true, MemcpyKinds: map[int64]string{1: "Host-to-Device", 2: "Device-to-Host"}}
	m := &tr.Memcpy
	for i, kind := range []int64{1, 2, 1, 2} {
		m.Start, m.End = append(m.Start, int64(10*i)), append(m.End, int64(10*i+5))
		m.CopyKind, m.Bytes = append(m.CopyKind, kind), append(m.Bytes, 512_000_000)
	}
	var got []string
	for _, r := range CUDAGPUMemSizeSum(tr).Rows {
		got = append(got, fmt.Sprint(r[0].I, " ", r[7].S))
	}
	if want := "[1024000000 [CUDA memcpy Device-to-Host] 1024000000 [CUDA memcpy Host-to-Device]]"; fmt.Sprint(got) != want {
		t.Errorf("rows %v, want %s", got, want)
	}
}

// gpu_time_util makes exactly `chunks` chunks, in doubles as SQLite does: past 2^53 ns the
// bounds round (steps of 1024 at 2^62), and a chunk after the last one can still start before the
// rounded end; it is not made. One chunk over 2^62+400 … 2^62+1600 (size 1200): its bounds are
// 2^62 and 2^62+1024 (2^62+1200 rounded), the end rounds to 2^62+2048; the operations round to
// zero-length ones at 2^62 and 2^62+2048, outside it: one row of 0% over 1024 ns.
func TestGPUTimeUtilChunksPastTwoTo53(t *testing.T) {
	b := int64(1) << 62
	tr := &trace.Trace{}
	k := &tr.Kernels
	k.Start, k.End = []int64{b + 400, b + 1550}, []int64{b + 450, b + 1600}
	k.GlobalPID, k.Device, k.Context = trace.CodesOf([]int64{0x1_000064_000000, 0x1_000064_000000}), trace.CodesOf([]int64{0, 0}), []int64{1, 1}
	_, o, err := LookupRule("gpu_time_util:chunks=1:threshold=50")
	if err != nil {
		t.Fatal(err)
	}
	var got [][3]int64
	for _, r := range GPUTimeUtil(tr, o).Rows {
		got = append(got, [3]int64{int64(r[1].F), r[2].I, r[3].I})
	}
	if want := fmt.Sprint([][3]int64{{0, 1024, b}}); fmt.Sprint(got) != want {
		t.Errorf("rows (use, duration, start) %v, want %s", got, want)
	}
}

// FindRange counts instances in order of start, ties by row (filter.go): three ranges named a,
// two of them starting together.
func TestFindRangeTiesByRow(t *testing.T) {
	tr := &trace.Trace{}
	n := &tr.NVTX
	n.Texts = []string{"a"}
	for _, r := range [][2]int64{{100, 300}, {100, 200}, {50, 400}} {
		n.Start, n.End = append(n.Start, r[0]), append(n.End, r[1])
		n.EventType, n.TextID, n.Text = append(n.EventType, trace.NVTXPushPopRange), append(n.TextID, trace.Null), append(n.Text, 0)
		n.DomainID, n.GlobalTID = append(n.DomainID, 0), append(n.GlobalTID, 0x1_000064_000064)
	}
	var got []int
	for i := range 4 {
		row, ok := FindRange(tr, NVTXSpec{Range: "a", Index: i})
		if !ok {
			row = -1
		}
		got = append(got, row)
	}
	if fmt.Sprint(got) != "[2 0 1 -1]" {
		t.Errorf("a/0 … a/3 are rows %v, want [2 0 1 -1]", got)
	}
}

// DriverAPI selects the driver's copy calls the rule would if they were the runtime's: cuMemcpy…
// with "async" (any case) for cuda_memcpy_async, without it for cuda_memcpy_sync; never a runtime
// call.
func TestCopyRuleDriverAPI(t *testing.T) {
	names := []string{"cuMemcpyHtoD_v2", "cuMemcpyHtoDAsync_v2", "cuMemcpyDtoHASYNC", "cudaMemcpy", "cudaMemcpyAsync", "cuMemsetD8"}
	ids := make([]int64, len(names))
	for i := range ids {
		ids[i] = int64(i)
	}
	tr := &trace.Trace{Strings: trace.NewStrings(ids, names)}
	for _, id := range ids {
		tr.Runtime.NameID = append(tr.Runtime.NameID, int32(id))
	}
	for _, c := range []struct {
		rule CopyRule
		want string
	}{
		{MemcpySyncRule(tr).DriverAPI(tr), "cuda_memcpy_sync (driver API) [cuMemcpyHtoD_v2]"},
		{MemcpyAsyncRule(tr).DriverAPI(tr), "cuda_memcpy_async (driver API) [cuMemcpyDtoHASYNC cuMemcpyHtoDAsync_v2]"},
	} {
		var got []string
		for _, s := range c.rule.Names {
			got = append(got, s)
		}
		slices.Sort(got)
		if s := fmt.Sprint(c.rule.Name, " ", got); s != c.want {
			t.Errorf("%s, want %s", s, c.want)
		}
	}
}
