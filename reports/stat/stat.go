// Package stat computes the statistics of nsys's *_sum reports exactly as nsys prints them:
// count, total, mean, median, min, max, sample standard deviation and quartiles of int64
// durations, SQLite's round(x, n) and Python's str() of a float. It knows nothing about traces
// or reports and refuses to format tables.
package stat

import (
	"math"
	"slices"
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

// Summarize sorts xs in place and returns its Summary; an empty xs gives the zero Summary.
func Summarize(xs []int64) Summary {
	n := len(xs)
	if n == 0 {
		return Summary{}
	}
	slices.Sort(xs)
	var total int64
	for _, x := range xs {
		total += x
	}
	s := Summary{Count: int64(n), Total: total, Min: xs[0], Max: xs[n-1]}
	s.Avg = float64(total) / float64(n)
	s.Med = Quantile(xs, 0.5)
	s.Q1 = Quantile(xs, 0.25)
	s.Q3 = Quantile(xs, 0.75)
	s.StdDev = StdDev(xs, s.Avg)
	return s
}

// StdDev is the sample standard deviation of xs around mean (divisor n−1); 0 for n < 2.
func StdDev(xs []int64, mean float64) float64 {
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
func Quantile(sorted []int64, q float64) float64 {
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

// Round is SQLite's round(x, digits): the value rendered with 15 significant digits, then
// rounded half away from zero at the given decimal place. round(0.15, 1) = 0.2 and
// round(2.675, 2) = 2.68, where math.Round(x*100)/100 gives 2.67.
func Round(x float64, digits int) float64 {
	if digits < 0 {
		digits = 0
	}
	if math.IsNaN(x) || math.IsInf(x, 0) || x < -4503599627370496 || x > 4503599627370496 {
		return x
	}
	if digits == 0 {
		if x < 0 {
			return float64(int64(x - 0.5))
		}
		return float64(int64(x + 0.5))
	}
	neg := x < 0
	s := strconv.FormatFloat(math.Abs(x), 'e', 14, 64) // d.dddddddddddddde±XX: 15 significant digits
	mant, expStr, _ := strings.Cut(s, "e")
	exp, _ := strconv.Atoi(expStr)
	digs := []byte(strings.Replace(mant, ".", "", 1)) // 15 digits, value = 0.digs × 10^(exp+1)
	// keep the digits up to `digits` places after the decimal point
	keep := exp + 1 + digits
	if keep < 0 {
		return 0
	}
	if keep < len(digs) {
		up := digs[keep] >= '5'
		digs = digs[:keep]
		if up {
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
				exp++
			}
		}
	}
	if len(digs) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat("0."+string(digs)+"e"+strconv.Itoa(exp+1), 64)
	if neg {
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
