package summary

import (
	"slices"
	"testing"
)

// Mutation tests of kernelnames.go: the boundaries of ShortKernelNames' rules (its doc comment)
// and of the template-argument parsing.

// Exactly two instances of one template are told apart by their first argument, not numbered.
func TestShortKernelNamesTwoInstances(t *testing.T) {
	got := ShortKernelNames([]string{"void ns::k<Alpha>(int)", "void ns::k<Beta>(int)"})
	if want := []string{"ns::k<Alpha, …>", "ns::k<Beta, …>"}; !slices.Equal(got, want) {
		t.Errorf("%q, want %q", got, want)
	}
}

// Instances whose common arguments are all equal (one has an argument more) cannot be told
// apart by an argument: they are numbered in the order of their signatures, whatever the list
// order ("…k<A, B>…" sorts before "…k<A>…").
func TestShortKernelNamesPrefixArguments(t *testing.T) {
	got := ShortKernelNames([]string{"void ns::k<A>(int)", "void ns::k<A, B>(int)"})
	if want := []string{"ns::k<…> #2", "ns::k<…>"}; !slices.Equal(got, want) {
		t.Errorf("%q, want %q", got, want)
	}
	got = ShortKernelNames([]string{"void ns::k<A, B>(int)", "void ns::k<A>(int)"})
	if want := []string{"ns::k<…>", "ns::k<…> #2"}; !slices.Equal(got, want) {
		t.Errorf("reversed: %q, want %q", got, want)
	}
}

func TestTemplateArgsEdges(t *testing.T) {
	for _, c := range []struct {
		sig, name string
		want      []string
	}{
		{"k<A, B>(int)", "k", []string{"A", "B"}},                                      // the name at the start of the signature
		{"void k<A, B, C>(int)", "k", []string{"A", "B", "C"}},                         // each argument from just after its comma
		{"void k<f(int, int), x<y, z>>(int)", "k", []string{"f(int, int)", "x<y, z>"}}, // nested commas
		{"void k<A, B", "k", nil},                                                      // never closed
		{"void j<A>(int)", "k", nil},                                                   // not an instance of k
	} {
		if got := templateArgs(c.sig, c.name); !slices.Equal(got, c.want) {
			t.Errorf("templateArgs(%q, %q) = %q, want %q", c.sig, c.name, got, c.want)
		}
	}
}

// argHead drops a namespace and the argument's own arguments; an argument that starts with
// "(" (a cast, "(int)4") has no name before its arguments and stays whole, as does one that
// ends in "::" (nothing after the last namespace); a leading "::" is a namespace.
func TestArgHeadEdges(t *testing.T) {
	for in, want := range map[string]string{
		"(int)4":                         "(int)4",
		"::Functor":                      "Functor",
		"ns::":                           "ns::",
		"at::native::FillFunctor<float>": "FillFunctor",
		"a::b::c(int)":                   "c",
	} {
		if got := argHead(in); got != want {
			t.Errorf("argHead(%q) = %q, want %q", in, got, want)
		}
	}
}

// The top API is the one with the most time; between equal totals, the smaller name (the
// rule's tie-break), whatever order the map gives them in.
func TestTopAPITieSmallerName(t *testing.T) {
	s := newSynth()
	s.proc(10, "worker")
	s.call(10, "cudaStreamSynchronize", 1_000, 500)
	s.call(10, "cudaDeviceSynchronize", 2_000, 500)
	s.call(10, "cudaLaunchKernel", 3_000, 100)
	tr := s.done()
	for range 40 {
		name, total, calls, all := topAPI(tr)
		if name != "cudaDeviceSynchronize" || total != 500 || calls != 1 || all != 1_100 {
			t.Fatalf("topAPI = %q %d %d %d, want cudaDeviceSynchronize 500 1 1100", name, total, calls, all)
		}
	}
}
