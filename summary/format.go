package summary

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/omnistat/omnistat/reports/stat"
)

// WithSep formats n with thousands separators.
func WithSep(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// FloatSep formats a one-decimal float with thousands separators: 1,839,324.4.
func FloatSep(x float64) string {
	s := stat.PyFloat(stat.Round(x, 1))
	i, f, _ := strings.Cut(s, ".")
	n, err := strconv.ParseInt(i, 10, 64)
	if err != nil {
		return s
	}
	return WithSep(n) + "." + f
}

// Signed formats a change with its sign and thousands separators: +52,129.4, -231,560.4.
func Signed(x float64) string {
	if x < 0 {
		return "-" + FloatSep(-x)
	}
	return "+" + FloatSep(x)
}
