package text

import (
	"strings"
	"testing"
)

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"plain":          "plain",
		"a\nb\tc":        `a\x0ab\x09c`,
		"evil\x1b]0;x\a": `evil\x1b]0;x\x07`,
		"csi\u009b":      `csi\u009b`,
		"bad\xff":        `bad\xff`,
		"中文 µs":          "中文 µs",
	} {
		if got := Printable(in); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
}

// GroupDigits: without its commas it is the digits again, its first group holds 1–3 digits and
// every other group 3, for every length from 0 to 19.
func TestGroupDigits(t *testing.T) {
	digits := "9223372036854775807"
	for n := 0; n <= len(digits); n++ {
		in := digits[:n]
		got := GroupDigits(in)
		if strings.ReplaceAll(got, ",", "") != in {
			t.Fatalf("GroupDigits(%q) = %q: other digits", in, got)
		}
		groups := strings.Split(got, ",")
		for i, g := range groups {
			if (i == 0 && n > 0 && (len(g) < 1 || len(g) > 3)) || (i > 0 && len(g) != 3) {
				t.Fatalf("GroupDigits(%q) = %q: group %d is %q", in, got, i, g)
			}
		}
	}
	if got := GroupDigits("1234567"); got != "1,234,567" {
		t.Errorf("GroupDigits(1234567) = %q", got)
	}
}
