// Package stat computes the statistics of nsys's *_sum reports exactly as nsys prints them:
// count, total, mean, median, min, max, sample standard deviation and quartiles of int64
// durations, SQLite's round(x, n) and Python's str() of a float. It knows nothing about traces
// or reports and refuses to format tables.
package stat

import (
	"math"
	"strconv"
	"strings"
)

// Summary is the statistics nsys reports for one group of durations (or sizes).
type Summary struct {
	Count    int64
	Total    int64
	Avg      float64 // mean, as SQLite avg(): the sum over the count in double precision
	Med      float64 // median; the mean of the two middle values when Count is even
	Min, Max int64
	StdDev   float64 // sample standard deviation (divisor n−1); 0 when Count < 2
	Q1, Q3   float64 // lower and upper quartiles (nsys's hidden _Q1/_Q3)
}

// Int is the integers Summarize, Sort, Median and the rest take: int64 values, or int32 ones
// where every value fits (half the memory for the hot tables' durations).
type Int interface{ ~int32 | ~int64 }

// Summarize sorts xs in place and returns its Summary; an empty xs gives the zero Summary.
func Summarize[T Int](xs []T) Summary {
	n := len(xs)
	if n == 0 {
		return Summary{}
	}
	Sort(xs)
	var total int64
	for _, x := range xs {
		total += int64(x)
	}
	s := Summary{Count: int64(n), Total: total, Min: int64(xs[0]), Max: int64(xs[n-1])}
	s.Avg = float64(total) / float64(n)
	s.Med = Quantile(xs, 0.5)
	s.Q1 = Quantile(xs, 0.25)
	s.Q3 = Quantile(xs, 0.75)
	s.StdDev = StdDev(xs, s.Avg)
	return s
}

// StdDev is the sample standard deviation of xs around mean (divisor n−1); 0 for n < 2.
func StdDev[T Int](xs []T, mean float64) float64 {
	if len(xs) < 2 {
		return 0
	}
	var ss float64
	for _, x := range xs {
		d := float64(x) - mean
		ss += d * d
	}
	return math.Sqrt(ss / float64(len(xs)-1))
}

// Quantile is nsys's quartile rule on sorted xs: with p = n·q, when p is an integer k with
// 1 ≤ k < n the mean of the k-th and (k+1)-th values, else the ⌈p⌉-th value (1-based).
// q = 0.5 gives the ordinary median.
func Quantile[T Int](sorted []T, q float64) float64 {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	p := float64(n) * q
	k := int(math.Floor(p))
	if float64(k) == p && k >= 1 && k < n {
		return (float64(sorted[k-1]) + float64(sorted[k])) / 2
	}
	c := int(math.Ceil(p))
	if c < 1 {
		c = 1
	}
	if c > n {
		c = n
	}
	return float64(sorted[c-1])
}

// Round is SQLite's round(x, digits) as nsys 2025.3.1 computes it: the exact decimal value of
// the double, rounded half away from zero at the given place. round(10601.65, 1) is 10601.6
// because the double nearest 10601.65 is 10601.6499999999996…, and round(1.25, 1) is 1.3 (a
// true tie goes away from zero, unlike Go's strconv or Python's round). Checked against every
// rounded value in the nsys goldens of testdata/ (34,855 rows).
func Round(x float64, digits int) float64 {
	// 40 decimals hold the expansion of any double far enough to decide the rounding.
	return roundDecimal(strconv.FormatFloat(math.Abs(x), 'f', 40, 64), x, digits)
}

// RoundSQLite342 is round(x, digits) of SQLite 3.42, the library of nsys 2023.4.4: the value
// first rendered with 15 significant digits, then rounded half away from zero, so
// round(0.15, 1) = 0.2 and round(2.675, 2) = 2.68 there (nsys-stats-semantics.md §2). nsys
// 2025.3.1 no longer does this (see Round); it is kept for exports compared with older nsys.
func RoundSQLite342(x float64, digits int) float64 {
	// 'e' with 14 decimals is 15 significant digits, written out as a plain decimal.
	mant, expStr, _ := strings.Cut(strconv.FormatFloat(math.Abs(x), 'e', 14, 64), "e")
	exp, _ := strconv.Atoi(expStr)
	d := strings.Replace(mant, ".", "", 1)
	var plain string
	if exp >= 0 {
		for len(d) <= exp {
			d += "0"
		}
		plain = d[:exp+1] + "." + d[exp+1:]
	} else {
		plain = "0." + strings.Repeat("0", -exp-1) + d
	}
	return roundDecimal(plain, x, digits)
}

// roundDecimal rounds the plain decimal string s (the magnitude of x) half away from zero at
// digits places and gives it x's sign.
func roundDecimal(s string, x float64, digits int) float64 {
	if digits < 0 {
		digits = 0
	}
	if math.IsNaN(x) || math.IsInf(x, 0) || x < -4503599627370496 || x > 4503599627370496 {
		return x
	}
	intPart, frac, _ := strings.Cut(s, ".")
	for len(frac) <= digits {
		frac += "0"
	}
	digs := []byte(intPart + frac[:digits])
	if frac[digits] >= '5' {
		i := len(digs) - 1
		for ; i >= 0; i-- {
			if digs[i] == '9' {
				digs[i] = '0'
				continue
			}
			digs[i]++
			break
		}
		if i < 0 {
			digs = append([]byte{'1'}, digs...)
		}
	}
	n := len(digs) - digits
	v, _ := strconv.ParseFloat(string(digs[:n])+"."+string(digs[n:])+"0", 64)
	if x < 0 {
		v = -v
	}
	return v
}

// Percent is nsys's share column: round(part × 100.0 / total, 1); 0 when total is 0.
func Percent(part, total int64) float64 {
	if total == 0 {
		return 0
	}
	return Round(float64(part)*100.0/float64(total), 1)
}

// PyFloat formats x as Python's str(float) does, the way nsys's CSV prints REAL values:
// 7174.0, 5.818181818181818, 1e+16, 1.5e-05.
func PyFloat(x float64) string {
	switch {
	case math.IsNaN(x):
		return "nan"
	case math.IsInf(x, 1):
		return "inf"
	case math.IsInf(x, -1):
		return "-inf"
	}
	ax := math.Abs(x)
	if ax != 0 && (ax < 1e-4 || ax >= 1e16) {
		return strconv.FormatFloat(x, 'e', -1, 64)
	}
	s := strconv.FormatFloat(x, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}
