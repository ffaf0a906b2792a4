package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/summary"
)

// textDoc writes documents for a terminal: " ** " headings, column tables within the width,
// wrapped findings.
type textDoc struct {
	w  io.Writer
	ro Options
	l  Layout
}

func (d textDoc) heading(title string) { fmt.Fprintf(d.w, "\n ** %s\n\n", Printable(title)) }

func (d textDoc) summaryHeader(trace, product, gpus, stages, filter, window string, windows []string) {
	fmt.Fprint(d.w, wrap(Printable(fmt.Sprintf("omnistat summary: %s (nsys %s; GPUs: %s; %s)", trace, product, gpus, stages)), "", "  ", d.l.width()))
	if filter != "" {
		fmt.Fprint(d.w, wrap(Printable("window: "+filter+"."), "", "  ", d.l.width()))
	}
	fmt.Fprint(d.w, wrap(Printable(window+"."), "", "  ", d.l.width()))
	if len(windows) > 0 {
		fmt.Fprint(d.w, wrap(Printable(fmt.Sprintf("%d exports merged on one clock: %s.", len(windows), strings.Join(windows, ", "))), "", "  ", d.l.width()))
	}
}

func (d textDoc) diffHeader(base, new string) {
	fmt.Fprintf(d.w, "omnistat diff: base %s, new %s\n", Printable(base), Printable(new))
}

// table keeps within the layout's width: long names (thread sections, kernels) are cut shorter
// until it does (never with Wide); kernel names to the output's one width when fitKernelNames
// set it.
func (d textDoc) table(t *table.Table) error {
	o := optionsFor(t, d.ro)
	if d.l.Wide {
		return WriteColumn(d.w, t, o)
	}
	if o.Elide && o.names != nil && o.names.max > 0 {
		o.MaxText = o.names.max
		return WriteColumn(d.w, t, o)
	}
	s, err := d.fitted(t, o)
	if err != nil {
		return err
	}
	_, err = io.WriteString(d.w, s)
	return err
}

// fitKernelNames sets the output's one width for kernel names: the narrowest that each kernel
// table written within the width needs (40 when none is; no cut with Wide).
func (d textDoc) fitKernelNames(tables []*table.Table, fit bool) {
	if d.l.Wide || d.ro.names == nil {
		return
	}
	m := d.ro.MaxText
	for _, t := range tables {
		if !fit || !kernelTable(t) || len(t.Rows) == 0 {
			continue
		}
		o := optionsFor(t, d.ro)
		o.names = nil // the width alone: each table's cut is the cheaper elideApart
		for ; o.MaxText > 10; o.MaxText -= 4 {
			var b strings.Builder
			if WriteColumn(&b, t, o) != nil || widest(b.String()) <= d.l.width() {
				break
			}
		}
		m = min(m, o.MaxText)
	}
	d.ro.names.max = m
}

// fitted is t written with o, its text cells cut shorter until it keeps within the width.
func (d textDoc) fitted(t *table.Table, o Options) (string, error) {
	var b strings.Builder
	for {
		b.Reset()
		if err := WriteColumn(&b, t, o); err != nil {
			return "", err
		}
		if o.MaxText <= 10 || widest(b.String()) <= d.l.width() {
			break
		}
		o.MaxText -= 4
	}
	return b.String(), nil
}

// section writes a titled table: its title, its columns (within the layout's width when fit) and its
// notes ("3 more rows: …").
func (d textDoc) section(t *table.Table, fit bool) error {
	fmt.Fprintf(d.w, " %s\n\n", Printable(t.Title))
	var err error
	if fit {
		err = d.table(t)
	} else {
		err = WriteColumn(d.w, t, optionsFor(t, d.ro))
	}
	if err != nil {
		return err
	}
	for _, n := range t.Notes {
		fmt.Fprint(d.w, wrap(Printable("("+n+")"), "   ", "    ", d.l.width()))
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
		fmt.Fprint(d.w, wrap(Printable(fmt.Sprintf("[%s] %s.", f.ID, findingMessage(d.ro, &f))), "   - ", "     ", d.l.width()))
		fmt.Fprint(d.w, wrap(Printable("try: "+f.Advice+"."), "     ", "     ", d.l.width()))
	}
	fmt.Fprintln(d.w)
}

func (d textDoc) stageFindings(stage string) { fmt.Fprintf(d.w, " %s: findings\n\n", Printable(stage)) }

func (d textDoc) item(s string) { fmt.Fprint(d.w, wrap(Printable(s), "   - ", "     ", d.l.width())) }

func (d textDoc) change(status, finding, msg string) {
	fmt.Fprint(d.w, wrap(Printable(fmt.Sprintf("[%s] %s: %s", status, finding, msg)), "   - ", "     ", d.l.width()))
}
