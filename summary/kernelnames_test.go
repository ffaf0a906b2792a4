package summary

import (
	"fmt"
	"slices"
	"strings"
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

// PyTorch's elementwise_kernel instances differ only in the functor nested inside their third
// argument (gpu_kernel_impl_nocast<…> in all): that functor names them, between two "…"; two
// instances alike down to a lambda's number are numbered, equal signatures named alike
// (signatures from testdata/traces/foreign_vllm_omni.sqlite, shortened where nothing depends on it).
func TestShortKernelNamesNested(t *testing.T) {
	const (
		pre  = "void at::native::elementwise_kernel<(int)128, (int)4, void at::native::gpu_kernel_impl_nocast<"
		post = ">(at::TensorIteratorBase &, const T1 &)::[lambda(int) (instance 1)]>(int, T3)"
		cp   = "at::native::direct_copy_kernel_cuda(at::TensorIteratorBase &)::[lambda() (instance 3)]::operator ()() const::[lambda() (instance %s)]"
	)
	names := []string{
		pre + strings.ReplaceAll(cp, "%s", "12") + post,
		pre + "at::native::BinaryFunctor<c10::BFloat16, c10::BFloat16, c10::BFloat16, at::native::binary_internal::MulFunctor<float>>" + post,
		pre + "at::native::CUDAFunctor_add<c10::BFloat16>" + post,
		pre + "at::native::CUDAFunctorOnSelf_add<c10::BFloat16>" + post,
		pre + strings.ReplaceAll(cp, "%s", "7") + post,
		pre + "at::native::CUDAFunctor_add<c10::BFloat16>" + post, // equal to [2]
		"void at::native::vectorized_elementwise_kernel<(int)8, at::native::CUDAFunctor_add<c10::BFloat16>, std::array<char *, (unsigned long)3>>(int, T2, T3)",
	}
	want := []string{
		"at::native::elementwise_kernel<…direct_copy_kernel_cuda…>",
		"at::native::elementwise_kernel<…BinaryFunctor…>",
		"at::native::elementwise_kernel<…CUDAFunctor_add…>",
		"at::native::elementwise_kernel<…CUDAFunctorOnSelf_add…>",
		"at::native::elementwise_kernel<…direct_copy_kernel_cuda…> #2",
		"at::native::elementwise_kernel<…CUDAFunctor_add…>",
		"at::native::vectorized_elementwise_kernel<…>",
	}
	if got := ShortKernelNames(names); !slices.Equal(got, want) {
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%d: %q, want %q", i, got[i], want[i])
			}
		}
	}
}

