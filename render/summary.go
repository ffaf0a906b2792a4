package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/summary"
)

// Summary writes s as text or markdown; afterFindings, when not nil, writes more (the
// report's charts) after the whole-trace findings.
func Summary(out io.Writer, s *summary.Summary, f Format, l Layout, afterFindings func(io.Writer) error) error {
	w := &firstError{w: out}                      // headings and findings write without returning errors: kept here
	names := newKernelNames(s.KernelSignatures()) // one name per kernel in every table
	d := newDocument(w, f, l, names)
	var sections [][]*table.Table
	for _, st := range s.Stages {
		sections = append(sections, st.Tables)
	}
	d.fitKernelNames(shortKernelTables(l, names, sections...), true)
	nst := fmt.Sprintf("%d stages", len(s.Stages))
	if len(s.Stages) == 1 {
		nst = "1 stage"
	}
	window := fmt.Sprintf("events of the stages span %.1f ms; GPU processes: %s", float64(s.WindowNs)/1e6, orDash(strings.Join(s.Processes, ", ")))
	filter := ""
	if s.Filter != nil {
		filter = s.Filter.String()
	}
	d.summaryHeader(s.Trace, s.Product, orDash(strings.Join(s.GPUModels, ", ")), nst, filter, window, s.Windows)
	d.heading("Stage overview")
	if err := d.table(s.Overview); err != nil {
		return err
	}
	d.heading("Findings")
	d.findings(s.Findings)
	if afterFindings != nil {
		if err := afterFindings(w); err != nil {
			return err
		}
	}
	for _, st := range s.Stages {
		d.heading(fmt.Sprintf("Stage %s (PIDs %s, found by %s)", st.Stage, joinInts(st.PIDs), st.Source))
		for _, t := range st.Tables {
			if len(t.Rows) == 0 {
				continue
			}
			if !l.Wide {
				t = shortNames(t, names)
			}
			if err := d.section(t, true); err != nil {
				return err
			}
		}
		d.stageFindings(st.Stage)
		d.findings(st.Findings)
	}
	return w.err
}

// firstError passes writes on until one fails, then keeps that error and writes nothing more.
type firstError struct {
	w   io.Writer
	err error
}

func (f *firstError) Write(p []byte) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	n, err := f.w.Write(p)
	f.err = err
	return n, err
}
