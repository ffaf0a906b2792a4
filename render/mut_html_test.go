package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/summary"
	"github.com/omnistat/omnistat/trace"
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

// TestHTMLTableCells: a text cell of up to htmlLongText bytes is shown plainly, a longer one
// with the whole text on hover; kernel names, wherever their column, are shortened with the full
// name on hover; numbers are right-aligned with the raw value to sort by.
func TestHTMLTableCells(t *testing.T) {
	text60, text61 := strings.Repeat("r", 60), strings.Repeat("r", 61)
	var b strings.Builder
	htmlTable(&b, &table.Table{Name: "nvtx_sum", Columns: []table.Column{{Name: "Range"}, {Name: "Instances", Unit: table.Count}},
		Rows: [][]table.Value{{table.Str(text60), table.I64(1234)}, {table.Str(text61), table.I64(5)}}}, false, nil, nil)
	for _, want := range []string{"<tr><td>" + text60 + `</td><td class="n" data-v="1234">1,234</td></tr>`,
		`<tr><td class="k" title="` + text61 + `">` + text61 + `</td><td class="n" data-v="5">5</td></tr>`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the table lacks %q:\n%s", want, b.String())
		}
	}
	if strings.Contains(b.String(), "notes") {
		t.Errorf("a table without notes has a notes list:\n%s", b.String())
	}
	b.Reset()
	htmlTable(&b, &table.Table{Name: "x", Columns: []table.Column{{Name: "A"}}, Rows: [][]table.Value{{table.Str("a")}}, Notes: []string{"n<1>", "n2"}}, false, nil, nil)
	if want := `</table></div>
<ul class="notes"><li>n&lt;1&gt;</li><li>n2</li></ul>
`; !strings.HasSuffix(b.String(), want) {
		t.Errorf("notes: %q, want the suffix %q", b.String(), want)
	}
	full := "void at::native::vectorized_elementwise_kernel<4, at::native::FillFunctor<float>, at::detail::Array<char*, 1>>(int, T2, T3)"
	short := summary.ShortKernelNames([]string{full})[0]
	b.Reset()
	htmlTable(&b, &table.Table{Name: "cuda_gpu_kern_sum", Columns: []table.Column{{Name: "Name"}, {Name: "Instances", Unit: table.Count}},
		Rows: [][]table.Value{{table.Str(full), table.I64(3)}}}, true, nil, nil)
	if want := `<tr><td class="k" title="` + esc(full) + `">` + esc(short) + `</td>`; !strings.Contains(b.String(), want) || short == full {
		t.Errorf("the kernel table lacks %q:\n%s", want, b.String())
	}
}

// TestHTMLTraceNav: a page of several traces has a nav line linking each; a page of one none.
func TestHTMLTraceNav(t *testing.T) {
	var h HTMLReport
	for _, name := range []string{"a.sqlite", "b.sqlite"} {
		s := &summary.Summary{Trace: name, Overview: &table.Table{Columns: []table.Column{{Name: "Stage"}}}}
		if err := h.Add(ReportPart{Summary: s}); err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		h.WriteTo(&b)
		nav := `<nav><a href="#t0">a.sqlite</a><a href="#t1">b.sqlite</a></nav>`
		if has := strings.Contains(b.String(), `<nav><a href="#t0">`); has != (name == "b.sqlite") || (has && !strings.Contains(b.String(), nav)) {
			t.Errorf("after %s: trace nav %v, want it (%s) only with two traces", name, has, nav)
		}
	}
}

// TestHTMLFindingsAndFigures: findings as a list ("none" when there are none, per stage too);
// each chart an inline SVG right inside its figure, without the XML prologue.
func TestHTMLFindingsAndFigures(t *testing.T) {
	s := spanStage(trace.Span{Start: 0, End: 3000})
	s.Trace = "run.sqlite"
	s.Overview = &table.Table{Columns: []table.Column{{Name: "Stage"}}}
	s.Findings = []summary.Finding{{ID: "low_gpu_busy", Scope: "infer", Message: "GPU idle 40%", Advice: "overlap copies"}}
	var h HTMLReport
	if err := h.Add(ReportPart{Summary: s, Charts: Charts(s, &trace.Trace{}, 10)}); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	h.WriteTo(&b)
	page := b.String()
	for _, want := range []string{
		"<h3>Findings</h3>\n<ul class=\"findings\">\n<li data-id=\"low_gpu_busy\" data-scope=\"infer\"><b>low_gpu_busy</b> (infer): GPU idle 40%. <span class=\"try\"><i>Try:</i> overlap copies.</span></li>\n</ul>\n",
		"<h4>infer: findings</h4>\n<p class=\"meta\">none</p>\n",
		`<figure data-chart="gpu_timeline"><svg role="img" aria-label="`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(page, "<?xml") {
		t.Errorf("the page holds an XML prologue")
	}
}

// TestHTMLKernelTablesOnly: kernel names are shortened in the kernel tables (the summary's and
// the diff's) only; a Name column of another table is shown as it is.
func TestHTMLKernelTablesOnly(t *testing.T) {
	full := "void gemm<float, 128>(float*, int)"
	short := summary.ShortKernelNames([]string{full})[0]
	if short == full {
		t.Fatalf("%q has no shorter name", full)
	}
	for name, want := range map[string]string{
		"cuda_gpu_kern_sum":      `<td class="k" title="` + esc(full) + `">` + esc(short) + `</td>`,
		"cuda_gpu_kern_sum_diff": `<td class="k" title="` + esc(full) + `">` + esc(short) + `</td>`,
		"cuda_api_sum":           `<tr><td>` + esc(full) + `</td>`,
		"nvtx_sum":               `<tr><td>` + esc(full) + `</td>`,
	} {
		var b strings.Builder
		htmlTable(&b, &table.Table{Name: name, Columns: []table.Column{{Name: "Name"}, {Name: "Calls", Unit: table.Count}},
			Rows: [][]table.Value{{table.Str(full), table.I64(2)}}}, false, nil, nil)
		if !strings.Contains(b.String(), want) {
			t.Errorf("%s: lacks %q:\n%s", name, want, b.String())
		}
	}
}
