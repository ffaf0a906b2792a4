package plots

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/omnistat/omnistat/internal/text"
	"gonum.org/v1/plot"
)

// LogRatio is the largest max/min ratio of a value axis drawn linearly: above it the axis is
// logarithmic, so one long outlier cannot flatten everything else.
const LogRatio = 50

// niceStep is the smallest round step (1, 2 or 5 × 10^k; 2.5 × 10^k from 25) that cuts span
// into at most n parts.
func niceStep(span float64, n int) float64 {
	if span <= 0 || math.IsInf(span, 0) || math.IsNaN(span) {
		return 1
	}
	raw := span / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			if m == 2.5 && mag < 10 { // 2.5 and 0.25 steps need decimals; 2 or 5 read better
				continue
			}
			return m * mag
		}
	}
	return 10 * mag
}

// NiceCeil is the smallest round value (1, 2 or 5 × 10^k) at or above x > 0.
func NiceCeil(x float64) float64 {
	if x <= 0 {
		return 0
	}
	mag := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= x*(1-1e-12) {
			return m * mag
		}
	}
	return 10 * mag
}

// roundTicks puts 3 to 8 labelled ticks on round values (1, 2, 2.5 or 5 × 10^k) with a minor
// tick between each, labelled with the decimals the step needs and thousands separators.
type roundTicks struct{}

func (roundTicks) Ticks(lo, hi float64) []plot.Tick {
	step := niceStep(hi-lo, 7)
	dec := decimals(step)
	var out []plot.Tick
	first := math.Ceil(lo/step - 1e-9)
	for k := first; k*step <= hi+step*1e-9; k++ {
		v := k * step
		out = append(out, plot.Tick{Value: v, Label: label(v, dec)})
		if m := v + step/2; m < hi {
			out = append(out, plot.Tick{Value: m})
		}
	}
	if m := first*step - step/2; m > lo {
		out = append(out, plot.Tick{Value: m})
	}
	return out
}

// decimals is the number of decimals a multiple of step needs.
func decimals(step float64) int {
	for d := 0; d < 10; d++ {
		p := math.Pow(10, float64(d))
		if math.Abs(step*p-math.Round(step*p)) < 1e-6*step*p {
			return d
		}
	}
	return 10
}

// label formats v with dec decimals and thousands separators; -0 is 0.
func label(v float64, dec int) string {
	if math.Abs(v) < 1e-12 {
		v = 0
	}
	s := strconv.FormatFloat(v, 'f', dec, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	ip, frac, hasFrac := strings.Cut(s, ".")
	out := text.GroupDigits(ip)
	if hasFrac {
		out += "." + frac
	}
	if neg {
		return "-" + out
	}
	return out
}

// logTicks labels the powers of ten (and 2 and 5 times them when the axis spans under three
// decades) of a logarithmic axis, with minor ticks at the other integers times them.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	if lo <= 0 || hi <= lo {
		return nil
	}
	few := math.Log10(hi/lo) < 3
	var out []plot.Tick
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		base := math.Pow(10, e)
		for m := 1; m < 10; m++ {
			v := float64(m) * base
			if v < lo*(1-1e-9) || v > hi*(1+1e-9) {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || few && (m == 2 || m == 5) {
				t.Label = label(v, max(0, int(-e)))
			}
			out = append(out, t)
		}
	}
	return out
}

// logRange widens [lo, hi] of a logarithmic axis to round values around the data.
func logRange(lo, hi float64) (float64, float64) {
	a := math.Pow(10, math.Floor(math.Log10(lo)))
	for _, m := range []float64{5, 2, 1} {
		if m*a <= lo {
			a *= m
			break
		}
	}
	return a, NiceCeil(hi * 1.05)
}

// Elide shortens s to at most n characters by cutting its middle: the start names the family
// (namespace, kernel), the end tells instances apart (tile sizes, "#2").
func Elide(s string, n int) string {
	if n < 5 || utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	head := (n - 1) * 3 / 5
	tail := n - 1 - head
	return string(r[:head]) + "…" + string(r[len(r)-tail:])
}
