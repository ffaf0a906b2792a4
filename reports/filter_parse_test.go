package reports

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

func TestParseTime(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
	}{
		{"0", 0},
		{"1500", 1500},
		{"-2000", -2000},
		{"+7", 7},
		{"1s2ms3us4ns", 1_002_003_004}, // nsys stats --help's examples
		{"2ns5us2", 5004},
		{"4ns3us2ms1s", 1_002_003_004}, // any order
		{"1s1s", 2e9},                  // units repeat
		{"1s-2ms", 998e6},              // each number has its own sign
		{"-1s2ms", -998e6},
		{"1sec2msec3usec4nsec", 1_002_003_004},
		{"1m", 60e9}, {"1min", 60e9}, {"2h", 7200e9}, {"1hour", 3600e9},
		{"1s", 1e9},
		{"-1s", -1e9},
		{"123.456ms", 123_456_000},
		{"-958.127ms", -958_127_000},
		{"0.1s", 100_000_000},
		{".5us", 500},
		{"3.ms", 3e6},
		{"1.5", 1}, // a float is a double, truncated toward zero
		{"-1.5", -1},
		{"1.999", 1},
		{"1e3", 1000},
		{"1.5e3", 1500},
		{"1e3ms", 1e9},
		{"2E-3s", 2e6},
		{"1e+2us", 1e5},
		{"9223372036854775807", math.MaxInt64},
		{"-9223372036854775808", math.MinInt64},
		{"9223372036s854775807ns", math.MaxInt64},
		{"1e0", 1}, {"1e9", 1e9}, {"2e-0s", 2e9}, // exponents of 0 and 9
		{"-9223372036854775808.0", math.MinInt64}, // a float at exactly -2^63 is in range
		{"-9.223372036854775808e18", math.MinInt64},
	} {
		got, err := ParseTime(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseTime(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "-", "s", "1x", "1secs", "ms", "1.2.3", "--1", "1e", "1e1000", "9223372036854775808",
		"-9223372036854775809", "10000000000s", "1 s", "1S", "abc", "nan", "inf", "0x10", " 5ms", "1s ", "1e3.5", "9223372036854775807+1",
		"9223372036854775808.0", "9.223372036854775808e18", "9223372036854775807.0"} { // a float at 2^63 is not
		if v, err := ParseTime(bad); err == nil {
			t.Errorf("ParseTime(%q) = %d, want an error", bad, v)
		}
	}
}

func TestParseTimeWindow(t *testing.T) {
	for _, c := range []struct {
		in     string
		lo, hi int64
	}{
		{"100/200", 100, 200},
		{"1s2ms3us4ns/", 1_002_003_004, NoEnd},
		{"/123.456ms", NoStart, 123_456_000},
		{"-1s/5us", -1e9, 5000},
		{"5/5", 5, 5},
	} {
		lo, hi, err := ParseTimeWindow(c.in)
		if err != nil || lo != c.lo || hi != c.hi {
			t.Errorf("ParseTimeWindow(%q) = %d, %d, %v; want %d, %d", c.in, lo, hi, err, c.lo, c.hi)
		}
	}
	for _, bad := range []string{"", "/", "100", "2/1", "x/", "/y", "1/2/3"} {
		if _, _, err := ParseTimeWindow(bad); err == nil {
			t.Errorf("ParseTimeWindow(%q): want an error", bad)
		}
	}
}

func TestParseNVTXSpec(t *testing.T) {
	for _, c := range []struct {
		in   string
		want NVTXSpec
	}{
		{"step", NVTXSpec{Range: "step"}},
		{"step/3", NVTXSpec{Range: "step", Index: 3}},
		{"step@omnistat", NVTXSpec{Range: "step", Domain: "omnistat", HasDomain: true}},
		{"talker.decode_step@omnistat/1", NVTXSpec{Range: "talker.decode_step", Domain: "omnistat", HasDomain: true, Index: 1}},
		{"a/b", NVTXSpec{Range: "a/b"}},
		{"a/b/0", NVTXSpec{Range: "a/b"}},
		{"x@y@d/2", NVTXSpec{Range: "x@y", Domain: "d", HasDomain: true, Index: 2}},
		{"step@/1", NVTXSpec{Range: "step", HasDomain: true, Index: 1}},
		{"step/-1", NVTXSpec{Range: "step/-1"}},
		{"step/+1", NVTXSpec{Range: "step/+1"}},
		{"step/9", NVTXSpec{Range: "step", Index: 9}},
		{"step/09", NVTXSpec{Range: "step", Index: 9}},
	} {
		got, err := ParseNVTXSpec(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseNVTXSpec(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "@d", "/1", "@d/1"} {
		if _, err := ParseNVTXSpec(bad); err == nil {
			t.Errorf("ParseNVTXSpec(%q): want an error", bad)
		}
	}
}

// compound writes v in the 1s2ms3us4ns form.
func compound(v int64) string {
	var b strings.Builder
	if v < 0 {
		b.WriteByte('-')
	}
	u := uint64(v)
	if v < 0 {
		u = -u
	}
	for _, p := range []struct {
		name string
		ns   uint64
	}{{"s", 1e9}, {"ms", 1e6}, {"us", 1e3}} {
		if u >= p.ns {
			fmt.Fprintf(&b, "%d%s", u/p.ns, p.name)
			u %= p.ns
		}
	}
	if u > 0 || b.Len() == 0 || b.String() == "-" {
		fmt.Fprintf(&b, "%dns", u)
	}
	return b.String()
}

// FuzzParseTime: whatever parses has one value, whatever way it is written again (the
// compound 1s2ms3us4ns form, plain nanoseconds, with a unit of ns), and a further part adds to it.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"0", "1500", "-2000", "1s2ms3us4ns", "2ns5us2", "123.456ms", "-1s", ".5us", "1.5", "1e3", "9223372036854775807", "3us4ns", "1h2m", "1s-2ms"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseTime(s)
		if err != nil {
			return
		}
		for _, w := range []string{compound(v), fmt.Sprint(v), fmt.Sprintf("%dns", v), fmt.Sprintf("%dnsec", v)} {
			if got, err := ParseTime(w); err != nil || got != v {
				t.Fatalf("ParseTime(%q) = %d; ParseTime(%q) = %d, %v", s, v, w, got, err)
			}
		}
		if v < math.MaxInt64-7000 {
			if got, err := ParseTime(s + "+7us"); err != nil || got != v+7000 {
				t.Fatalf("ParseTime(%q) = %d; ParseTime(%q+7us) = %d, %v", s, v, s, got, err)
			}
		}
		if v > math.MinInt64+2e9 {
			if got, err := ParseTime(s + "-2s"); err != nil || got != v-2e9 {
				t.Fatalf("ParseTime(%q) = %d; ParseTime(%q-2s) = %d, %v", s, v, s, got, err)
			}
		}
	})
}

