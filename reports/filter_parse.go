package reports

import (
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"
)

// Open ends of a time window: a window with no start begins at NoStart, one with no end ends at
// NoEnd (nsys: "approximately +/- 290 years from the zero-point").
const (
	NoStart int64 = math.MinInt64
	NoEnd   int64 = math.MaxInt64
)

// timeUnits are the units of nsys's time syntax, in nanoseconds (nsys stats --help).
var timeUnits = map[string]int64{
	"ns": 1, "nsec": 1, "us": 1e3, "usec": 1e3, "ms": 1e6, "msec": 1e6, "s": 1e9, "sec": 1e9,
	"m": 60e9, "min": 60e9, "h": 3600e9, "hour": 3600e9,
}

// UnitList names the units of a --filter-time value, short and long forms.
const UnitList = "ns|nsec, us|usec, ms|msec, s|sec, m|min, h|hour"

// ParseTime parses one time value of nsys's --filter-time syntax into nanoseconds, as nsys
// stats --help describes it: a series of numbers, each with an optional sign, an optional
// fraction and exponent ("1.5e3"), and an optional unit (ns/nsec, us/usec, ms/msec, s/sec,
// m/min, h/hour; none means ns), written without spaces and added up: "1s2ms3us4ns" is
// 1,002,003,004 ns, "2ns5us2" 5,004 ns, "-1s" minus a second. Units may come in any order and
// repeat. An integer number is exact; a number with a fraction or an exponent is a float64
// (nsys: "converted as a 64-bit double"), multiplied by its unit and truncated toward zero.
func ParseTime(s string) (int64, error) {
	bad := func(why string) (int64, error) {
		return 0, fmt.Errorf("time %q: %s (give nanoseconds, or numbers with units %s: 1s2ms3us4ns, 123.456ms, -1s)", s, why, UnitList)
	}
	if s == "" {
		return bad("empty")
	}
	var total int64
	for t := s; t != ""; {
		num, unit, rest, err := timePart(t)
		if err != "" {
			return bad(err)
		}
		var v int64
		if !strings.ContainsAny(num, ".eE") {
			n, err := strconv.ParseInt(num, 10, 64)
			hi, lo := bits.Mul64(uint64(abs64(n)), uint64(unit))
			if err != nil || unit != 1 && (hi != 0 || lo > math.MaxInt64) {
				return bad("out of range")
			}
			v = n * unit
		} else {
			f, err := strconv.ParseFloat(num, 64)
			f *= float64(unit)
			if err != nil || math.IsNaN(f) || f >= 0x1p63 || f < -0x1p63 {
				return bad("out of range")
			}
			v = int64(f) // toward zero, as C++ converts a double
		}
		sum := total + v
		if (v > 0 && sum < total) || (v < 0 && sum > total) {
			return bad("out of range")
		}
		total, t = sum, rest
	}
	return total, nil
}

// timePart splits the first "[sign]number[unit]" off t: the number as written, the unit's
// nanoseconds (1 when none is given) and the rest; err says what is wrong.
func timePart(t string) (num string, unit int64, rest, err string) {
	i := 0
	if t[0] == '-' || t[0] == '+' {
		i++
	}
	digits, dot, exp := 0, false, false
	isDigit := func(k int) bool { return k < len(t) && t[k] >= '0' && t[k] <= '9' }
scan:
	for ; i < len(t); i++ {
		switch c := t[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot && !exp:
			dot = true
		case (c == 'e' || c == 'E') && digits > 0 && !exp && (isDigit(i+1) || (i+1 < len(t) && (t[i+1] == '-' || t[i+1] == '+') && isDigit(i+2))):
			exp = true
			if !isDigit(i + 1) {
				i++
			}
		default:
			break scan
		}
	}
	if digits == 0 {
		return "", 0, "", "expected a number at " + strconv.Quote(t)
	}
	num, rest = t[:i], t[i:]
	j := 0 // the unit: its letters, whatever their case (an upper-case one is unknown, not a stray character)
	for j < len(rest) && (rest[j] >= 'a' && rest[j] <= 'z' || rest[j] >= 'A' && rest[j] <= 'Z') {
		j++
	}
	unit = 1
	if j == 0 && rest != "" && rest[0] != '-' && rest[0] != '+' {
		return "", 0, "", "a number without a unit must end the value or be followed by a sign: " + strconv.Quote(t)
	}
	if j > 0 {
		u, ok := timeUnits[rest[:j]]
		if !ok {
			return "", 0, "", "unknown unit " + strconv.Quote(rest[:j]) // bad lists the units
		}
		unit = u
	}
	return num, unit, rest[j:], ""
}

func abs64(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// ParseTimeWindow parses --filter-time's "[START]/[END]": either side may be left out (an open
// window on that side), never both.
func ParseTimeWindow(s string) (start, end int64, err error) {
	a, b, ok := strings.Cut(s, "/")
	if !ok {
		return 0, 0, fmt.Errorf("--filter-time %q: give START/END, START/ or /END", s)
	}
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	if a == "" && b == "" {
		return 0, 0, fmt.Errorf("--filter-time %q: give a start, an end or both", s)
	}
	start, end = NoStart, NoEnd
	if a != "" {
		if start, err = ParseTime(a); err != nil {
			return 0, 0, fmt.Errorf("--filter-time: %w", err)
		}
	}
	if b != "" {
		if end, err = ParseTime(b); err != nil {
			return 0, 0, fmt.Errorf("--filter-time: %w", err)
		}
	}
	if start > end {
		return 0, 0, fmt.Errorf("--filter-time %q: the start is after the end", s)
	}
	return start, end, nil
}

// NVTXSpec is a parsed --filter-nvtx "RANGE[@DOMAIN][/N]".
type NVTXSpec struct {
	Range     string
	Domain    string
	HasDomain bool
	Index     int // the instance, 0-based
}

// ParseNVTXSpec parses "RANGE[@DOMAIN][/N]". The instance is what follows the last '/' when it
// is a number; the domain what follows the last '@' before it. A range text holding '/' or '@'
// can be given with an explicit instance ("a/b/0") and domain.
func ParseNVTXSpec(s string) (NVTXSpec, error) {
	var sp NVTXSpec
	rest := s
	if i := strings.LastIndexByte(rest, '/'); i >= 0 {
		n := rest[i+1:]
		if v, err := strconv.Atoi(n); err == nil && n != "" && n[0] >= '0' && n[0] <= '9' {
			sp.Index, rest = v, rest[:i]
		}
	}
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		sp.Range, sp.Domain, sp.HasDomain = rest[:i], rest[i+1:], true
	} else {
		sp.Range = rest
	}
	if sp.Range == "" {
		return NVTXSpec{}, fmt.Errorf("--filter-nvtx %q: give a range name, RANGE[@DOMAIN][/N]", s)
	}
	return sp, nil
}

// String is the spec as nsys takes it.
func (sp NVTXSpec) String() string {
	s := sp.Range
	if sp.HasDomain {
		s += "@" + sp.Domain
	}
	if sp.Index != 0 {
		s += "/" + strconv.Itoa(sp.Index)
	}
	return s
}
