// Package text makes strings from trace text safe to print on one line. It is shared by render
// (documents) and plots (chart labels), which must escape names the same way; it does nothing else.
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
