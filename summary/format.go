package summary

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/omnistat/omnistat/internal/text"
	"github.com/omnistat/omnistat/reports/stat"
)

// WithSep formats n with thousands separators.
func WithSep(n int64) string {
	s := fmt.Sprint(n)
	if digits, neg := strings.CutPrefix(s, "-"); neg {
		return "-" + text.GroupDigits(digits)
	}
	return text.GroupDigits(s)
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
