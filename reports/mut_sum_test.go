package reports

import (
	"slices"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/reports/stat"
)

// groupByID puts every row of one id in one group, whether the id sits in the dense memo (0 and
// up, under the bound) or in the map (negative, or past the bound): id 0 included.
func TestGroupByIDZeroAndSparse(t *testing.T) {
	ids := []int64{0, 5, 0, -3, 12, 5, -3, 12, 0}
	for _, bound := range []int{0, 6, 100} {
		g := groupByID(len(ids), bound, func(i int) (int64, bool) { return ids[i], true }, func(i int) int64 { return int64(i) })
		if want := []int64{0, 5, -3, 12}; !slices.Equal(g.ids, want) {
			t.Fatalf("bound %d: groups %v, want %v", bound, g.ids, want)
		}
		for gi, id := range g.ids {
			var want []int64
			for i, v := range ids {
				if v == id {
					want = append(want, int64(i))
				}
			}
			if !slices.Equal(g.values(gi), want) {
				t.Errorf("bound %d, id %d: rows %v, want %v", bound, id, g.values(gi), want)
			}
		}
	}
}

// lessFromLast compares from the last label back (name, then style); lessLabels from the first;
// a shorter list that agrees with the other's labels comes first.
func TestLabelOrders(t *testing.T) {
	for _, c := range []struct {
		a, b       []string
		last, frst bool
	}{
		{[]string{"a", "x"}, []string{"b", "x"}, true, true},
		{[]string{"b", "x"}, []string{"a", "x"}, false, false},
		{[]string{"b", "x"}, []string{"a", "y"}, true, false},
		{[]string{"x"}, []string{"a", "x"}, true, false},
		{[]string{"a", "b"}, []string{"a"}, false, false},
		{[]string{"a"}, []string{"a", "b"}, true, true},
		{[]string{"a", "c"}, []string{"a", "b"}, false, false},
		{[]string{"a", "b"}, []string{"a", "b"}, false, false},
	} {
		if got := lessFromLast(c.a, c.b); got != c.last {
			t.Errorf("lessFromLast(%q, %q) = %v, want %v", c.a, c.b, got, c.last)
		}
		if got := lessLabels(c.a, c.b); got != c.frst {
			t.Errorf("lessLabels(%q, %q) = %v, want %v", c.a, c.b, got, c.frst)
		}
	}
}

// Lookup takes only a report's own arguments.
func TestLookupArguments(t *testing.T) {
	if _, opt, err := Lookup("cuda_gpu_kern_sum:mangled"); err != nil || opt.KernelName != "mangled" {
		t.Errorf("cuda_gpu_kern_sum:mangled: %v %+v", err, opt)
	}
	for spec, msg := range map[string]string{
		"cuda_gpu_kern_sum:bogus": `unknown argument "bogus"`,
		"cuda_api_sum:base":       `takes no arguments, got "base"`,
		"no_such_report":          `unknown report "no_such_report"`,
	} {
		if _, _, err := Lookup(spec); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("Lookup(%q) = %v, want an error with %q", spec, err, msg)
		}
	}
}

// groupByID keeps the values in 32 bits when every kept value fits (from -2³¹ to 2³¹-1), and in
// 64 when one does not (a call of more than 2.1 s), a value of a row it leaves out not counting;
// the groups' summaries are the same either way.
func TestGroupByID32Or64(t *testing.T) {
	for _, c := range []struct {
		vals []int64
		keep []bool
		wide bool
	}{
		{[]int64{5, -1 << 31, 1<<31 - 1, 7}, nil, false},
		{[]int64{5, 1 << 31, 3, 7}, nil, true},
		{[]int64{5, -1<<31 - 1, 3, 7}, nil, true},
		{[]int64{5, 1 << 40, 3, 7}, []bool{true, false, true, true}, false},
	} {
		ids := []int64{1, 2, 1, 2}
		g := groupByID(len(ids), 10, func(i int) (int64, bool) { return ids[i], c.keep == nil || c.keep[i] }, func(i int) int64 { return c.vals[i] })
		if (g.vals != nil) != c.wide || (g.vals32 != nil) == c.wide {
			t.Errorf("%v keep %v: 64-bit %v, 32-bit %v, want 64-bit %v", c.vals, c.keep, g.vals != nil, g.vals32 != nil, c.wide)
		}
		for j, id := range g.ids {
			var want []int64
			for i, v := range c.vals {
				if ids[i] == id && (c.keep == nil || c.keep[i]) {
					want = append(want, v)
				}
			}
			if !slices.Equal(g.values(j), want) {
				t.Errorf("%v: group %d holds %v, want %v", c.vals, id, g.values(j), want)
			}
			if got := g.group(j, nil).summarize(); got != stat.Summarize(slices.Clone(want)) {
				t.Errorf("%v: group %d summarized %+v", c.vals, id, got)
			}
		}
	}
}