// TestParseTimeUnitMessage: a unit that is not one says so and lists the units, whatever its
// case ("1S" is an unknown unit, not a number that should end the value).
func TestParseTimeUnitMessage(t *testing.T) {
	for _, c := range []struct{ in, unit string }{{"1S/", `"S"`}, {"1Ms/", `"Ms"`}, {"/2secs", `"secs"`}, {"1x/", `"x"`},
		{"1a/", `"a"`}, {"1z/", `"z"`}, {"1A/", `"A"`}, {"1Z/", `"Z"`}, {"1sZ/", `"sZ"`}} { // the letters' ends
		_, _, err := ParseTimeWindow(c.in)
		if err == nil || !strings.Contains(err.Error(), "unknown unit "+c.unit) || !strings.Contains(err.Error(), UnitList) {
			t.Errorf("ParseTimeWindow(%q): %v; want unknown unit %s and the units (%s)", c.in, err, c.unit, UnitList)
		}
	}
	for _, u := range []string{"ns", "nsec", "us", "usec", "ms", "msec", "s", "sec", "m", "min", "h", "hour"} {
		if _, ok := timeUnits[u]; !ok || !strings.Contains(UnitList, u) {
			t.Errorf("unit %s: in the parser %v; UnitList %q", u, ok, UnitList)
		}
	}
}

// An exponent needs digits before it: "e5", ".e5" and "-e5s" are no numbers (not numbers out of
// range).
func TestParseTimeExponentWithoutDigits(t *testing.T) {
	for _, in := range []string{"e5", ".e5", "-e5s", "E+5"} {
		if _, err := ParseTime(in); err == nil || !strings.Contains(err.Error(), "expected a number") {
			t.Errorf("ParseTime(%q): %v; want: expected a number", in, err)
		}
	}
}
