package reports

import (
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/trace"
)

// gpu_gaps keeps a gap longer than gap= milliseconds, strictly (as nsys 2025.3.1 does, though
// its help says "or equal"): 1 ms exactly is no gap at gap=1, 1 ms and 1 ns is.
func TestGPUGapsAtItsThreshold(t *testing.T) {
	g := int64(0x1_000064_000000)
	for _, c := range []struct {
		gap  int64
		rows int
	}{{1_000_000, 0}, {1_000_001, 1}, {999_999, 0}} {
		tr := &trace.Trace{}
		k := &tr.Kernels
		k.Start, k.End = []int64{1000, 2000 + c.gap}, []int64{2000, 3000 + c.gap}
		k.GlobalPID, k.Device, k.Context = trace.CodesOf([]int64{g, g}), trace.CodesOf([]int64{0, 0}), []int64{1, 1}
		_, o, err := LookupRule("gpu_gaps:gap=1")
		if err != nil {
			t.Fatal(err)
		}
		if got := GPUGaps(tr, o); len(got.Rows) != c.rows || c.rows == 1 && got.Rows[0][1].I != c.gap {
			t.Errorf("a gap of %d ns at gap=1: %v, want %d rows", c.gap, got.Rows, c.rows)
		}
	}
}

// LookupRule's options: defaults, rows (any integer, negative for no cap), a rule's own
// options, '+' and blanks around a value, chunks between 1 and 1000 or 0 (nsys lets 0 through),
// and the errors for a missing '=', an unknown option, nsys's filters omnistat refuses and a
// value that is no integer.
func TestLookupRuleOptions(t *testing.T) {
	for _, c := range []struct {
		spec string
		rows int
		vals map[string]int
		err  string
	}{
		{"gpu_gaps", 50, map[string]int{"gap": 500}, ""},
		{"gpu_gaps:gap=5:rows=3", 3, map[string]int{"gap": 5}, ""},
		{"gpu_gaps:rows=-1:gap=+7", -1, map[string]int{"gap": 7}, ""},
		{"gpu_gaps:gap= 9 ", 50, map[string]int{"gap": 9}, ""},
		{"gpu_time_util:chunks=0", 50, map[string]int{"threshold": 50, "chunks": 0}, ""},
		{"gpu_time_util:chunks=1:threshold=20", 50, map[string]int{"threshold": 20, "chunks": 1}, ""},
		{"gpu_time_util:chunks=1000", 50, map[string]int{"threshold": 50, "chunks": 1000}, ""},
		{"gpu_time_util:chunks=1001", 0, nil, "chunks must be between 1 and 1000"},
		{"gpu_time_util:chunks=-1", 0, nil, "chunks must be between 1 and 1000"},
		{"gpu_time_util:threshold=-1", 50, map[string]int{"threshold": -1, "chunks": 30}, ""},
		{"gpu_gaps:gap", 0, nil, "unknown option"},
		{"gpu_gaps:chunks=3", 0, nil, "unknown option"},
		{"gpu_gaps:rows", 0, nil, "unknown option"},
		{"gpu_gaps:start=1", 0, nil, "not supported by omnistat"},
		{"gpu_gaps:gap=x", 0, nil, "wants an integer"},
		{"no_such_rule", 0, nil, "unknown rule"},
	} {
		_, o, err := LookupRule(c.spec)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error %v, want %q", c.spec, err, c.err)
			}
			continue
		}
		if err != nil || o.Rows != c.rows || !maps.Equal(o.Values, c.vals) {
			t.Errorf("%s: rows %d values %v (%v), want %d %v", c.spec, o.Rows, o.Values, err, c.rows, c.vals)
		}
	}
	if got := limit([]int{1, 2, 3}, -1); len(got) != 3 {
		t.Errorf("limit -1: %v", got)
	}
	if got := limit([]int{1, 2, 3}, 3); len(got) != 3 {
		t.Errorf("limit 3 of 3: %v", got)
	}
	if got := limit([]int{1, 2, 3}, 0); len(got) != 0 {
		t.Errorf("limit 0: %v", got)
	}
	if colAt([]int64{4, 5}, 1) != 5 || colAt([]int64{4, 5}, 2) != trace.Null || colAt(nil, 0) != trace.Null {
		t.Error("colAt")
	}
}

// lowerASCII lowers A–Z only (SQLite's LIKE), both ends included, nothing around them.
func TestLowerASCII(t *testing.T) {
	if got := lowerASCII("AZaz@[`{09ÄÉ"); got != "azaz@[`{09ÄÉ" {
		t.Errorf("lowerASCII = %q", got)
	}
}

