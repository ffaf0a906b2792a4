package render

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/summary"
)

// TextWidth is the width the text documents (summary, diff) keep to.
const TextWidth = 120

// Summary writes s as text or markdown; afterFindings, when not nil, writes more (the
// report's charts) after the whole-trace findings.
func Summary(w io.Writer, s *summary.Summary, f Format, afterFindings func(io.Writer) error) error {
	ro := Options{MemUnit: "MB", MaxText: 40}
	md := f == Markdown
	head := func(level int, title string) {
		if md {
			fmt.Fprintf(w, "\n%s %s\n\n", strings.Repeat("#", level), title)
		} else {
			fmt.Fprintf(w, "\n ** %s\n\n", title)
		}
	}
	gpus := strings.Join(s.GPUModels, ", ")
	nst := fmt.Sprintf("%d stages", len(s.Stages))
	if len(s.Stages) == 1 {
		nst = "1 stage"
	}
	window := fmt.Sprintf("events of the stages span %.1f ms; GPU processes: %s", float64(s.WindowNs)/1e6, orDash(strings.Join(s.Processes, ", ")))
	if md {
		fmt.Fprintf(w, "# omnistat summary: %s\n\nnsys %s; GPUs: %s; %s.\n\n%s.\n", s.Trace, s.Product, orDash(gpus), nst, window)
	} else {
		fmt.Fprint(w, wrap(fmt.Sprintf("omnistat summary: %s (nsys %s; GPUs: %s; %s)", s.Trace, s.Product, orDash(gpus), nst), "", "  "))
		fmt.Fprint(w, wrap(window+".", "", "  "))
	}
	head(2, "Stage overview")
	if err := writeTable(w, f, s.Overview, ro); err != nil {
		return err
	}
	head(2, "Findings")
	writeFindings(w, s.Findings, md)
	if afterFindings != nil {
		if err := afterFindings(w); err != nil {
			return err
		}
	}
	for _, st := range s.Stages {
		head(2, fmt.Sprintf("Stage %s (PIDs %s, found by %s)", st.Stage, joinInts(st.PIDs), st.Source))
		for _, t := range st.Tables {
			if len(t.Rows) == 0 {
				continue
			}
			t = shortNames(t)
			if md {
				if err := WriteMarkdown(w, t, ro); err != nil {
					return err
				}
				fmt.Fprintln(w)
				continue
			}
			if err := writeSection(w, t, ro, true); err != nil {
				return err
			}
		}
		if md {
			fmt.Fprintf(w, "#### %s: findings\n\n", st.Stage)
		} else {
			fmt.Fprintf(w, " %s: findings\n\n", st.Stage)
		}
		writeFindings(w, st.Findings, md)
	}
	return nil
}

// writeSection writes a titled table as text: its title, its columns (within TextWidth when fit)
// and its notes ("3 more rows: …").
func writeSection(w io.Writer, t *table.Table, ro Options, fit bool) error {
	fmt.Fprintf(w, " %s\n\n", t.Title)
	var err error
	if fit {
		err = writeTable(w, Column, t, ro)
	} else {
		err = WriteColumn(w, t, ro)
	}
	if err != nil {
		return err
	}
	for _, n := range t.Notes {
		fmt.Fprintf(w, "   (%s)\n", n)
	}
	_, err = fmt.Fprintln(w)
	return err
}

// shortNames is t with readable kernel names (the text views only; JSON keeps full names).
func shortNames(t *table.Table) *table.Table {
	c := t.Col("Name")
	if c < 0 || (t.Name != "cuda_gpu_kern_sum" && t.Name != "cuda_gpu_kern_sum_diff") {
		return t
	}
	out := *t
	out.Rows = nil
	for _, r := range t.Rows {
		nr := append([]table.Value(nil), r...)
		nr[c] = table.Str(summary.ShortKernelName(r[c].S))
		out.Rows = append(out.Rows, nr)
	}
	return &out
}

func writeTable(w io.Writer, f Format, t *table.Table, o Options) error {
	if f == Markdown {
		t2 := *t
		return writeMarkdownBody(w, &t2, o)
	}
	// text keeps within TextWidth: long names (thread sections, kernels) are cut shorter until it does
	var b strings.Builder
	for {
		b.Reset()
		if err := WriteColumn(&b, t, o); err != nil {
			return err
		}
		if o.MaxText <= 16 || widest(b.String()) <= TextWidth {
			break
		}
		o.MaxText -= 4
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// widest is the width of the longest line of s, in runes.
func widest(s string) int {
	n := 0
	for _, l := range strings.Split(s, "\n") {
		n = max(n, utf8.RuneCountInString(l))
	}
	return n
}

// writeMarkdownBody writes a markdown table without its heading (the caller wrote one).
func writeMarkdownBody(w io.Writer, t *table.Table, o Options) error {
	var b strings.Builder
	if err := WriteMarkdown(&b, t, o); err != nil {
		return err
	}
	_, body, _ := strings.Cut(b.String(), "\n\n")
	_, err := io.WriteString(w, body)
	return err
}

func writeFindings(w io.Writer, fs []summary.Finding, md bool) {
	if len(fs) == 0 {
		fmt.Fprintln(w, "   none")
		return
	}
	for _, f := range fs {
		if md {
			fmt.Fprintf(w, "- **%s** (%s): %s. *Try:* %s.\n", f.ID, f.Scope, f.Message, f.Advice)
			continue
		}
		fmt.Fprint(w, wrap(fmt.Sprintf("[%s] %s.", f.ID, f.Message), "   - ", "     "))
		fmt.Fprint(w, wrap("try: "+f.Advice+".", "     ", "     "))
	}
	fmt.Fprintln(w)
}

// wrap breaks s into lines of at most TextWidth characters.
func wrap(s, first, rest string) string {
	var b strings.Builder
	line := first
	for _, word := range strings.Fields(s) {
		if len([]rune(line))+len([]rune(word))+1 > TextWidth && strings.TrimSpace(line) != "" {
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
