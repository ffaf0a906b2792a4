package render

import "testing"

// TestWithSeparatorsSigned: thousands separators go into the integer part of negative numbers as
// of positive ones, never between the sign and the first digit (expected values: Python's
// format(n, ",")).
func TestWithSeparatorsSigned(t *testing.T) {
	for in, want := range map[string]string{
		"-123":        "-123",
		"-1234":       "-1,234",
		"-123456":     "-123,456",
		"-1234567":    "-1,234,567",
		"-12345678":   "-12,345,678",
		"1234":        "1,234",
		"123456":      "123,456",
		"-1234.5":     "-1,234.5",
		"-123456.25":  "-123,456.25",
		"1234567.125": "1,234,567.125",
	} {
		if got := withSeparators(in); got != want {
			t.Errorf("withSeparators(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestWritesNotes: only markdown writes a table's notes with the table (as footnotes).
func TestWritesNotes(t *testing.T) {
	for _, f := range Formats {
		if got := f.WritesNotes(); got != (f == "markdown") {
			t.Errorf("%s: WritesNotes %v", f, got)
		}
	}
}
