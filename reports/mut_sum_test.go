package reports

import (
	"slices"
	"strings"
	"testing"
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
			if !slices.Equal(g.vals[gi], want) {
				t.Errorf("bound %d, id %d: rows %v, want %v", bound, id, g.vals[gi], want)
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
