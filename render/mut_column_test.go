package render

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestClip: clip shortens text to max characters (runes), the last one "…"; max 0 means maxCell
// (100, as nsys), a negative max never clips; text of exactly max characters is kept whole.
func TestClip(t *testing.T) {
	long := strings.Repeat("é", 150) // two bytes a character: counts runes, not bytes
	for _, c := range []struct {
		s    string
		max  int
		want string
	}{
		{long, 0, strings.Repeat("é", 99) + "…"},
		{long, -1, long},
		{long, 10, strings.Repeat("é", 9) + "…"},
		{long, 150, long},
		{long, 149, strings.Repeat("é", 148) + "…"},
		{long[:200], 0, long[:200]}, // 100 characters: kept
		{long[:202], 0, strings.Repeat("é", 99) + "…"},
		{"abc", 3, "abc"},
		{"abcd", 3, "ab…"},
		{"abc", 1, "…"},
	} {
		got := clip(c.s, c.max)
		if got != c.want {
			t.Errorf("clip(%d characters, %d) = %d characters %q, want %q", utf8.RuneCountInString(c.s), c.max, utf8.RuneCountInString(got), got, c.want)
		}
	}
}
