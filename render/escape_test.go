package render

import (
	"bytes"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestEscaper(t *testing.T) {
	for in, want := range map[string]string{
		"plain ascii\tand tab\n":                "plain ascii\tand tab\n",
		"stage0_talker":                         "stage0_talker",
		"evil\x1b]0;owned\x07name":              `evil\x1b]0;owned\x07name`,
		"cr\rover":                              `cr\x0dover`,
		"del\x7f":                               `del\u007f`,
		"csi\u009b31m":                          `csi\u009b31m`,
		"bad utf8 \xff\xfe":                     `bad utf8 \xff\xfe`,
		"kernel<…> µs 中文 ✓":                     "kernel<…> µs 中文 ✓",
		"truncated \xe4\xb8":                    `truncated \xe4\xb8`,
		"at::native::vectorized_elementwise<4>": "at::native::vectorized_elementwise<4>",
	} {
		if got := EscapeString(in); got != want {
			t.Errorf("EscapeString(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzEscaper: whatever is written, in whatever pieces, the output holds no control character but
// newline and tab, is valid UTF-8, and is the same as writing it at once; text without control
// characters passes unchanged.
func FuzzEscaper(f *testing.F) {
	for _, s := range []string{"a\x1bb", "中文", "\xe4\xb8\xad", "\u009b", "x\xff"} {
		f.Add(s, uint8(1))
	}
	f.Fuzz(func(t *testing.T, s string, cut uint8) {
		whole := EscapeString(s)
		var b bytes.Buffer
		e := NewEscaper(&b)
		k := int(cut) % (len(s) + 1)
		e.Write([]byte(s[:k]))
		e.Write([]byte(s[k:]))
		e.Flush()
		if b.String() != whole {
			t.Fatalf("%q in two writes at %d: %q, at once %q", s, k, b.String(), whole)
		}
		if !utf8.ValidString(whole) {
			t.Fatalf("%q → %q: not UTF-8", s, whole)
		}
		for _, r := range whole {
			if unicode.IsControl(r) && r != '\n' && r != '\t' {
				t.Fatalf("%q → %q keeps control %U", s, whole, r)
			}
		}
		clean := utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' })
		if clean && whole != s {
			t.Fatalf("clean %q changed to %q", s, whole)
		}
	})
}
