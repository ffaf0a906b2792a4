package render

import (
	"fmt"
	"io"

	"github.com/omnistat/omnistat/diff"
	"github.com/omnistat/omnistat/plots"
	"github.com/omnistat/omnistat/summary"
)

// ReportPart is one trace's part of `omnistat report`: its summary, its comparison with a base
// trace (nil without one), and its charts with the links report.md gives them.
type ReportPart struct {
	Summary *summary.Summary
	Diff    *diff.Result
	Base    string // the base trace as the user named it
	Path    string // the trace as the user named it
	Charts  []plots.Chart
	Links   []string // one per chart, relative to report.md
}

// Report writes part i of report.md: a rule between parts, the summary in markdown, and after
// the whole-trace findings the comparison's verdicts and the charts.
func Report(w io.Writer, i int, p ReportPart) error {
	if i > 0 {
		if _, err := io.WriteString(w, "\n---\n\n"); err != nil {
			return err
		}
	}
	return Summary(w, p.Summary, Markdown, Layout{}, func(w io.Writer) error {
		if p.Diff != nil {
			fmt.Fprintf(w, "## Compared with %s\n\n", p.Base)
			for _, st := range p.Diff.Stages {
				fmt.Fprintf(w, "- %s\n", st.Verdict)
			}
			fmt.Fprintf(w, "\n(the whole comparison: `omnistat diff %s %s`)\n\n", p.Base, p.Path)
		}
		fmt.Fprintf(w, "## Charts\n\n")
		for j, c := range p.Charts {
			_, err := fmt.Fprintf(w, "![%s](%s)\n\n", c.Title, p.Links[j])
			if err != nil {
				return err
			}
		}
		return nil
	})
}