// gpu_gaps over synthetic operations, as the rule's comments pin nsys down: operations starting
// at 0 are left out; PROFILER_OVERHEAD rows of the blocking kinds strictly inside a (process,
// device) pair's span count as its operations (other names, rows of another process, rows
// touching the span's ends do not), with the context of the pair's first operation ending last;
// pairs come by pid, then device; gaps longest first, then by start.
func TestGPUGapsSynthetic(t *testing.T) {
	const ms = 1_000_000
	p1, p2 := int64(0x1_000064_000000), int64(0x1_0000c8_000000)
	tr := &trace.Trace{Strings: trace.NewStrings([]int64{0, 1}, []string{"CUDA profiling data flush overhead", "CUDA profiling other"})}
	k := &tr.Kernels
	add := func(gp, dev, ctx, s, e int64) {
		k.Start, k.End, k.GlobalPID, k.Device, k.Context = append(k.Start, s), append(k.End, e), k.GlobalPID.Append(gp), k.Device.Append(dev), append(k.Context, ctx)
	}
	add(p2, 0, 9, 10*ms, 11*ms) // pid 200 first in the table: its gaps come after pid 100's
	add(p2, 0, 9, 14*ms, 15*ms) // a 3 ms gap at 11 ms
	add(p1, 1, 5, 0, 50*ms)     // starts at 0: left out
	add(p1, 1, 5, 1*ms, 2*ms)
	add(p1, 1, 6, 3*ms, 4*ms) // ends with the next one: the first, context 6, is the pair's
	add(p1, 1, 7, 3500000, 4*ms)
	add(p1, 1, 5, 20*ms, 21*ms)    // a 16 ms gap at 4 ms, cut by the overhead into 6 and 9
	add(p1, 1, 8, 20500000, 21*ms) // ends last with the one before: that one's context (5) is the pair's
	add(p1, 2, 2, 10*ms, 11*ms)    // device 2 of pid 100: the same gap as device 0's, after it
	add(p1, 2, 2, 14*ms, 15*ms)
	add(p1, 0, 3, 10*ms, 11*ms)
	add(p1, 0, 4, 14*ms, 15*ms) // device 0 of pid 100: a 3 ms gap at 11 ms, as pid 200's: by pid
	o := &tr.Overhead
	for _, r := range [][4]int64{{10 * ms, 11 * ms, p1 | 100, 0}, {5 * ms, 6 * ms, p1 | 100, 1}, {1 * ms, 2 * ms, p1 | 100, 0}, {12 * ms, 15 * ms, p2 | 200, 0}} {
		o.Start, o.End, o.GlobalTID, o.NameID = append(o.Start, r[0]), append(o.End, r[1]), append(o.GlobalTID, r[2]), append(o.NameID, int32(r[3]))
	}
	_, opt, err := LookupRule("gpu_gaps:gap=2")
	if err != nil {
		t.Fatal(err)
	}
	var got [][4]int64
	for _, r := range GPUGaps(tr, opt).Rows {
		got = append(got, [4]int64{r[1].I, r[2].I, r[4].I, r[5].I}) // duration, start, device, context
	}
	// pid 100 device 1: ends sorted 2, 4 (ctx 6), 4 (ctx 7), 11 (the overhead), 21, 21 against
	// starts 1, 3, 3.5, 10, 20, 20.5: a 6 ms gap at 4 ms with the context of the second end at 4
	// (7), and a 9 ms gap at 11 ms with the overhead's, the pair context 5
	// device 0 of pid 100 (span 10–15): the overhead at 10–11 starts at its edge, not inside;
	// pid 200's overhead at 12–15 ends at its span's end, not inside
	want := [][4]int64{{9 * ms, 11 * ms, 1, 5}, {6 * ms, 4 * ms, 1, 7}, {3 * ms, 11 * ms, 0, 3}, {3 * ms, 11 * ms, 2, 2}, {3 * ms, 11 * ms, 0, 9}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("gaps (duration, start, device, context)\n got  %v\n want %v", got, want)
	}
}

// gpu_time_util on synthetic operations, worked out by hand from the rule's definition: chunks
// of ceil(span/chunks) ns, a chunk used exactly `threshold` % is not kept (strictly below),
// consecutive kept chunks merge into one run with the length-weighted use, the row limit cuts
// the runs in (run, device, process) order, then rows go by use and duration.
func TestGPUTimeUtilSynthetic(t *testing.T) {
	p := int64(0x1_000064_000000)
	tr := &trace.Trace{}
	k := &tr.Kernels
	add := func(dev, s, e int64) {
		k.Start, k.End, k.GlobalPID, k.Device, k.Context = append(k.Start, s), append(k.End, e), k.GlobalPID.Append(p), k.Device.Append(dev), append(k.Context, 1)
	}
	// device 0 over 1000–1400 in 4 chunks of 100: 100%, 50% (the threshold: not kept), 10%, 40%
	add(0, 1000, 1100)
	add(0, 1100, 1150)
	add(0, 1200, 1210)
	add(0, 1300, 1320)
	add(0, 1380, 1400)
	// device 1: 5%, 100%, 0%, 10%
	add(1, 1000, 1005)
	add(1, 1100, 1200)
	add(1, 1390, 1400)
	for _, c := range []struct {
		spec string
		want string // use, duration, start, device per row
	}{
		{"gpu_time_util:chunks=4:threshold=50", "[[5 100 1000 1] [5 200 1200 1] [25 200 1200 0]]"},
		{"gpu_time_util:chunks=4:threshold=50:rows=2", "[[5 100 1000 1] [5 200 1200 1]]"},
		{"gpu_time_util:chunks=4:threshold=51", "[[5 100 1000 1] [5 200 1200 1] [33.3 300 1100 0]]"},
	} {
		_, o, err := LookupRule(c.spec)
		if err != nil {
			t.Fatal(err)
		}
		var got [][4]float64
		for _, r := range GPUTimeUtil(tr, o).Rows {
			got = append(got, [4]float64{r[1].F, float64(r[2].I), float64(r[3].I), float64(r[5].I)})
		}
		if fmt.Sprint(got) != c.want {
			t.Errorf("%s: %v, want %s", c.spec, got, c.want)
		}
	}
}
