package render

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"strings"
	"unicode"

	"github.com/omnistat/omnistat/plots"
	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/summary"
)

//go:embed html/report.css
var htmlCSS string

//go:embed html/report.js
var htmlJS string

// errorTrap is the page's first script: it records uncaught errors, rejected promises and
// console.error calls in #errors, shown when not empty, so neither a reader nor the browser test
// misses a broken page.
const errorTrap = `(function(){var l=[];function rec(m){l.push(String(m));var e=document.getElementById('errors');
if(e){e.hidden=false;e.textContent='This page had errors:\n'+l.join('\n');}}
window.addEventListener('error',function(e){rec((e.message||'error')+' ('+(e.filename||'')+':'+(e.lineno||0)+')');});
window.addEventListener('unhandledrejection',function(e){rec('unhandled rejection: '+e.reason);});
var ce=console.error;console.error=function(){rec('console.error: '+Array.prototype.join.call(arguments,' '));return ce.apply(console,arguments);};
document.addEventListener('DOMContentLoaded',function(){if(l.length)rec('(recorded before the page was ready)');});})();`

// HTMLReport builds report.html: one self-contained page (styles, script, data and charts inline;
// nothing is fetched, so it works from a file:// URL and as a CI artifact) with, per trace, the
// stage overview, the findings, a zoomable timeline of each stage's GPU work and steps, the charts
// as SVG and each stage's sortable tables (full kernel names on hover). Add renders a trace's part
// at once, so the summaries need not be kept; WriteTo writes the page.
type HTMLReport struct {
	parts  []string
	traces []string
}

// esc escapes s for HTML text and attributes, dropping control characters (terminal escapes
// from trace text).
func esc(s string) string {
	return html.EscapeString(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return -1
		}
		return r
	}, s))
}

// Add renders the part of one trace.
func (h *HTMLReport) Add(p ReportPart) error {
	s := p.Summary
	i := len(h.parts)
	var b strings.Builder
	fmt.Fprintf(&b, "<section class=\"trace\" id=\"t%d\" data-trace=\"%s\">\n<h2>%s</h2>\n", i, esc(s.Trace), esc(s.Trace))
	nst := fmt.Sprintf("%d stages", len(s.Stages))
	if len(s.Stages) == 1 {
		nst = "1 stage"
	}
	if s.Filter != nil {
		fmt.Fprintf(&b, "<p class=\"meta filter\">window: %s.</p>\n", esc(s.Filter.String()))
	}
	fmt.Fprintf(&b, "<p class=\"meta\">nsys %s; GPUs: %s; %s. Events of the stages span %.1f ms; GPU processes: %s.</p>\n", esc(orDash(s.Product)),
		esc(orDash(strings.Join(s.GPUModels, ", "))), nst, float64(s.WindowNs)/1e6, esc(orDash(strings.Join(s.Processes, ", "))))
	b.WriteString("<nav>")
	for j, st := range s.Stages {
		fmt.Fprintf(&b, "<a href=\"#t%d-s%d\"><i style=\"background:%s\"></i>%s</a>", i, j, hexColor(j), esc(st.Stage))
	}
	fmt.Fprintf(&b, "<a href=\"#t%d-timeline\">timeline</a><a href=\"#t%d-charts\">charts</a></nav>\n", i, i)
	b.WriteString("<h3>Stage overview</h3>\n")
	names := newKernelNames(s.KernelSignatures()) // as report.md and the charts name them
	htmlTable(&b, s.Overview, false, nil, func(r []table.Value) string {
		if len(r) > 0 {
			return r[0].S
		}
		return ""
	})
	b.WriteString("<h3>Findings</h3>\n")
	htmlFindings(&b, s.Findings, names)
	if p.Diff != nil {
		fmt.Fprintf(&b, "<h3>Compared with %s</h3>\n<ul class=\"verdicts\">\n", esc(p.Base))
		for _, st := range p.Diff.Stages {
			fmt.Fprintf(&b, "<li>%s</li>\n", esc(st.Verdict))
		}
		b.WriteString("</ul>\n")
	}
	if err := htmlTimeline(&b, i, s); err != nil {
		return err
	}
	fmt.Fprintf(&b, "<h3 id=\"t%d-charts\">Charts</h3>\n<div class=\"charts\">\n", i)
	for _, c := range p.Charts {
		var svg bytes.Buffer
		if err := plots.Write(&svg, c, "svg"); err != nil {
			return fmt.Errorf("chart %s: %w", c.Name, err)
		}
		body := svg.String()
		if k := strings.Index(body, "<svg"); k >= 0 {
			body = body[k:]
		}
		body = strings.Replace(body, "<svg", fmt.Sprintf("<svg role=\"img\" aria-label=\"%s\"", esc(c.Title)), 1)
		fmt.Fprintf(&b, "<figure data-chart=\"%s\">%s</figure>\n", esc(c.Name), body)
	}
	b.WriteString("</div>\n")
	for j, st := range s.Stages {
		fmt.Fprintf(&b, "<section class=\"stage\" id=\"t%d-s%d\" data-stage=\"%s\">\n<h3><span class=\"sw\" style=\"background:%s\"></span>Stage %s (PIDs %s, found by %s)</h3>\n",
			i, j, esc(st.Stage), hexColor(j), esc(st.Stage), joinInts(st.PIDs), esc(st.Source))
		for _, t := range st.Tables {
			if len(t.Rows) > 0 {
				htmlTable(&b, t, true, names, nil)
			}
		}
		fmt.Fprintf(&b, "<h4>%s: findings</h4>\n", esc(st.Stage))
		htmlFindings(&b, st.Findings, names)
		b.WriteString("</section>\n")
	}
	b.WriteString("</section>\n")
	h.parts = append(h.parts, b.String())
	h.traces = append(h.traces, s.Trace)
	return nil
}

