package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/summary"
)

// TestEscDropsControls: esc drops control characters but newline and tab (C0, DEL, C1) and
// escapes the HTML specials.
func TestEscDropsControls(t *testing.T) {
	for in, want := range map[string]string{
		"a\x1b[31mb\x07":     "a[31mb",
		"x\u009by\x7fz":      "xyz",
		"t\tn\n":             "t\tn\n",
		"<k>&\"q\"'s'":       "&lt;k&gt;&amp;&#34;q&#34;&#39;s&#39;",
		"\x00\x01\x1f\u0080": "",
		"plain µs kernel<4>": "plain µs kernel&lt;4&gt;",
	} {
		if got := esc(in); got != want {
			t.Errorf("esc(%q) = %q, want %q", in, got, want)
		}
	}
}

func htmlOf(t *testing.T, s *summary.Summary) string {
	t.Helper()
	var h HTMLReport
	if err := h.Add(ReportPart{Summary: s}); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := h.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestHTMLMeta: the meta line counts the stages ("1 stage", "2 stages") and gives the span of
// the stages' events in ms; each overview row names its stage in data-stage.
func TestHTMLMeta(t *testing.T) {
	for _, c := range []struct {
		stages []string
		window int64
		want   []string
	}{
		{[]string{"train"}, 12_345_678, []string{"; 1 stage. Events of the stages span 12.3 ms;", `<tr data-stage="train">`}},
		{[]string{"talker", "vocoder"}, 2_050_000_000, []string{"; 2 stages. Events of the stages span 2050.0 ms;", `<tr data-stage="talker">`, `<tr data-stage="vocoder">`}},
	} {
		s := &summary.Summary{Trace: "run.sqlite", WindowNs: c.window, Overview: &table.Table{Columns: []table.Column{{Name: "Stage"}}}}
		for _, name := range c.stages {
			st := summary.StageSummary{}
			st.Stage = name
			s.Stages = append(s.Stages, st)
			s.Overview.Rows = append(s.Overview.Rows, []table.Value{table.Str(name)})
		}
		page := htmlOf(t, s)
		for _, w := range c.want {
			if !strings.Contains(page, w) {
				t.Errorf("%v: the page lacks %q", c.stages, w)
			}
		}
	}
}

// TestHTMLOverviewEmptyRow: an overview row without cells (a table of no columns) gets an empty
// data-stage, not a panic.
func TestHTMLOverviewEmptyRow(t *testing.T) {
	s := &summary.Summary{Trace: "run.sqlite", Overview: &table.Table{Rows: [][]table.Value{{}}}}
	if page := htmlOf(t, s); !strings.Contains(page, `<tr data-stage=""></tr>`) {
		t.Errorf("the page lacks the empty overview row")
	}
}
