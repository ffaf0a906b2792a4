package summary

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ShortKernelNames makes a list of kernel signatures readable and tells them apart: each gets
// its ShortKernelName; names whose short forms collide (instances of one template,
// "clover::par_ranged2d_kernel<…>" for ten different kernels) show the head of the first
// template argument that tells them apart ("clover::par_ranged2d_kernel<PdV_kernel, …>",
// "at::native::vectorized_elementwise_kernel<…, FillFunctor, …>" when it is not the first).
// When that argument has the same head in all of them (PyTorch's
// "elementwise_kernel<(int)128, (int)4, gpu_kernel_impl_nocast<…>>"), the first argument
// nested inside it whose head differs names them, between two "…":
// "at::native::elementwise_kernel<…CUDAFunctor_add…>" (tellApart). Those still alike are
// numbered in the order of their signatures (sorted, so not in list order: the smallest keeps
// the plain name, the next reads "… #2"), the last resort. A name that is empty or blank
// (nothing but spaces, tabs, newlines) reads as its signature quoted (`" "`). Equal signatures
// get equal names, distinct signatures distinct names, and none is empty. The names depend on
// which signatures the list holds: callers that show several tables name all the signatures
// of their output in one call (render's kernelNames).
func ShortKernelNames(names []string) []string {
	out := make([]string, len(names))
	by := map[string][]int{}
	for i, n := range names {
		out[i] = ShortKernelName(n)
		if strings.TrimSpace(out[i]) == "" {
			out[i] = strconv.Quote(n)
		}
		by[out[i]] = append(by[out[i]], i)
	}
	for short, idx := range by {
		if len(distinctOf(names, idx)) < 2 {
			continue
		}
		sigs := make([]string, len(idx))
		for j, i := range idx {
			sigs[j] = names[i]
		}
		for j, n := range withTemplateHeads(sigs, short) {
			out[idx[j]] = n
		}
	}
	for range 3 { // a number may make a name that another one has ("k #2"): number again
		by = map[string][]int{}
		for i := range names {
			by[out[i]] = append(by[out[i]], i)
		}
		again := false
		for _, idx := range by {
			sigs := distinctOf(names, idx)
			if len(sigs) < 2 {
				continue
			}
			again = true
			number := map[string]int{} // signature → its number among the alike, by signature
			for k, sig := range sigs {
				number[sig] = k + 1
			}
			for _, i := range idx {
				if n := number[names[i]]; n > 1 {
					out[i] = fmt.Sprintf("%s #%d", out[i], n)
				}
			}
		}
		if !again {
			break
		}
	}
	return out
}

// distinctOf are the distinct names[i] of idx, sorted.
func distinctOf(names []string, idx []int) []string {
	sigs := make([]string, len(idx))
	for j, i := range idx {
		sigs[j] = names[i]
	}
	slices.Sort(sigs)
	return slices.Compact(sigs)
}

// OutputKernelNames is one output's naming of kernels: ShortKernelNames over its signatures
// sorted and once each (sigs in any order, repeats allowed), as signature → short name, so the
// names do not hang on which rows a table shows or how it ranks them. The summary's findings and
// render's tables, charts and report name kernels by it.
func OutputKernelNames(sigs []string) map[string]string {
	sigs = slices.Clone(sigs)
	slices.Sort(sigs)
	sigs = slices.Compact(sigs)
	out := make(map[string]string, len(sigs))
	for i, n := range ShortKernelNames(sigs) {
		out[sigs[i]] = n
	}
	return out
}

// templateArgs are the top-level arguments of the template instance name<…> in sig, or nil.
func templateArgs(sig, name string) []string {
	at := strings.Index(sig, name+"<")
	if at < 0 {
		return nil
	}
	return argList(sig, at+len(name)+1)
}

// argList splits the bracketed list that starts at sig[from] (just after its "<") into its
// top-level arguments; nil when the list is never closed.
func argList(sig string, from int) []string {
	var args []string
	depth := 0
	for i := from; i < len(sig); i++ {
		switch sig[i] {
		case '<', '(', '[', '{':
			depth++
		case '>', ')', ']', '}':
			if depth == 0 {
				return append(args, strings.TrimSpace(sig[from:i]))
			}
			depth--
		case ',':
			if depth == 0 {
				args = append(args, strings.TrimSpace(sig[from:i]))
				from = i + 1
			}
		}
	}
	return nil
}

// innerArgs are the template arguments of a template argument's own head, or nil when it has
// none: "void at::native::gpu_kernel_impl_nocast<at::native::CUDAFunctor_add<float>>(…)::[lambda…]"
// → ["at::native::CUDAFunctor_add<float>"]; "direct_copy_kernel_cuda(…)::[lambda…]" → nil.
func innerArgs(arg string) []string {
	arg = strings.ReplaceAll(strings.ReplaceAll(arg, "(anonymous namespace)::", ""), "<unnamed>::", "")
	arg = strings.TrimPrefix(arg, "void ")
	if i := strings.IndexAny(arg, "(<"); i > 0 && arg[i] == '<' {
		return argList(arg, i+1)
	}
	return nil
}