// WriteTo writes the page.
func (h *HTMLReport) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	b.WriteString("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	fmt.Fprintf(&b, "<title>omnistat report: %s</title>\n<script>%s</script>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n", esc(strings.Join(h.traces, ", ")), errorTrap, htmlCSS)
	b.WriteString("<h1>omnistat report</h1>\n<pre id=\"errors\" hidden></pre>\n")
	if len(h.parts) > 1 {
		b.WriteString("<nav>")
		for i, t := range h.traces {
			fmt.Fprintf(&b, "<a href=\"#t%d\">%s</a>", i, esc(t))
		}
		b.WriteString("</nav>\n")
	}
	for _, p := range h.parts {
		b.WriteString(p)
	}
	b.WriteString("<footer>Made by omnistat: every number is one <code>omnistat summarize</code> prints; the timeline merges GPU work closer than a pixel of the whole window (hover shows the busy time inside). One file, nothing fetched.</footer>\n</main>\n")
	fmt.Fprintf(&b, "<script>\n%s</script>\n</body>\n</html>\n", htmlJS)
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

func htmlFindings(b *strings.Builder, fs []summary.Finding, names *kernelNames) {
	if len(fs) == 0 {
		b.WriteString("<p class=\"meta\">none</p>\n")
		return
	}
	b.WriteString("<ul class=\"findings\">\n")
	for _, f := range fs {
		fmt.Fprintf(b, "<li data-id=\"%s\" data-scope=\"%s\"><b>%s</b> (%s): %s. <span class=\"try\"><i>Try:</i> %s.</span></li>\n",
			esc(f.ID), esc(f.Scope), esc(f.ID), esc(f.Scope), esc(names.message(&f)), esc(f.Advice))
	}
	b.WriteString("</ul>\n")
}

// htmlLongText is the longest text cell shown whole; longer ones are cut by the page's style,
// with the whole text on hover.
const htmlLongText = 60

// htmlTable writes t as a sortable table: numbers right-aligned with thousands separators and
// their raw value for sorting, kernel names shortened with the full name on hover. rowKey, when
// not nil, names each row's data-stage.
func htmlTable(b *strings.Builder, t *table.Table, caption bool, names *kernelNames, rowKey func([]table.Value) string) {
	o := Options{MemUnit: "MB"}
	cols := visible(t)
	kernels := t.Name == "cuda_gpu_kern_sum" || t.Name == "cuda_gpu_kern_sum_diff"
	fmt.Fprintf(b, "<div class=\"tw\"><table class=\"sortable\" data-table=\"%s\">", esc(t.Name))
	if caption {
		fmt.Fprintf(b, "<caption>%s (%s)</caption>", esc(t.Title), esc(t.Name))
	}
	b.WriteString("<thead><tr>")
	num := make([]bool, len(t.Columns))
	for _, ci := range cols {
		num[ci] = isNumeric(t, ci)
		cls := ""
		if num[ci] {
			cls = " class=\"n\""
		}
		fmt.Fprintf(b, "<th%s>%s</th>", cls, esc(table.Header(t.Columns[ci], o.memUnit())))
	}
	b.WriteString("</tr></thead>\n<tbody>\n")
	var short []string // readable kernel names, template instances told apart: the output's (names) or the table's own
	if nc := t.Col("Name"); kernels && nc >= 0 {
		full := make([]string, len(t.Rows))
		for i, r := range t.Rows {
			full[i] = r[nc].S
		}
		if names != nil { // as report.md names and cuts them (the title holds the signature)
			for i, f := range full {
				full[i] = names.cut(Printable(names.of(f)), reportMaxText)
			}
			short = full
		} else {
			short = summary.ShortKernelNames(full)
		}
	}
	for ri, r := range t.Rows {
		if rowKey != nil {
			fmt.Fprintf(b, "<tr data-stage=\"%s\">", esc(rowKey(r)))
		} else {
			b.WriteString("<tr>")
		}
		for _, ci := range cols {
			v, c := r[ci], t.Columns[ci]
			switch {
			case num[ci] && (v.Kind == table.Int || v.Kind == table.Float):
				fmt.Fprintf(b, "<td class=\"n\" data-v=\"%s\">%s</td>", cell(v, c, o), esc(pretty(v, c, o)))
			case kernels && c.Name == "Name":
				fmt.Fprintf(b, "<td class=\"k\" title=\"%s\">%s</td>", esc(v.S), esc(short[ri]))
			case len(v.S) > htmlLongText:
				fmt.Fprintf(b, "<td class=\"k\" title=\"%s\">%s</td>", esc(v.S), esc(v.S))
			default:
				fmt.Fprintf(b, "<td>%s</td>", esc(pretty(v, c, o)))
			}
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody></table></div>\n")
	if len(t.Notes) > 0 {
		b.WriteString("<ul class=\"notes\">")
		for _, n := range t.Notes {
			fmt.Fprintf(b, "<li>%s</li>", esc(n))
		}
		b.WriteString("</ul>\n")
	}
}

// htmlTimeline writes the timeline: a canvas the page's script draws from the embedded data.
func htmlTimeline(b *strings.Builder, i int, s *summary.Summary) error {
	d := timelineData(s)
	if d == nil {
		return nil
	}
	data, err := json.Marshal(d) // escapes <, > and &: the data cannot end its script element
	if err != nil {
		return err
	}
	fmt.Fprintf(b, `<h3 id="t%d-timeline">Timeline</h3>
<div class="timeline" data-trace="%d">
<div class="tl-bar"><button type="button" data-act="out" title="zoom out">−</button><button type="button" data-act="in" title="zoom in">+</button><button type="button" data-act="left" title="pan left">◀</button><button type="button" data-act="right" title="pan right">▶</button><button type="button" data-act="reset">whole window</button><output></output>
<span class="tl-key">GPU lanes: opacity = busy share<span style="background:#777"></span>step<span style="background:repeating-linear-gradient(135deg,#777 0 2px,#fff 2px 4px)"></span>warm-up step</span></div>
<canvas></canvas><div class="tl-tip"></div>
<script type="application/json" class="tl-data">%s</script>
</div>
<p class="meta">One lane per stage and GPU, and a lane of each stage's steps; time since the first event shown. Wheel: zoom at the pointer; drag: pan; double-click: zoom in (shift: out); hover: the numbers.</p>
`, i, i, data)
	return nil
}
