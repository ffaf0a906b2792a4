package safefs

import (
	"fmt"
	"math/rand"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// slugRE is the allowed form, written independently of Slug's code.
var slugRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

func TestSlugTable(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"report", "report"},
		{"stage0_talker", "stage0_talker"},
		{"Stage.1-a", "Stage.1-a"},
		{"../../x/evil", "x_evil"},
		{"./tts_like", "tts_like"},
		{"/etc/passwd", "etc_passwd"},
		{"a\x00b\nc\td", "a_b_c_d"},
		{"a b   c", "a_b_c"},
		{"a__b", "a_b"},
		{"a?_?b", "a_b"},
		{"-rf", "rf"},
		{"_private", "private"},
		{"file.", "file"},
		{"talker名", "talker"},
		{"a\xffb", "a_b"},
		{"python3 -m vllm.entrypoints", "python3_-m_vllm.entrypoints"},
		{"", "unnamed"},
	} {
		if got := Slug(c.in); got != c.want {
			t.Errorf("Slug(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSlugNothingUsable(t *testing.T) {
	seen := map[string]string{}
	for _, in := range []string{".", "..", "...", "/", "//", "名字", "声码器", "\x00", "_-."} {
		got := Slug(in)
		if !regexp.MustCompile(`^unnamed-[0-9a-f]{8}$`).MatchString(got) {
			t.Errorf("Slug(%q) = %q, want unnamed-<8 hex>", in, got)
		}
		if prev, ok := seen[got]; ok {
			t.Errorf("Slug(%q) = Slug(%q) = %q", in, prev, got)
		}
		seen[got] = in
	}
}

func TestSlugLength(t *testing.T) {
	exact := strings.Repeat("a", 80)
	if got := Slug(exact); got != exact {
		t.Errorf("80-byte slug changed: %q", got)
	}
	long := strings.Repeat("a", 81)
	got := Slug(long)
	if len(got) != 80 || !strings.HasPrefix(got, strings.Repeat("a", 71)+"-") {
		t.Errorf("Slug(81 a) = %q (%d bytes), want 71 a, '-', 8 hex", got, len(got))
	}
	// The cut drops a trailing separator before the hash.
	got = Slug(strings.Repeat("a", 70) + "_b" + strings.Repeat("c", 20))
	if !strings.HasPrefix(got, strings.Repeat("a", 70)+"-") || len(got) != 79 {
		t.Errorf("cut at a '_': %q", got)
	}
	// Multi-byte text is replaced before the cut, so the cut never splits a rune.
	got = Slug(strings.Repeat("é", 100) + strings.Repeat("b", 100))
	if !slugRE.MatchString(got) || len(got) > MaxSlug {
		t.Errorf("Slug of multi-byte text = %q", got)
	}
	a := Slug(strings.Repeat("x", 100) + "talker")
	b := Slug(strings.Repeat("x", 100) + "vocoder")
	c := Slug(strings.Repeat("x", 100) + "vocoder?")
	if a == b || b == c || a == c {
		t.Errorf("long names differing after the cut collide: %q %q %q", a, b, c)
	}
}

// checkSlug asserts the properties every slug has, against independent expectations.
func checkSlug(t *testing.T, in string) string {
	t.Helper()
	got := Slug(in)
	if !slugRE.MatchString(got) {
		t.Fatalf("Slug(%q) = %q: outside [A-Za-z0-9._-] or leading separator", in, got)
	}
	if len(got) > MaxSlug {
		t.Fatalf("Slug(%q) = %q: %d bytes > %d", in, got, len(got), MaxSlug)
	}
	if got == "." || got == ".." || strings.Contains(got, "__") || strings.HasSuffix(got, ".") {
		t.Fatalf("Slug(%q) = %q", in, got)
	}
	if again := Slug(got); again != got {
		t.Fatalf("not idempotent: Slug(%q) = %q, Slug(that) = %q", in, got, again)
	}
	if !IsSlug(got) {
		t.Fatalf("IsSlug(%q) = false", got)
	}
	return got
}

func TestSlugProperties(t *testing.T) {
	alphabet := []string{"a", "Z", "0", ".", "_", "-", "/", "\\", " ", "\x00", "\n", "é", "名", "\xff", ":", "*"}
	rng := rand.New(rand.NewSource(1))
	for range 20000 {
		var b strings.Builder
		for range rng.Intn(120) {
			b.WriteString(alphabet[rng.Intn(len(alphabet))])
		}
		checkSlug(t, b.String())
	}
	// A safe short name is left as it is.
	for range 2000 {
		var b strings.Builder
		b.WriteByte("abcXYZ019"[rng.Intn(9)])
		for range rng.Intn(60) {
			b.WriteByte("abXY09.-"[rng.Intn(8)])
		}
		s := strings.TrimRight(b.String(), ".")
		if got := Slug(s); got != s {
			t.Fatalf("Slug(%q) = %q, want it unchanged", s, got)
		}
	}
}

func FuzzSlug(f *testing.F) {
	for _, s := range []string{"", "report", "../../x/evil", "./tts_like", "a\x00b", "名字", strings.Repeat("ab/", 40), "..", "-", "x\xff"} {
		f.Add(s)
	}
	pad := strings.Repeat("p", MaxSlug+5)
	f.Fuzz(func(t *testing.T, s string) {
		checkSlug(t, s)
		a, b := pad+s, pad+s+"!"
		sa, sb := checkSlug(t, a), checkSlug(t, b)
		if sa == sb {
			t.Fatalf("inputs differing after the cut collide: Slug(%q) = Slug(%q) = %q", a, b, sa)
		}
	})
}

func TestNamer(t *testing.T) {
	var n Namer
	n.Reserve("report.md")
	steps := []struct{ label, want string }{
		{"x", "x"},
		{"x ", "x-2"},    // same slug: numbered
		{"x-2", "x-2-2"}, // its own slug is taken by the line above
		{"X", "X-3"},     // names are compared without case
		{"x", "x"},       // asked again: the same name
		{"x ", "x-2"},    // likewise
		{"../../x", "x-4"},
		{"report.md", "report.md-2"}, // reserved
		{"talker", "talker"},
	}
	for _, s := range steps {
		if got := n.Name(s.label); got != s.want {
			t.Errorf("Name(%q) = %q, want %q", s.label, got, s.want)
		}
	}
	// Another Namer given the same calls hands out the same names.
	var m Namer
	m.Reserve("report.md")
	for _, s := range steps {
		if got := m.Name(s.label); got != s.want {
			t.Errorf("second Namer: Name(%q) = %q, want %q", s.label, got, s.want)
		}
	}
}

// TestNamerFresh: Fresh never hands out a name twice, for one label asked again or for a label
// Name named before, and Name does not hand out a name Fresh took.
func TestNamerFresh(t *testing.T) {
	var n Namer
	for _, s := range []struct{ label, want string }{
		{"run", "run"},
		{"run", "run-2"}, // the same label again: a new name
		{"run", "run-3"},
		{"Run", "Run-4"}, // without case
	} {
		if got := n.Fresh(s.label); got != s.want {
			t.Errorf("Fresh(%q) = %q, want %q", s.label, got, s.want)
		}
	}
	if got := n.Name("run"); got != "run-5" {
		t.Errorf("Name after Fresh = %q, want run-5", got)
	}
	if got := n.Fresh("run"); got != "run-6" {
		t.Errorf("Fresh after Name = %q, want run-6", got)
	}
	if got := n.Name("run"); got != "run-5" {
		t.Errorf("Name asked again = %q, want run-5", got)
	}
}

func TestNamerLong(t *testing.T) {
	var n Namer
	long := strings.Repeat("L", 200)
	n.Reserve(Slug(long))
	got := n.Name(long)
	if len(got) > MaxSlug || !IsSlug(got) || !strings.HasSuffix(got, "-2") || got == Slug(long) {
		t.Errorf("Name(long) = %q (%d bytes)", got, len(got))
	}
	if again := n.Name(long + "?"); again == got || len(again) > MaxSlug || !IsSlug(again) {
		t.Errorf("Name(long+?) = %q after %q", again, got)
	}
}

func TestNamerConcurrent(t *testing.T) {
	var n Namer
	var wg sync.WaitGroup
	names := make([][]string, 8)
	for g := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				names[g] = append(names[g], n.Name(fmt.Sprintf("stage %d/%d", g, i%50)))
			}
		}()
	}
	wg.Wait()
	byName := map[string]string{}
	for g := range names {
		for i, name := range names[g] {
			label := fmt.Sprintf("stage %d/%d", g, i%50)
			if prev, ok := byName[name]; ok && prev != label {
				t.Fatalf("%q handed out for %q and %q", name, prev, label)
			}
			byName[name] = label
			if !IsSlug(name) {
				t.Fatalf("%q is not a slug", name)
			}
		}
	}
	if len(byName) != 8*50 {
		t.Errorf("%d names for 400 labels", len(byName))
	}
}
