package text

import "testing"

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
