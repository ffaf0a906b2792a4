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

func (d markdownDoc) heading(title string) { fmt.Fprintf(d.w, "\n## %s\n\n", title) }

func (d markdownDoc) summaryHeader(trace, product, gpus, stages, window string) {
	fmt.Fprintf(d.w, "# omnistat summary: %s\n\nnsys %s; GPUs: %s; %s.\n\n%s.\n", trace, product, gpus, stages, window)
}

func (d markdownDoc) diffHeader(base, new string) {
	fmt.Fprintf(d.w, "# omnistat diff\n\nbase: %s  \nnew: %s\n", base, new)
}

// table writes a markdown table without its heading (the caller wrote one).
func (d markdownDoc) table(t *table.Table) error {
	var b strings.Builder
	if err := WriteMarkdown(&b, t, d.ro); err != nil {
		return err
	}
	_, body, _ := strings.Cut(b.String(), "\n\n")
	_, err := io.WriteString(d.w, body)
	return err
}

func (d markdownDoc) section(t *table.Table, _ bool) error {
	if err := WriteMarkdown(d.w, t, d.ro); err != nil {
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
		fmt.Fprintf(d.w, "- **%s** (%s): %s. *Try:* %s.\n", f.ID, f.Scope, f.Message, f.Advice)
	}
	fmt.Fprintln(d.w)
}

func (d markdownDoc) stageFindings(stage string) { fmt.Fprintf(d.w, "#### %s: findings\n\n", stage) }

func (d markdownDoc) item(s string) { fmt.Fprintln(d.w, "- "+s) }

func (d markdownDoc) change(status, finding, msg string) {
	fmt.Fprintf(d.w, "- **%s** %s: %s\n", status, finding, msg)
}
