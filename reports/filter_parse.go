package reports

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Open ends of a time window: a window with no start begins at NoStart, one with no end ends at
// NoEnd (the overlap test never reaches them, so every event with a timestamp is inside).
const (
	NoStart int64 = math.MinInt64
	NoEnd   int64 = math.MaxInt64
)

// timeUnits are the units of nsys's time syntax, in nanoseconds.
var timeUnits = []struct {
	name string
	ns   int64
}{{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}}

// ParseTime parses one time value of nsys's --filter-time syntax into nanoseconds: a plain
// number is nanoseconds ("1500", "-2000", "1.5e3"), a number with a unit is scaled ("1.5ms"),
// and several unit parts add up ("1s2ms3us4ns"). A leading '-' or '+' applies to the whole
// value. Fractions are exact (decimal arithmetic, no float error) and rounded to the nearest
// nanosecond, halves away from zero.
func ParseTime(s string) (int64, error) {
	bad := func(why string) (int64, error) {
		return 0, fmt.Errorf("time %q: %s (give nanoseconds, or numbers with units ns, us, ms, s: 1s2ms3us4ns, 1.5ms, -1s)", s, why)
	}
	t := strings.TrimSpace(s)
	neg := false
	if t != "" && (t[0] == '-' || t[0] == '+') {
		neg, t = t[0] == '-', t[1:]
	}
	if t == "" {
		return bad("empty")
	}
	total := new(big.Rat)
	if n, err := plainNumber(t); err == nil { // a number without a unit: nanoseconds
		total = n
	} else {
		used := map[string]bool{}
		for t != "" {
			i := 0
			for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
				i++
			}
			if i == 0 {
				return bad("expected a number at " + strconv.Quote(t))
			}
			num, rest := t[:i], t[i:]
			j := 0
			for j < len(rest) && rest[j] >= 'a' && rest[j] <= 'z' {
				j++
			}
			unit := rest[:j]
			scale := int64(0)
			for _, u := range timeUnits {
				if u.name == unit {
					scale = u.ns
				}
			}
			if scale == 0 {
				if unit == "" {
					return bad("a number without a unit after a unit part")
				}
				return bad("unknown unit " + strconv.Quote(unit))
			}
			if used[unit] {
				return bad("unit " + unit + " given twice")
			}
			used[unit] = true
			v, err := plainNumber(num)
			if err != nil || strings.ContainsAny(num, "eE") {
				return bad("bad number " + strconv.Quote(num))
			}
			total.Add(total, v.Mul(v, new(big.Rat).SetInt64(scale)))
			t = rest[j:]
		}
	}
	if neg {
		total.Neg(total)
	}
	ns, ok := roundRat(total)
	if !ok {
		return bad("out of range")
	}
	return ns, nil
}

// plainNumber parses an unsigned decimal number ("12", "1.5", ".5", "3.", "1e6") exactly.
func plainNumber(s string) (*big.Rat, error) {
	if s == "" || s == "." || !(s[0] >= '0' && s[0] <= '9' || s[0] == '.') {
		return nil, fmt.Errorf("not a number")
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
			return nil, fmt.Errorf("not a number")
		}
	}
	if e := strings.IndexAny(s, "eE"); e >= 0 { // an exponent: at most 3 digits, so the value stays small
		exp := strings.TrimLeft(s[e+1:], "+-")
		if len(exp) == 0 || len(exp) > 3 {
			return nil, fmt.Errorf("not a number")
		}
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok || r.Sign() < 0 {
		return nil, fmt.Errorf("not a number")
	}
	return r, nil
}

// roundRat rounds r to the nearest integer, halves away from zero; ok is false outside int64.
func roundRat(r *big.Rat) (int64, bool) {
	num, den := new(big.Int).Set(r.Num()), r.Denom()
	neg := num.Sign() < 0
	num.Abs(num)
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	if m.Lsh(m, 1).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if neg {
		q.Neg(q)
	}
	if !q.IsInt64() {
		return 0, false
	}
	return q.Int64(), true
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
