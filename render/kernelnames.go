package render

import (
	"slices"

	"github.com/omnistat/omnistat/summary"
)

// kernelNames are one output's names of kernels (a summary with its charts and report, or both
// sides of a diff): short names made once over every kernel signature of the output
// (summary.ShortKernelNames on the sorted signatures), so that one kernel reads the same in
// every table and chart whatever --top shows or how a table ranks it, and two kernels never
// read alike; and their cut forms at each width (cut), made once over all the short names.
type kernelNames struct {
	short map[string]string         // signature → short name
	shown []string                  // every short name as a cell shows it (Printable), sorted
	cuts  map[int]map[string]string // width → shown name → cut name
	// max is the one width the text documents cut kernel names to in every kernel table of
	// the output (the narrowest any table needs to fit), 0 until fitKernelNames sets it.
	max int
}

// newKernelNames names the kernels of sigs (any order, repeats allowed): summary's
// OutputKernelNames.
func newKernelNames(sigs []string) *kernelNames {
	k := &kernelNames{short: summary.OutputKernelNames(sigs), cuts: map[int]map[string]string{}}
	for _, s := range k.short {
		k.shown = append(k.shown, Printable(s))
	}
	slices.Sort(k.shown)
	return k
}

// message is f's message with the kernels it lists named as the output's tables show them (cut
// to reportMaxText); Message itself for a nil k (no naming: --wide, a plain list).
func (k *kernelNames) message(f *summary.Finding) string {
	if k == nil {
		return f.Message
	}
	return f.NamedMessage(func(sig string) string { return k.cut(Printable(k.of(sig)), reportMaxText) })
}

// of is sig's short name (a signature the output did not list gets one of its own).
func (k *kernelNames) of(sig string) string {
	if s, ok := k.short[sig]; ok {
		return s
	}
	return summary.ShortKernelNames([]string{sig})[0]
}

// cut is shown (a short name as a cell shows it) cut to max characters, apart from every other
// kernel of the output cut to max (elideApart over all of them).
func (k *kernelNames) cut(shown string, max int) string {
	m := k.cuts[max]
	if m == nil {
		m = map[string]string{}
		for i, c := range elideApart(k.shown, max) {
			m[k.shown[i]] = c
		}
		k.cuts[max] = m
	}
	if c, ok := m[shown]; ok {
		return c
	}
	return elide(shown, max)
}

// findingMessage is f's message as a document with options o shows it: the kernels it lists
// cut as the document's kernel tables cut them, whole with --wide (MaxText < 0).
func findingMessage(o Options, f *summary.Finding) string {
	if o.MaxText < 0 {
		return f.Message
	}
	return o.names.message(f)
}
