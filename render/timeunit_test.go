package render

import (
	"strings"
	"testing"

	"github.com/omnistat/omnistat/reports/table"
)

func TestParseTimeUnit(t *testing.T) {
	for in, want := range map[string]string{"ns": "nsec", "nanoseconds": "nsec", "u": "usec", "micro": "usec",
		"ms": "msec", "milli": "msec", "s": "sec", "sec": "sec", "seconds": "sec"} {
		if got, err := ParseTimeUnit(in); got != want || err != nil {
			t.Errorf("ParseTimeUnit(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for in, want := range map[string]string{"n": "ambiguous", "m": "ambiguous", "": "ambiguous", "usecs": "unknown", "Sec": "unknown"} {
		if _, err := ParseTimeUnit(in); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("ParseTimeUnit(%q): %v, want %s", in, err, want)
		}
	}
}

// TestTimeUnitCells: durations convert by the product with 10⁻ᵏ and fixed decimals, other
// units stay, headers name the unit as nsys does.
func TestTimeUnitCells(t *testing.T) {
	ns, pct := table.Column{Name: "Avg", Unit: table.Ns}, table.Column{Name: "Time", Unit: table.Percent}
	for _, c := range []struct {
		unit   string
		v      table.Value
		col    table.Column
		want   string
		header string
	}{
		{"usec", table.F64(1716.5), ns, "1.717", "Avg (us)"}, // 1716.5/1000 would print 1.716
		{"usec", table.I64(264862709), ns, "264862.709", "Avg (us)"},
		{"msec", table.I64(309750), ns, "0.3097", "Avg (ms)"}, // 309750/1e6 would print 0.3098
		{"sec", table.I64(264862709), ns, "0.2649", "Avg (sec)"},
		{"sec", table.Value{}, ns, "", "Avg (sec)"},
		{"nsec", table.F64(1716.5), ns, "1716.5", "Avg (ns)"},
		{"", table.I64(5), ns, "5", "Avg (ns)"},
		{"usec", table.F64(89.6), pct, "89.6", "Time (%)"},
	} {
		o := Options{TimeUnit: c.unit}
		if got := cell(c.v, c.col, o); got != c.want {
			t.Errorf("%s %+v: %q, want %q", c.unit, c.v, got, c.want)
		}
		if h := headerOf(c.col, o); h != c.header {
			t.Errorf("%s: header %q, want %q", c.unit, h, c.header)
		}
	}
}
