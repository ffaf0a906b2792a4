// Package text makes strings from trace text safe to print on one line, and puts thousands
// separators into numbers. It is shared by render (documents), plots (chart labels) and summary
// (findings), which must escape names and group digits the same way; it does nothing else.
package text

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Printable is s as one line of text: every control character, newline and tab included, and
// every byte that is not UTF-8 as a visible escape (\x0a, \x1b, \u009b). A process named
// "x\n[fake] finding" can then neither break a line nor forge one, and an SVG label stays XML.
func Printable(s string) string {
	if !strings.ContainsFunc(s, unicode.IsControl) && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unicode.IsControl(r) && r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unicode.IsControl(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// GroupDigits puts a comma between each group of three digits of digits (no sign, no fraction),
// counted from the right: "1234567" is "1,234,567".
func GroupDigits(digits string) string {
	if len(digits) <= 3 {
		return digits
	}
	var b strings.Builder
	b.Grow(len(digits) + len(digits)/3)
	for i := range len(digits) {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(digits[i])
	}
	return b.String()
}
