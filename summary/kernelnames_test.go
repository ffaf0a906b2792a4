package summary

import (
	"slices"
	"testing"
)

func TestShortKernelNamesTellApart(t *testing.T) {
	names := []string{
		"void clover::par_ranged2d_kernel<PdV_kernel(bool, int, double, clover::Buffer2D<double> &)::{lambda(int, int)#1}>(int, int, int, int, PdV_kernel(bool)::{lambda(int, int)#1})",
		"void clover::par_reduce_kernel<calc_dt_kernel(global_variables &, int)::{lambda(int, int)#1}>(int)",
		"void clover::par_ranged2d_kernel<advec_mom_kernel(int, int)::{lambda(int, int)#1}>(int, int)",
		"void clover::par_ranged2d_kernel<PdV_kernel(bool, int, double, clover::Buffer2D<double> &)::{lambda(int, int)#2}>(int)",
		"gemv_f32",
		"void at::native::vectorized_elementwise_kernel<(int)4, at::native::CUDAFunctor_add<float>, at::detail::Array<char *, 3>>(int, T2, T3)",
		"void at::native::vectorized_elementwise_kernel<(int)4, at::native::FillFunctor<float>, at::detail::Array<char *, 1>>(int, T2, T3)",
		"void clover::par_ranged2d_kernel<advec_mom_kernel(int, int)::{lambda(int, int)#1}>(int, int)", // equal to [2]
		"void at::native::vectorized_elementwise_kernel<(int)4, void at::native::<unnamed>::pow_tensor_scalar_kernel_impl<float, float>(at::TensorIteratorBase &, T2)::[lambda(float) (instance 1)], std::array<char *, (unsigned long)2>>(int, T2, T3)",
	}
	got := ShortKernelNames(names)
	want := []string{
		"clover::par_ranged2d_kernel<PdV_kernel, …>",
		"clover::par_reduce_kernel<…>",
		"clover::par_ranged2d_kernel<advec_mom_kernel, …>",
		"clover::par_ranged2d_kernel<PdV_kernel, …> #2",
		"gemv_f32",
		"at::native::vectorized_elementwise_kernel<…, CUDAFunctor_add, …>",
		"at::native::vectorized_elementwise_kernel<…, FillFunctor, …>",
		"clover::par_ranged2d_kernel<advec_mom_kernel, …>",
		"at::native::vectorized_elementwise_kernel<…, pow_tensor_scalar_kernel_impl, …>",
	}
	if !slices.Equal(got, want) {
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%d: %q, want %q", i, got[i], want[i])
			}
		}
	}
	// distinct signatures get distinct names
	seen := map[string]string{}
	for i, g := range got {
		if s, ok := seen[g]; ok && s != names[i] {
			t.Errorf("%q names two signatures", g)
		}
		seen[g] = names[i]
	}
}
