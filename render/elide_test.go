package render

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// window takes a place past the name's body (the cells alike up to a " #N" suffix, or one
// ending where the others go on) as the body's end: it cuts, it does not index past the name.
func TestWindowPastTheBody(t *testing.T) {
	long := strings.Repeat("k", 30) + "_" + strings.Repeat("q", 30)
	for _, s := range []string{long + " #2", long} {
		for _, p := range []int{len([]rune(long)), len([]rune(long)) + 2, len([]rune(s)) + 5} {
			got := window(s, p, 40)
			if n := utf8.RuneCountInString(got); n > 40 || n == 0 {
				t.Errorf("window(%q, %d) = %q: %d characters", s, p, got, n)
			}
			if strings.HasSuffix(s, " #2") && !strings.HasSuffix(got, " #2") {
				t.Errorf("window(%q, %d) = %q lost its number", s, p, got)
			}
		}
	}
	cells := []string{long + " #2", long + " #3", long}
	out := elideApart(cells, 40)
	if out[0] == out[1] || out[1] == out[2] || out[0] == out[2] {
		t.Errorf("elideApart %q", out)
	}
}