// Nested arguments are looked into level by level, and the instances whose heads are alike
// where others differ are told apart among themselves: by the argument inside (BinaryFunctor's
// MulFunctor and AddFunctor), or by a later argument when the differing one is equal for them.
func TestShortKernelNamesDeeper(t *testing.T) {
	for _, c := range []struct{ in, want []string }{
		{[]string{"void k<1, w<B<x, Mul<f>>>>(int)", "void k<1, w<B<x, Add<f>>>>(int)", "void k<1, w<C<x>>>(int)"},
			[]string{"k<…Mul…>", "k<…Add…>", "k<…C…>"}},
		{[]string{"void k<A, P>(int)", "void k<A, Q>(int)", "void k<B, P>(int)"},
			[]string{"k<…, P, …>", "k<…, Q, …>", "k<B, …>"}},
		{[]string{"void k<w<1>>(int)", "void k<w<2>>(int)"}, []string{"k<…1…>", "k<…2…>"}},
		// the same head and nothing inside to tell them apart: the head, then numbers
		{[]string{"void k<f(int)::{lambda #1}>(int)", "void k<f(int)::{lambda #2}>(int)"}, []string{"k<f, …>", "k<f, …> #2"}},
	} {
		if got := ShortKernelNames(c.in); !slices.Equal(got, c.want) {
			t.Errorf("ShortKernelNames(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestInnerArgs(t *testing.T) {
	for _, c := range []struct {
		arg  string
		want []string
	}{
		{"void at::native::gpu_kernel_impl_nocast<at::native::CUDAFunctor_add<float>>(T1 &)::[lambda(int)]", []string{"at::native::CUDAFunctor_add<float>"}},
		{"at::native::BinaryFunctor<float, float, Mul<float>>", []string{"float", "float", "Mul<float>"}},
		{"at::native::<unnamed>::f<int>(int)", []string{"int"}},
		{"direct_copy_kernel_cuda(at::TensorIteratorBase &)::[lambda() (instance 3)]", nil}, // a function, no template
		{"(int)4", nil},
		{"w<1", nil}, // never closed
	} {
		if got := innerArgs(c.arg); !slices.Equal(got, c.want) {
			t.Errorf("innerArgs(%q) = %q, want %q", c.arg, got, c.want)
		}
	}
}

// TestShortKernelNamesHostile: the names a tester gave kernels (renamed in a copy of
// tts_pinned): no short name is empty, blank or only " #N"; the kernel's own name stays (a
// return type and trailing qualifiers go, nothing before a tab or newline does); distinct
// signatures read apart; and the names do not depend on the list's order.
func TestShortKernelNamesHostile(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"void k<int>(float) const", "k<…>"},
		{"int k<int>(float) volatile &&", "k<…>"},
		{"void k", "k"},
		{"kernel ", "kernel"},
		{"a\nb", "a\nb"},
		{"tab\there", "tab\there"},
		{"x\tkern", "x\tkern"},
		{"foo\nkern", "foo\nkern"},
		{"void foo<int>(\n  int a)", "foo<…>"},
		{"", `""`},
		{" ", `" "`},
		{"\t", `"\t"`},
		{"const", "const"},
	} {
		if got := ShortKernelNames([]string{c.in})[0]; got != c.want {
			t.Errorf("ShortKernelNames(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	P := "void at::native::<unnamed>::some_very_long_kernel_template_name<T0, T1, T2"
	S := ">(at::cuda::detail::TensorInfo<T1, T3>, int, long)"
	lists := [][]string{
		{"void k<int>(float)", "void k<int>(double)", "int k<int>(float)", "void k<int>(float) const", "k", "void k", "void ns::k<int>(float)", "void ns2::k<int>(float)", "void k<(int)1>(float)", "void k<(int)2>(float)"},
		{"kernel", "kernel ", "kernel  ", " kernel", "kernel\u200b", "kernel\u00a0", "Kernel", "kernel|x"},
		{"", " ", "  ", "\t", "…", "<…>", "x"},
		{"foo\nkern", "bar\nkern", "kern", "x\tkern", "y\rkern", "a\nb", "b"},
		{P + ", (int)0, " + S, P + ", (int)1, " + S, P + ", (int)2, " + S, P + ", (int)3, " + S},
	}
	for _, names := range lists {
		got := ShortKernelNames(names)
		seen := map[string]string{}
		for i, g := range got {
			if strings.TrimSpace(g) == "" || strings.HasPrefix(strings.TrimSpace(g), "#") {
				t.Errorf("ShortKernelNames: %q reads %q", names[i], g)
			}
			if s, ok := seen[g]; ok && s != names[i] {
				t.Errorf("ShortKernelNames: %q names both %q and %q", g, s, names[i])
			}
			seen[g] = names[i]
		}
		rev := slices.Clone(names)
		slices.Reverse(rev)
		back := ShortKernelNames(rev)
		slices.Reverse(back)
		if !slices.Equal(got, back) {
			t.Errorf("ShortKernelNames depends on the order:\n  %q\n  %q", got, back)
		}
	}
	// instances of a template in an unnamed namespace are told apart by their argument
	got := ShortKernelNames(lists[4])
	for i, g := range got {
		if want := fmt.Sprintf("<…, (int)%d, …>", i); !strings.HasSuffix(g, want) {
			t.Errorf("%q: want the end %q", g, want)
		}
	}
}
