package summary

import (
	"strings"

	"github.com/omnistat/omnistat/reports"
	"github.com/omnistat/omnistat/trace"
)

// RangeInstances counts the instances of each push/pop range (by full and by message name).
func RangeInstances(tr *trace.Trace) map[string]int64 {
	names := reports.NewNVTXNames(tr)
	out := map[string]int64{}
	for i := range tr.NVTX.Start {
		if trace.IsPushPop(tr.NVTX.EventType[i]) {
			out[names.Name(i)]++
		}
	}
	return out
}

// StepRange picks the range to normalise by: the one asked for, or the push/pop range with the
// most instances in base; the counts in both traces.
func StepRange(per string, b, n *trace.Trace) (string, int64, int64) {
	if per == "none" || b == nil || n == nil {
		return "", 0, 0
	}
	rb, rn := RangeInstances(b), RangeInstances(n)
	find := func(m map[string]int64, name string) int64 {
		if c, ok := m[name]; ok {
			return c
		}
		var c int64
		for full, x := range m {
			if strings.HasSuffix(full, ":"+name) { // "talker.decode_step" matches "omnistat:talker.decode_step"
				c += x
			}
		}
		return c
	}
	name := per
	if per == "auto" || per == "" {
		name = ""
		var best int64
		for full, c := range rb {
			if c > best || (c == best && full < name) {
				name, best = full, c
			}
		}
		if best < 2 {
			return "", 0, 0
		}
	}
	sb, sn := find(rb, name), find(rn, name)
	if sb == 0 || sn == 0 {
		return "", 0, 0
	}
	return name, sb, sn
}

// Signed formats a change with its sign and thousands separators: +52,129.4, -231,560.4.
func Signed(x float64) string {
	if x < 0 {
		return "-" + FloatSep(-x)
	}
	return "+" + FloatSep(x)
}
