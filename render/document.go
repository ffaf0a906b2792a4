package render

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/summary"
)

// TextWidth is the width the text documents (summary, diff) keep to when the output is no
// terminal (Layout.Width 0).
const TextWidth = 120

// Layout is how wide the text documents are: Width columns (TextWidth when 0; the terminal's
// width on a terminal), name columns cut shorter first; Wide never cuts a name.
type Layout struct {
	Width int
	Wide  bool
}

func (l Layout) width() int {
	if l.Width <= 0 {
		return TextWidth
	}
	return max(l.Width, 40)
}

// document is how one format writes the parts the summary, diff and report documents are made
// of; each document is written once, through it (one format, one file: doc_text.go and
// doc_markdown.go).
type document interface {
	// heading writes a section heading.
	heading(title string)
	// summaryHeader writes the summary's first lines; filter, when not empty, is the filter
	// window the summary covers.
	summaryHeader(trace, product, gpus, stages, filter, window string, windows []string)
	// diffHeader writes the diff's first lines.
	diffHeader(base, new string)
	// table writes a table under a heading (no title of its own).
	table(t *table.Table) error
	// section writes a titled table and its notes; fit keeps text within TextWidth.
	section(t *table.Table, fit bool) error
	// findings writes a list of findings ("none" when empty).
	findings(fs []summary.Finding)
	// stageFindings writes the heading of a stage's findings.
	stageFindings(stage string)
	// item writes one list item (a verdict).
	item(s string)
	// change writes one finding of a comparison: its status, subject and message.
	change(status, finding, msg string)
	// fitKernelNames sees every kernel table the document will write (fit: within the width),
	// before it writes any: text cuts the kernel names of all of them to one width, the
	// narrowest one needs to fit, so that a kernel reads the same in each.
	fitKernelNames(tables []*table.Table, fit bool)
}

// reportMaxText is the characters the documents (text without --wide, markdown, report.md)
// cut text cells to; report.html and the charts cut kernel names to it too.
const reportMaxText = 40

// newDocument returns the document writer of format f (text for every format but markdown);
// names are the output's kernel names.
func newDocument(w io.Writer, f Format, l Layout, names *kernelNames) document {
	ro := Options{MemUnit: "MB", MaxText: reportMaxText, names: names}
	if f == Markdown {
		return markdownDoc{w, ro}
	}
	if l.Wide {
		ro.MaxText = -1
	}
	return textDoc{w, ro, l}
}

// kernelTable reports whether t is a table of kernels by name, whose names the text views
// shorten (shortNames) and clip in the middle (optionsFor).
func kernelTable(t *table.Table) bool {
	return t.Col("Name") >= 0 && (t.Name == "cuda_gpu_kern_sum" || t.Name == "cuda_gpu_kern_sum_diff")
}

// optionsFor is o for writing t in a document: a kernel table's names are clipped in the middle
// (Options.Elide), keeping what tells them apart (ShortKernelNames puts it at the end).
func optionsFor(t *table.Table, o Options) Options {
	o.Elide = kernelTable(t)
	return o
}

// shortNames is t with readable kernel names, names' (the text views only; JSON keeps full
// names).
func shortNames(t *table.Table, names *kernelNames) *table.Table {
	if !kernelTable(t) {
		return t
	}
	c := t.Col("Name")
	out := *t
	out.Rows = nil
	for _, r := range t.Rows {
		nr := append([]table.Value(nil), r...)
		nr[c] = table.Str(names.of(r[c].S))
		out.Rows = append(out.Rows, nr)
	}
	return &out
}

// shortKernelTables lists the kernel tables among each section's tables, with their short
// names, for fitKernelNames; none in a wide layout, whose tables keep whole names.
func shortKernelTables(l Layout, names *kernelNames, sections ...[]*table.Table) []*table.Table {
	if l.Wide {
		return nil
	}
	var out []*table.Table
	for _, ts := range sections {
		for _, t := range ts {
			if kernelTable(t) {
				out = append(out, shortNames(t, names))
			}
		}
	}
	return out
}

// widest is the width of the longest line of s, in runes.
func widest(s string) int {
	n := 0
	for _, l := range strings.Split(s, "\n") {
		n = max(n, utf8.RuneCountInString(l))
	}
	return n
}

// wrap breaks s into lines of at most width characters.
func wrap(s, first, rest string, width int) string {
	var b strings.Builder
	line := first
	for _, word := range strings.Fields(s) {
		if len([]rune(line))+len([]rune(word))+1 > width && strings.TrimSpace(line) != "" {
			b.WriteString(strings.TrimRight(line, " ") + "\n")
			line = rest
		}
		line += word + " "
	}
	b.WriteString(strings.TrimRight(line, " ") + "\n")
	return b.String()
}

func joinInts(xs []int64) string {
	var s []string
	for _, x := range xs {
		s = append(s, fmt.Sprint(x))
	}
	return strings.Join(s, ",")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
