package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/omnistat/omnistat/diff"
	"github.com/omnistat/omnistat/reports/table"
)

// Diff writes a comparison and its gates as text or markdown.
func Diff(w io.Writer, d *diff.Result, gates []diff.GateResult, f Format) error {
	md := f == Markdown
	ro := Options{MemUnit: "MB", MaxText: 40}
	head := func(s string) {
		if md {
			fmt.Fprintf(w, "\n## %s\n\n", s)
		} else {
			fmt.Fprintf(w, "\n ** %s\n\n", s)
		}
	}
	if md {
		fmt.Fprintf(w, "# omnistat diff\n\nbase: %s  \nnew: %s\n", d.Base, d.New)
	} else {
		fmt.Fprintf(w, "omnistat diff: base %s, new %s\n", d.Base, d.New)
	}
	head("Verdict")
	for _, s := range d.Stages {
		line := "- " + s.Verdict
		if !md {
			line = wrap(s.Verdict, "   - ", "     ")
			fmt.Fprint(w, line)
			continue
		}
		fmt.Fprintln(w, line)
	}
	if len(gates) > 0 {
		head("Gates")
		for _, g := range gates {
			state := "ok"
			if g.Tripped {
				state = "TRIPPED"
			}
			extra := ""
			if g.Missing != "" {
				extra = " (" + g.Missing + ")"
			}
			fmt.Fprintf(w, "   %-7s %s: %s → %s, %s%s\n", state, g.Gate, fmtNum(g.BaseValue), fmtNum(g.NewValue), g.Change, extra)
		}
	}
	for _, s := range d.Stages {
		per := ""
		if s.Per != "" {
			per = fmt.Sprintf(", per %s (%d → %d instances)", s.Per, s.StepsBase, s.StepsNew)
		}
		head(fmt.Sprintf("Stage %s%s", s.Stage, per))
		for _, t := range append([]*table.Table{s.Overview}, s.Tables...) {
			if len(t.Rows) == 0 {
				continue
			}
			tt := shortNames(t)
			if md {
				if err := WriteMarkdown(w, tt, ro); err != nil {
					return err
				}
				fmt.Fprintln(w)
				continue
			}
			if err := writeSection(w, tt, ro, false); err != nil { // diff tables are wider than 120 columns
				return err
			}
		}
	}
	if len(d.Changes) > 0 {
		head("Findings")
		for _, c := range d.Changes {
			msg := c.New
			if msg == "" {
				msg = c.Base
			}
			if md {
				fmt.Fprintf(w, "- **%s** %s: %s\n", c.Status, c.Finding, msg)
			} else {
				fmt.Fprint(w, wrap(fmt.Sprintf("[%s] %s: %s", c.Status, c.Finding, msg), "   - ", "     "))
			}
		}
	}
	return nil
}

func fmtNum(v float64) string {
	if v == float64(int64(v)) {
		return withSepInt(int64(v))
	}
	return fmt.Sprintf("%.1f", v)
}

func withSepInt(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
