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

// Cuts that other kernels' names would fit too (a split_k gemm and a plain one, segment_k_on
// and segment_k_off, cut where neither's difference shows) show a piece around each place where
// they differ: on the xmma kernels of nsysai and foreign_warmup_tts every cut, at the documents'
// 40 characters and at 36, fits its own name and no other (its pieces between "…" in order), and
// keeps to the width. (Narrower, as on a narrow terminal, some stay alike but for a number.)
func TestElideApartFitsOneName(t *testing.T) {
	cells := []string{
		"sm80_xmma_gemm_f32f32_f32f32_f32_nn_n_tilesize32x32x8_stage3_warpsize1x2x1_ffma_aligna4_alignc4_execute_kernel__5x_cublas",
		"sm80_xmma_gemm_f32f32_f32f32_f32_tn_n_tilesize128x128x8_stage3_warpsize2x2x1_ffma_aligna4_alignc4_execute_kernel__5x_cublas",
		"sm80_xmma_gemm_f32f32_f32f32_f32_tn_n_tilesize128x128x8_stage3_warpsize2x2x1_ffma_aligna4_alignc4_execute_split_k_kernel__5x_cublas",
		"sm80_xmma_gemm_f32f32_f32f32_f32_tn_n_tilesize128x32x8_stage3_warpsize2x2x1_ffma_aligna4_alignc4_execute_kernel__5x_cublas",
		"sm80_xmma_gemm_f32f32_f32f32_f32_tn_n_tilesize32x32x8_stage3_warpsize1x2x1_ffma_aligna4_alignc4_execute_kernel__5x_cublas",
		"sm80_xmma_gemm_f32f32_f32f32_f32_tn_n_tilesize64x256x8_stage3_warpsize1x4x1_ffma_aligna4_alignc4_execute_kernel__5x_cublas",
		"sm80_xmma_gemm_f32f32_f32f32_f32_tn_n_tilesize64x256x8_stage3_warpsize1x4x1_ffma_aligna4_alignc4_execute_split_k_kernel__5x_cublas",
		"sm90_xmma_fprop_implicit_gemm_f32f32_tf32f32_f32_nhwckrsc_nhwc_tilesize128x128x32_warpgroupsize1x1x1_g1_execute_segment_k_off_kernel__5x_cudnn",
		"sm90_xmma_fprop_implicit_gemm_f32f32_tf32f32_f32_nhwckrsc_nhwc_tilesize128x32x32_warpgroupsize1x1x1_g1_execute_segment_k_off_kernel__5x_cudnn",
		"sm90_xmma_fprop_implicit_gemm_f32f32_tf32f32_f32_nhwckrsc_nhwc_tilesize128x64x32_warpgroupsize1x1x1_g1_execute_segment_k_off_kernel__5x_cudnn",
		"sm90_xmma_fprop_implicit_gemm_f32f32_tf32f32_f32_nhwckrsc_nhwc_tilesize64x128x32_warpgroupsize1x1x1_g1_execute_segment_k_off_kernel__5x_cudnn",
		"sm90_xmma_fprop_implicit_gemm_f32f32_tf32f32_f32_nhwckrsc_nhwc_tilesize64x32x32_warpgroupsize1x1x1_g1_execute_segment_k_off_kernel__5x_cudnn",
		"sm90_xmma_fprop_implicit_gemm_f32f32_tf32f32_f32_nhwckrsc_nhwc_tilesize64x64x32_warpgroupsize1x1x1_g1_execute_segment_k_off_kernel__5x_cudnn",
		"sm90_xmma_fprop_implicit_gemm_f32f32_tf32f32_f32_nhwckrsc_nhwc_tilesize64x64x32_warpgroupsize1x1x1_g1_execute_segment_k_on_kernel__5x_cudnn",
	}
	for _, n := range []int{40, 36} {
		out := elideApart(cells, n)
		for i, c := range out {
			if utf8.RuneCountInString(c) > n || !fits(c, cells[i]) {
				t.Errorf("width %d: %q is not a cut of %q", n, c, cells[i])
			}
			for j := range cells {
				if j != i && fits(c, cells[j]) {
					t.Errorf("width %d: %q fits %q and %q", n, c, cells[i], cells[j])
				}
			}
		}
	}
}
