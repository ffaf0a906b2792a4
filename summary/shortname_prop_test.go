package summary

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// checkShortName holds ShortKernelName's contract against its input s, for FuzzShortKernelName:
// the result is s itself when nothing but brackets and spaces is left, otherwise one word (the
// last space-separated one but trailing qualifiers; only plain spaces separate words) of s with every outermost <…> template list collapsed to "<…>" and
// every (…) parameter list dropped: so it is never empty for a non-empty s, holds no space, grows
// s by at most 4 bytes per '<' of s (the "<…>" mark for one '<') and 2 per byte that is not
// UTF-8, reads as a subsequence of s once the marks are taken out, and is a fixed point
// (shortening it again changes nothing).
func checkShortName(t *testing.T, s, out string) {
	t.Helper()
	if s != "" && out == "" {
		t.Fatalf("ShortKernelName(%q) is empty", s)
	}
	// a byte that is not UTF-8 comes out as U+FFFD (3 bytes), as Go's range over a string reads it
	max := len(s) + (len("<…>")-1)*strings.Count(s, "<")
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			max += 2
		}
		i += n
	}
	if len(out) > max {
		t.Fatalf("ShortKernelName(%q) = %q: %d bytes, at most %d", s, out, len(out), max)
	}
	if again := ShortKernelName(out); again != out {
		t.Fatalf("ShortKernelName(%q) = %q, shortened again %q", s, out, again)
	}
	if out == s {
		return
	}
	if strings.Contains(out, " ") {
		t.Fatalf("ShortKernelName(%q) = %q holds a space", s, out)
	}
	if strings.Count(out, "<…>") > strings.Count(s, "<") {
		t.Fatalf("ShortKernelName(%q) = %q: more marks than '<'", s, out)
	}
	rest := []rune(strings.ReplaceAll(out, "<…>", ""))
	src := []rune(s)
	i := 0
	for _, r := range rest {
		for i < len(src) && src[i] != r {
			i++
		}
		if i == len(src) {
			t.Fatalf("ShortKernelName(%q) = %q: %q is no subsequence of the input", s, out, string(rest))
		}
		i++
	}
	if strings.ContainsAny(strings.ReplaceAll(out, "<…>", ""), "<(") {
		t.Fatalf("ShortKernelName(%q) = %q keeps an opening bracket", s, out)
	}
	if utf8.ValidString(s) && !utf8.ValidString(out) {
		t.Fatalf("ShortKernelName(%q) = %q: not UTF-8", s, out)
	}
}

// TestShortKernelNameShapes: names built from parts (return type, namespaces, nested template
// lists, parameter lists) shorten to the namespaced name with "<…>" per outer template list,
// computed from the parts, not by the function.
func TestShortKernelNameShapes(t *testing.T) {
	rets := []string{"", "void ", "std::enable_if<!T7, void>::type "}
	names := []string{"k", "a::b::kernel", "at::native::reduce_kernel"}
	tmpls := []string{"", "<int>", "<(int)512, Op<float, (bool)1>>", "<a<b<c>>>"}
	params := []string{"", "()", "(T1)", "(const T2 &, T3 *(*)(int))"}
	for _, r := range rets {
		for _, n := range names {
			for _, tl := range tmpls {
				for _, p := range params {
					in := r + n + tl + p
					want := n
					if tl != "" {
						want += "<…>"
					}
					if got := ShortKernelName(in); got != want {
						t.Errorf("ShortKernelName(%q) = %q, want %q", in, got, want)
					}
					checkShortName(t, in, ShortKernelName(in))
				}
			}
		}
	}
}
