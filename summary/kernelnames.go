package summary

import (
	"fmt"
	"strings"
)

// ShortKernelNames makes a list of kernel signatures readable and tells them apart: each gets
// its ShortKernelName; names whose short forms collide (instances of one template,
// "clover::par_ranged2d_kernel<…>" for ten different kernels) show the head of the first
// template argument that tells them apart ("clover::par_ranged2d_kernel<PdV_kernel, …>"), and
// those still alike are numbered in list order ("… #2"). Equal signatures get equal names.
func ShortKernelNames(names []string) []string {
	out := make([]string, len(names))
	distinct := func(idx []int) map[string]bool {
		m := map[string]bool{}
		for _, i := range idx {
			m[names[i]] = true
		}
		return m
	}
	by := map[string][]int{}
	for i, n := range names {
		out[i] = ShortKernelName(n)
		by[out[i]] = append(by[out[i]], i)
	}
	for short, idx := range by {
		if len(distinct(idx)) < 2 {
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
	by = map[string][]int{}
	for i := range names {
		by[out[i]] = append(by[out[i]], i)
	}
	for _, idx := range by {
		if len(distinct(idx)) < 2 {
			continue
		}
		number := map[string]int{} // signature → its number among the alike
		for _, i := range idx {
			if _, ok := number[names[i]]; !ok {
				number[names[i]] = len(number) + 1
			}
			if n := number[names[i]]; n > 1 {
				out[i] = fmt.Sprintf("%s #%d", out[i], n)
			}
		}
	}
	return out
}

// templateArgs are the top-level arguments of the template instance name<…> in sig, or nil.
func templateArgs(sig, name string) []string {
	at := strings.Index(sig, name+"<")
	if at < 0 {
		return nil
	}
	var args []string
	depth, from := 0, at+len(name)+1
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
// "ns::kern<…>") by the head of the first template argument that differs among them:
// "ns::kern<PdV_kernel, …>", or "ns::kern<…, FillFunctor, …>" when it is not the first.
func withTemplateHeads(sigs []string, short string) []string {
	out := make([]string, len(sigs))
	name := strings.TrimSuffix(short, "<…>")
	args := make([][]string, len(sigs))
	for i, s := range sigs {
		out[i] = short
		args[i] = templateArgs(s, name)
		if args[i] == nil || !strings.HasSuffix(short, "<…>") {
			return out
		}
	}
	for k := 0; ; k++ {
		differ := false
		for i := range args {
			if k >= len(args[i]) {
				return out
			}
			differ = differ || args[i][k] != args[0][k]
		}
		if !differ {
			continue
		}
		for i := range sigs {
			lead := ""
			if k > 0 {
				lead = "…, "
			}
			if h := argHead(args[i][k]); h != "" {
				out[i] = name + "<" + lead + h + ", …>"
			}
		}
		return out
	}
}
