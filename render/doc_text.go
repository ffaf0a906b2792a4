package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/summary"
)

// textDoc writes documents for a terminal: " ** " headings, column tables within TextWidth,
// wrapped findings.
type textDoc struct {
	w  io.Writer
	ro Options
}

func (d textDoc) heading(title string) { fmt.Fprintf(d.w, "\n ** %s\n\n", title) }

func (d textDoc) summaryHeader(trace, product, gpus, stages, window string) {
	fmt.Fprint(d.w, wrap(fmt.Sprintf("omnistat summary: %s (nsys %s; GPUs: %s; %s)", trace, product, gpus, stages), "", "  "))
	fmt.Fprint(d.w, wrap(window+".", "", "  "))
}

func (d textDoc) diffHeader(base, new string) {
	fmt.Fprintf(d.w, "omnistat diff: base %s, new %s\n", base, new)
}

// table keeps within TextWidth: long names (thread sections, kernels) are cut shorter until it does.
func (d textDoc) table(t *table.Table) error {
	o := d.ro
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
	_, err := io.WriteString(d.w, b.String())
	return err
}

// section writes a titled table: its title, its columns (within TextWidth when fit) and its
// notes ("3 more rows: …").
func (d textDoc) section(t *table.Table, fit bool) error {
	fmt.Fprintf(d.w, " %s\n\n", t.Title)
	var err error
	if fit {
		err = d.table(t)
	} else {
		err = WriteColumn(d.w, t, d.ro)
	}
	if err != nil {
		return err
	}
	for _, n := range t.Notes {
		fmt.Fprintf(d.w, "   (%s)\n", n)
	}
	_, err = fmt.Fprintln(d.w)
	return err
}

func (d textDoc) findings(fs []summary.Finding) {
	if len(fs) == 0 {
		fmt.Fprintln(d.w, "   none")
		return
	}
	for _, f := range fs {
		fmt.Fprint(d.w, wrap(fmt.Sprintf("[%s] %s.", f.ID, f.Message), "   - ", "     "))
		fmt.Fprint(d.w, wrap("try: "+f.Advice+".", "     ", "     "))
	}
	fmt.Fprintln(d.w)
}

func (d textDoc) stageFindings(stage string) { fmt.Fprintf(d.w, " %s: findings\n\n", stage) }

func (d textDoc) item(s string) { fmt.Fprint(d.w, wrap(s, "   - ", "     ")) }

func (d textDoc) change(status, finding, msg string) {
	fmt.Fprint(d.w, wrap(fmt.Sprintf("[%s] %s: %s", status, finding, msg), "   - ", "     "))
}
