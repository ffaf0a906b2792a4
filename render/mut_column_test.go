package render

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/omnistat/omnistat/reports/table"
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

// TestElide: the kernel names of the documents are cut in the middle (the tail, which tells
// instances apart, the larger half) and keep a " #N" suffix whole; below 3 characters beside
// the suffix the end is cut as clip does; text within max is kept.
func TestElide(t *testing.T) {
	for _, c := range []struct {
		s    string
		max  int
		want string
	}{
		{"at::native::elementwise_kernel<…CUDAFunctor_add…>", 40, "at::native::element…l<…CUDAFunctor_add…>"},
		{"at::native::elementwise_kernel<…direct_copy_kernel_cuda…> #2", 40, "at::native::elemen…copy_kernel_cuda…> #2"},
		{"at::native::elementwise_kernel<…> #12", 20, "at::nat…ernel<…> #12"},
		{"abcdefghij", 10, "abcdefghij"},
		{"abcdefghijk", 10, "abcd…ghijk"},
		{"abcdefgh #2", 6, "a…h #2"},
		{"abcdefgh #2", 5, "abcd…"}, // 2 characters beside " #2": the end is cut
		{"abcdefgh #", 5, "ab… #"},  // no number: no suffix
		{"abcdefg#12", 5, "ab…12"},  // no blank before "#": no suffix
		{" #2 #3", 4, " #2…"},       // " #3" leaves 1 character: the end is cut
		{"éééééééééé", 5, "éé…éé"},  // characters, not bytes
	} {
		if got := elide(c.s, c.max); got != c.want {
			t.Errorf("elide(%q, %d) = %q, want %q", c.s, c.max, got, c.want)
		}
		if n := utf8.RuneCountInString(elide(c.s, c.max)); n > c.max {
			t.Errorf("elide(%q, %d) is %d characters", c.s, c.max, n)
		}
	}
}

// TestDocumentElidesKernelNames: in the documents (text and markdown), the names of a kernel
// table are cut in the middle, other text (a range, a stage) at the end as before.
func TestDocumentElidesKernelNames(t *testing.T) {
	long := "at::native::elementwise_kernel<…direct_copy_kernel_cuda…> #2"
	for _, c := range []struct{ report, want string }{
		{"cuda_gpu_kern_sum", "at::native::elemen…copy_kernel_cuda…> #2"},
		{"nvtx_sum", "at::native::elementwise_kernel<…direct_…"},
	} {
		tb := &table.Table{Name: c.report, Title: "T", Columns: []table.Column{{Name: "Name"}, {Name: "Calls", Unit: table.Count}},
			Rows: [][]table.Value{{table.Str(long), table.I64(1)}}}
		for _, f := range []Format{Column, Markdown} {
			var b strings.Builder
			if err := newDocument(&b, f, Layout{}, nil).section(tb, true); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(b.String(), " "+c.want+" ") {
				t.Errorf("%s, %s:\n%s\nwant the name %q", c.report, f, b.String(), c.want)
			}
		}
	}
}

// TestElideApart: names that elide alike but differ in the middle show a window around where
// they first differ; equal names stay equal, names elide already tells apart are elided.
func TestElideApart(t *testing.T) {
	a := "sm90_xmma_fprop_implicit_gemm_f32f32_tf32f32_f32_nhwckrsc_nhwc_tilesize64x64x32_warpgroupsize1x1x1_g1_execute_kernel__5x_cudnn"
	b := strings.Replace(a, "tilesize64x64x32", "tilesize128x64x32", 1)
	c := "at::native::elementwise_kernel<…CUDAFunctor_add…>"
	got := elideApart([]string{a, b, a, c, "short"}, 40)
	want := []string{
		"sm90_xmma_fp…tilesize64x64x32_warpgroup…",
		"sm90_xmma_fp…tilesize128x64x32_warpgrou…",
		"sm90_xmma_fp…tilesize64x64x32_warpgroup…",
		"at::native::element…l<…CUDAFunctor_add…>",
		"short",
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%d: %q, want %q", i, got[i], want[i])
		}
	}
	// " #N" suffixes that tell them apart: elide is enough
	got = elideApart([]string{a + " #2", b + " #3"}, 40)
	if got[0] != "sm90_xmma_fprop_im…e_kernel__5x_cudnn #2" || got[1] != "sm90_xmma_fprop_im…e_kernel__5x_cudnn #3" {
		t.Errorf("with numbers: %q", got)
	}
}
