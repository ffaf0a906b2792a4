package render

import (
	"fmt"
	"github.com/omnistat/omnistat/internal/text"
	"io"
	"unicode/utf8"
)

// Escaper is a writer that makes text safe for a terminal: every control character but newline
// and tab — C0 (ESC, BEL, CR, …), DEL and C1 (U+0080–U+009F, which some terminals obey as CSI)
// — and every byte that is not UTF-8 is written as a visible escape (\x1b, \u007f, \u009b,
// \xff), so a name inside a trace cannot move the cursor, retitle the window or hide text.
// Everything else passes unchanged, byte for byte. JSON output passes through it too: encoding/json
// has already escaped C0 and replaced bytes that are not UTF-8, and the escapes DEL and C1 get
// here (\u007f, \u0080…) are JSON's own, so the JSON stays valid and decodes to the names.
type Escaper struct {
	w       io.Writer
	pending []byte // an incomplete UTF-8 sequence at the end of the last Write
}

// NewEscaper returns an Escaper writing to w.
func NewEscaper(w io.Writer) *Escaper { return &Escaper{w: w} }

// Write escapes p; it reports len(p) written when w took everything.
func (e *Escaper) Write(p []byte) (int, error) {
	buf := append(e.pending, p...)
	e.pending = nil
	out := make([]byte, 0, len(buf)+16)
	for i := 0; i < len(buf); {
		c := buf[i]
		if c < utf8.RuneSelf {
			if c == 0x7f {
				out = append(out, `\u007f`...) // as C1 below: a JSON escape too
			} else if c < 0x20 && c != '\n' && c != '\t' {
				out = fmt.Appendf(out, `\x%02x`, c)
			} else {
				out = append(out, c)
			}
			i++
			continue
		}
		if !utf8.FullRune(buf[i:]) && len(buf)-i < utf8.UTFMax {
			e.pending = append([]byte(nil), buf[i:]...) // finish it with the next Write
			break
		}
		r, n := utf8.DecodeRune(buf[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			out = fmt.Appendf(out, `\x%02x`, c)
		case r >= 0x80 && r <= 0x9f:
			out = fmt.Appendf(out, `\u%04x`, r)
		default:
			out = append(out, buf[i:i+n]...)
		}
		i += n
	}
	if _, err := e.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes what an incomplete UTF-8 sequence left pending, escaped as bytes that are not UTF-8.
func (e *Escaper) Flush() error {
	var out []byte
	for _, c := range e.pending {
		out = fmt.Appendf(out, `\x%02x`, c)
	}
	e.pending = nil
	if len(out) == 0 {
		return nil
	}
	_, err := e.w.Write(out)
	return err
}

// EscapeString is s as an Escaper writes it.
func EscapeString(s string) string {
	var b bytesBuffer
	e := NewEscaper(&b)
	e.Write([]byte(s))
	e.Flush()
	return string(b)
}

type bytesBuffer []byte

func (b *bytesBuffer) Write(p []byte) (int, error) { *b = append(*b, p...); return len(p), nil }

// Printable is s as one line of text: see text.Printable (shared with the chart labels).
func Printable(s string) string { return text.Printable(s) }
