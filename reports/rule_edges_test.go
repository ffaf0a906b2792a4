package reports

import (
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
		k.GlobalPID, k.Device, k.Context = []int64{g, g}, []int64{0, 0}, []int64{1, 1}
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
