package summary

import "testing"

func TestShortKernelName(t *testing.T) {
	for in, want := range map[string]string{
		"void at::native::reduce_kernel<(int)512, (int)1, at::native::ReduceOp<float>>(T3)": "at::native::reduce_kernel<…>",
		"std::enable_if<!T7, void>::type internal::gemvx::kernel<int, int, float>(T13)":     "internal::gemvx::kernel<…>",
		"gemv_f32": "gemv_f32",
		"sm80_xmma_gemm_f32f32_f32f32_f32_tn_n_tilesize64x256x8_stage3_warpsize1x4x1_ffma_aligna4_execute": "sm80_xmma_gemm_f32f32_f32f32_f32_tn_n_tilesize64x256x8_stage3_warpsize1x4x1_ffma_aligna4_execute",
	} {
		if got := ShortKernelName(in); got != want {
			t.Errorf("ShortKernelName(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzShortKernelName(f *testing.F) {
	for _, s := range []string{"void a::b<(int)1, c<d>>(T1 *, const T2 &)", "k", "((<<", ">>)) x", "std::enable_if<!T7, void>::type g::k<int>(T13)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkShortName(t, s, ShortKernelName(s))
	})
}
