package plots

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/omnistat/omnistat/reports/table"
	"gonum.org/v1/plot/vg"
)

// fitLinear is fit as it was written first: one character less at a time from the whole name.
func fitLinear(s string, w vg.Length, pt float64) string {
	sty := style(pt)
	n := utf8.RuneCountInString(s)
	for n > 8 && sty.Width(txt(Elide(s, n))) > w {
		n--
	}
	return txt(Elide(s, n))
}

// fit's binary search gives the label the one-character-at-a-time search gives, on kernel names
// of every length up to a few hundred characters, unicode ones and labels that fit or never do;
// a name of half a million characters is elided too (the linear search measured it 500,000
// times: a report on such an export ran for hours).
func TestFitEqualsLinearSearch(t *testing.T) {
	base := "void at::native::elementwise_kernel<(int)128, (int)4, void at::native::gpu_kernel_impl_nocast<at::native::BinaryFunctor<c10::BFloat16, c10::BFloat16, c10::BFloat16, at::native::binary_internal::MulFunctor<float>>>(at::TensorIteratorBase &, const T1 &)::[lambda(int) (instance 1)]>(int, T3)"
	names := []string{"k", "gemm", "ａｂｃｄｅｆｇｈｉｊｋ漢字カーネル名前の長い例", strings.Repeat("w", 300), "x y  z\ttab"}
	for n := 1; n <= len(base); n += 7 {
		names = append(names, base[:n])
	}
	for _, s := range names {
		for _, w := range []vg.Length{0, 10, 60, 150, 400, 2000} {
			for _, pt := range []float64{7, 10} {
				if got, want := fit(s, w, pt), fitLinear(s, w, pt); got != want {
					t.Fatalf("fit(%q, %v, %v) = %q, the linear search gives %q", s, w, pt, got, want)
				}
			}
		}
	}
	huge := strings.Repeat("k", 500_000) + "_tail"
	got := fit(huge, 300, 10)
	if n := utf8.RuneCountInString(got); n < 8 || n > 200 || !strings.Contains(got, "…") || !strings.HasSuffix(got, "_tail") {
		t.Errorf("a 500,000-character name fits as %d characters: %.60q", n, got)
	}
}

// Two bars never share a label: names the fit cuts alike (long names that differ only in their
// middle) keep their whole text, other labels are fit as before; bottom to top.
func TestHBarLabelsApart(t *testing.T) {
	mid := func(x string) string { return strings.Repeat("k", 60) + x + strings.Repeat("z", 60) }
	tb := &table.Table{Columns: []table.Column{{Name: "Name"}, {Name: "Stage"}, {Name: "ms"}}}
	for _, n := range []string{mid("A"), mid("B"), "short", strings.Repeat("w", 200)} {
		tb.Rows = append(tb.Rows, []table.Value{table.Str(n), table.Str("s"), table.F64(1)})
	}
	got := hbarLabels(Chart{Kind: HBars, Data: tb})
	want := []string{fit(strings.Repeat("w", 200), hbarLabel, 8), "short", txt(mid("B")), txt(mid("A"))}
	if fit(mid("A"), hbarLabel, 8) != fit(mid("B"), hbarLabel, 8) {
		t.Fatal("the two names fit apart: the case tests nothing")
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("label %d = %.50q, want %.50q", i, got[i], want[i])
		}
	}
}