// argHead is a template argument's name without its own arguments and namespaces:
// "PdV_kernel(bool, …)::{lambda…}" → "PdV_kernel", "at::native::FillFunctor<float>" → "FillFunctor".
func argHead(arg string) string {
	arg = strings.ReplaceAll(strings.ReplaceAll(arg, "(anonymous namespace)::", ""), "<unnamed>::", "")
	arg = strings.TrimPrefix(arg, "void ")
	if i := strings.IndexAny(arg, "(<"); i > 0 {
		arg = arg[:i]
	}
	if i := strings.LastIndex(arg, "::"); i >= 0 && i+2 < len(arg) {
		arg = arg[i+2:]
	}
	arg = strings.TrimSpace(arg)
	if r := []rune(arg); len(r) > 40 {
		arg = string(r[:40])
	}
	return arg
}

// withTemplateHeads names the instances of one template (sigs, all with short name short,
// "ns::kern<…>") by what tells them apart (tellApart): "ns::kern<PdV_kernel, …>",
// "ns::kern<…, FillFunctor, …>", "ns::kern<…CUDAFunctor_add…>"; an instance nothing tells apart
// keeps short.
func withTemplateHeads(sigs []string, short string) []string {
	out := make([]string, len(sigs))
	name := strings.TrimSuffix(short, "<…>")
	for i := range sigs {
		out[i] = short
	}
	// the template's own name: after the last "<…>" of an earlier part
	// ("at::native::<…>::kern" of "at::native::<unnamed>::kern<…>")
	own := name
	if i := strings.LastIndex(own, "<…>"); i >= 0 {
		own = own[i+len("<…>"):]
	}
	lists := make([][]string, len(sigs))
	for i, s := range sigs {
		lists[i] = templateArgs(s, own)
		if lists[i] == nil || !strings.HasSuffix(short, "<…>") || own == "" {
			return out
		}
	}
	for i, l := range tellApart(lists, false) {
		if l != "" {
			out[i] = name + "<" + l + ">"
		}
	}
	return out
}

// tellApart labels template argument lists (equal up to some argument) by the head of the first
// argument that differs among them (argHead): "PdV_kernel, …" when it is the first argument,
// "…, FillFunctor, …" when a later one. Lists whose heads there are alike are told apart among
// themselves the same way: when all the lists share that head, by the arguments inside it
// (recursively), labelled "…CUDAFunctor_add…" (nested somewhere inside the differing argument);
// otherwise by the first argument that differs among them. A list keeps its head's label when
// nothing more tells it apart, "" when nothing does at all (the caller numbers those).
func tellApart(lists [][]string, nested bool) []string {
	labels := make([]string, len(lists))
	k := 0
	for ; ; k++ {
		differ := false
		for i := range lists {
			if k >= len(lists[i]) {
				return labels
			}
			differ = differ || lists[i][k] != lists[0][k]
		}
		if differ {
			break
		}
	}
	heads := map[string][]int{}
	for i := range lists {
		h := argHead(lists[i][k])
		heads[h] = append(heads[h], i)
	}
	for h, idx := range heads {
		for _, i := range idx {
			labels[i] = label(h, k, nested)
		}
		if len(idx) < 2 {
			continue
		}
		sub, inside := make([][]string, len(idx)), nested
		for j, i := range idx {
			sub[j] = lists[i]
		}
		if len(idx) == len(lists) { // one head for all: what differs is inside it
			for j := range sub {
				if sub[j] = innerArgs(lists[idx[j]][k]); sub[j] == nil {
					return labels
				}
			}
			inside = true
		}
		for j, l := range tellApart(sub, inside) {
			if l != "" {
				labels[idx[j]] = l
			}
		}
	}
	return labels
}

// label is how tellApart names a list by head h of its argument k: "h, …" (the first
// argument), "…, h, …" (a later one), "…h…" (nested inside an argument); "" for no head.
func label(h string, k int, nested bool) string {
	switch {
	case h == "":
		return ""
	case nested:
		return "…" + h + "…"
	case k == 0:
		return h + ", …"
	}
	return "…, " + h + ", …"
}

// ShortKernelName makes a C++ kernel signature readable: "void ns::kern<(int)512, float>(T1)"
// becomes "ns::kern<…>"; plain names stay as they are. Of what is left outside brackets, the
// last word (words split at plain spaces only) is the name: a return type before it goes, and
// so do trailing qualifiers after it ("const", "volatile", "noexcept", "&", "&&", "override",
// "final"), so "void k<int>(float) const" is "k<…>". Tabs, newlines and other control or
// unusual blank characters split nothing ("a\nb" stays whole: the renderer escapes it). A name
// with nothing left (blank, or brackets only) stays as it is.
func ShortKernelName(name string) string {
	s := name
	if rest, ok := strings.CutPrefix(name, "void "); ok && strings.Trim(rest, " ") != "" {
		s = rest
	}
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch r {
		case '<', '(':
			if depth == 0 && r == '<' {
				b.WriteString("<…>")
			}
			depth++
			continue
		case '>', ')':
			if depth > 0 {
				depth--
				continue
			}
		}
		if depth == 0 {
			b.WriteRune(r)
		}
	}
	// what is left is "[return type] name [qualifiers]": keep the name
	var f []string
	for _, w := range strings.Split(b.String(), " ") {
		if w != "" {
			f = append(f, w)
		}
	}
	for len(f) > 1 && trailingQualifier[f[len(f)-1]] {
		f = f[:len(f)-1]
	}
	if len(f) == 0 {
		return name
	}
	return f[len(f)-1]
}

// trailingQualifier are the words that may follow a C++ function's parameter list.
var trailingQualifier = map[string]bool{"const": true, "volatile": true, "noexcept": true, "&": true, "&&": true, "override": true, "final": true}
