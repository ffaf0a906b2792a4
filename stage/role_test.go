package stage

import "testing"

func TestRole(t *testing.T) {
	for title, want := range map[string]string{
		"diffusion-rank-0": "diffusion", "diffusion-rank-": "diffusion", "diffusion-rank-1": "diffusion",
		"diffusion_rank_3": "diffusion", "talker_rank2": "talker", "vocoder-TP0": "vocoder", "llm_DP1": "llm",
		"talker_replica_1": "talker", "talker[3]": "talker", "talker7": "talker", "decode_engine": "decode_engine",
		"vLLM-Omni::Diff": "diffusion", "vLLM-Omni::Talk": "talker", "short::Diff": "diff", "vLLM-Omni::Deco": "decode", "vLLM-Omni::Xyzw": "xyzw", "vLLM-Omni::DiffusionWorker_0": "diffusion", "StageEngineCore": "stageenginecore",
		"tts-talker": "tts-talker", "DiffusionWorker": "diffusion",
		"python3": "", "python3.11": "", "python": "", "pt_main_thread": "", "bash": "", "node": "", "java": "",
		"ray::IDLE": "", "": "", "rank0": "", "123": "",
		"./saxpy-mpi-cuda": "saxpy-mpi-cuda", "./build/src/clue/main": "", "/usr/bin/python3": "", "nsys-launcher": "", "mpirun": "", "MPI Rank 3": "",
	} {
		if got := Role(title); got != want {
			t.Errorf("Role(%q) = %q, want %q", title, got, want)
		}
	}
}

func TestKernelFamily(t *testing.T) {
	for name, want := range map[string]string{
		"sm80_xmma_gemm_f32f32_f32f32_f32_nn_n_tilesize32x128x8_stage3_warpsize1x2x1_ffma_aligna4_alignc4_execute_kernel__5x_cublas":                                                                                                                                              "gemm",
		"void cudnn::cnn::implicit_convolve_sgemm<float, float, 1024, 5, 5, 3, 3, 3, 1, false, false, true>(int, int, int, const T1 *, int, T2 *, const T1 *, kernel_conv_params, unsigned long long, int, float, float, int, const T2 *, const T2 *, bool, int, int)":            "conv",
		"void gemv2T_kernel_val<int, int, float, float, float, float, 128, 16, 4, 4, false, false, cublasGemvParamsEx<int, cublasGemvTensorStridedBatched<const float>, cublasGemvTensorStridedBatched<const float>, cublasGemvTensorStridedBatched<float>, float>>(T13, T6, T6)": "gemv",
		"void at::native::vectorized_elementwise_kernel<4, at::native::CUDAFunctor_add<float>, std::array<char *, 3>>(int, T2, T3)":                                                                                                                                               "elementwise",
		"void at::native::(anonymous namespace)::cunn_SoftMaxForward<4, float, float, float, at::native::(anonymous namespace)::SoftMaxForwardEpilogue>(T4 *, const T2 *, int)":                                                                                                   "softmax",
		"pytorch_flash::flash_fwd_kernel<Flash_fwd_kernel_traits<64, 128, 128, 4, false, false, cutlass::half_t>>":                                                                                                                                                                "attention",
		"argmax_f32": "reduce", "my_custom_kernel": "my", "nvjet_sm90_tst_64x8_64x16_2x4_h_bz_NNT": "gemm",
		"sm80_xmma_fprop_implicit_gemm_tf32f32_tf32f32_f32_nhwckrsc_nchw_tilesize64x32x64_stage5_warpsize2x2x1_g1_tensor16x8x8_alignc4_execute_kernel__5x_cudnn": "conv",
		"nchwToNhwcKernel": "conv",
	} {
		if got := KernelFamily(name); got != want {
			t.Errorf("KernelFamily(%.50q) = %q, want %q", name, got, want)
		}
	}
}

func TestFamily(t *testing.T) {
	if a, b := Family("execute_context_2(40)_generation_0(0)"), Family("execute_context_0(0)_generation_13(13)"); a != b || a != "execute_context_N(N)_generation_N(N)" {
		t.Errorf("%q %q", a, b)
	}
	for in, want := range map[string]string{"code2wav.decode_chunk": "code2wav.decode_chunk", "step 12": "step N", "layer_3.attn": "layer_N.attn",
		"stage0_talker": "stage0_talker", "fp16_gemm": "fp16_gemm", "12": "N", "a1b": "a1b", "req-7/tok-300": "req-N/tok-N"} {
		if got := Family(in); got != want {
			t.Errorf("Family(%q) = %q, want %q", in, got, want)
		}
	}
}
