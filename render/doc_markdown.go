package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/summary"
)

// markdownDoc writes documents as GitHub markdown: # headings, pipe tables, bullet findings.
type markdownDoc struct {
	w  io.Writer
	ro Options
}

func (d markdownDoc) fitKernelNames([]*table.Table, bool) {}

func (d markdownDoc) heading(title string) { fmt.Fprintf(d.w, "\n## %s\n\n", Printable(title)) }

func (d markdownDoc) summaryHeader(trace, product, gpus, stages, filter, window string, windows []string) {
	p := Printable
	fmt.Fprintf(d.w, "# omnistat summary: %s\n\nnsys %s; GPUs: %s; %s.\n\n", p(trace), p(product), p(gpus), p(stages))
	if filter != "" {
		fmt.Fprintf(d.w, "window: %s.\n\n", p(filter))
	}
	fmt.Fprintf(d.w, "%s.\n", p(window))
	if len(windows) > 0 {
		fmt.Fprintf(d.w, "\n%d exports merged on one clock: %s.\n", len(windows), Printable(strings.Join(windows, ", ")))
	}
}

func (d markdownDoc) diffHeader(base, new string) {
	fmt.Fprintf(d.w, "# omnistat diff\n\nbase: %s  \nnew: %s\n", Printable(base), Printable(new))
}

// table writes a markdown table without its heading (the caller wrote one).
func (d markdownDoc) table(t *table.Table) error {
	var b strings.Builder
	if err := WriteMarkdown(&b, t, optionsFor(t, d.ro)); err != nil {
		return err
	}
	_, body, _ := strings.Cut(b.String(), "\n\n")
	_, err := io.WriteString(d.w, body)
	return err
}

func (d markdownDoc) section(t *table.Table, _ bool) error {
	if err := WriteMarkdown(d.w, t, optionsFor(t, d.ro)); err != nil {
		return err
	}
	_, err := fmt.Fprintln(d.w)
	return err
}

func (d markdownDoc) findings(fs []summary.Finding) {
	if len(fs) == 0 {
		fmt.Fprintln(d.w, "   none")
		return
	}
	for _, f := range fs {
		fmt.Fprintf(d.w, "- **%s** (%s): %s. *Try:* %s.\n", f.ID, Printable(f.Scope), Printable(findingMessage(d.ro, &f)), Printable(f.Advice))
	}
	fmt.Fprintln(d.w)
}

func (d markdownDoc) stageFindings(stage string) {
	fmt.Fprintf(d.w, "#### %s: findings\n\n", Printable(stage))
}

func (d markdownDoc) item(s string) { fmt.Fprintln(d.w, "- "+Printable(s)) }

func (d markdownDoc) change(status, finding, msg string) {
	fmt.Fprintf(d.w, "- **%s** %s: %s\n", status, Printable(finding), Printable(msg))
}
