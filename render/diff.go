package render

import (
	"fmt"
	"github.com/omnistat/omnistat/summary"
	"io"
	"strings"

	"github.com/omnistat/omnistat/diff"
	"github.com/omnistat/omnistat/reports/table"
)

// Diff writes a comparison and its gates as text or markdown.
func Diff(w io.Writer, d *diff.Result, gates []diff.GateResult, f Format, l Layout) error {
	names := newKernelNames(d.Kernels) // one name per kernel of both runs in every table
	doc := newDocument(w, f, l, names)
	var sections [][]*table.Table
	for _, s := range d.Stages {
		sections = append(sections, s.Tables)
	}
	doc.fitKernelNames(shortKernelTables(l, names, sections...), l.Width > 0)
	doc.diffHeader(d.Base, d.New)
	doc.heading("Verdict")
	if d.Note != "" {
		doc.item(d.Note)
	}
	for _, s := range d.Stages {
		doc.item(s.Verdict)
	}
	if len(gates) > 0 {
		doc.heading("Gates")
		for _, g := range gates {
			state := "ok"
			if g.Tripped {
				state = "TRIPPED"
			}
			extra := ""
			if g.Missing != "" {
				extra = " (" + g.Missing + ")"
			}
			line := fmt.Sprintf("%s: %s → %s, %s%s (%s)", g.Gate, fmtNum(g.BaseValue), fmtNum(g.NewValue), g.Change, extra, perLabel(g.Per))
			if g.Failed != "" { // it could not be evaluated: it fails, with the reason
				state, line = "FAILED", fmt.Sprintf("%s: cannot be evaluated: %s", g.Gate, g.Failed)
			}
			if f == Markdown { // a list, so the posted comment keeps one gate a line
				fmt.Fprintf(w, "- **%s** %s\n", state, Printable(line))
				continue
			}
			fmt.Fprintf(w, "   %-7s %s\n", state, Printable(line))
		}
	}
	for _, s := range d.Stages {
		per := ""
		if s.Per != "" {
			per = fmt.Sprintf(", per %s (%d → %d instances)", s.Per, s.StepsBase, s.StepsNew)
		}
		doc.heading(fmt.Sprintf("Stage %s%s", s.Stage, per))
		for _, t := range append([]*table.Table{s.Overview}, s.Tables...) {
			if len(t.Rows) == 0 {
				continue
			}
			if !l.Wide {
				t = shortNames(t, names)
			}
			if err := doc.section(t, l.Width > 0); err != nil { // fitted on a terminal only: files keep the whole rows
				return err
			}
		}
	}
	if len(d.Changes) > 0 {
		doc.heading("Findings")
		for _, c := range d.Changes {
			msg := c.New
			if msg == "" {
				msg = c.Base
			}
			doc.change(c.Status, c.Finding, msg)
		}
	}
	return nil
}

func fmtNum(v float64) string {
	if v == float64(int64(v)) {
		return summary.WithSep(int64(v))
	}
	return summary.FloatSep(v)
}

// perLabel says what a gate compared: "per step of X (78 → 78)" or "totals".
func perLabel(per string) string {
	if rest, ok := strings.CutPrefix(per, "step ("); ok {
		name, counts, _ := strings.Cut(strings.TrimSuffix(rest, ")"), ": ")
		return "per step of " + name + ", " + counts + " steps"
	}
	if per == "instance" {
		return "mean per range instance"
	}
	return "totals"
}
