package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/plots"
	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/summary"
	"github.com/omnistat/omnistat/trace"
)

// bigSummary is a summary the size of a long capture: 8 stages on 2 GPUs each, 400,000 GPU
// spans per GPU and 100,000 steps per stage over a minute, with 2,000 warm-up steps each.
func bigSummary() *summary.Summary {
	s := &summary.Summary{Trace: "big.sqlite", Overview: &table.Table{Columns: []table.Column{{Name: "Stage"}}}}
	const window = 60e9
	for i := range 8 {
		st := summary.StageSummary{}
		st.Stage = "stage" + string(rune('a'+i))
		var all []trace.Span
		for g := range 2 {
			var spans []trace.Span
			for k := int64(0); k < 400_000; k++ {
				start := k*window/400_000 + int64(g*7+i*13)
				spans = append(spans, trace.Span{Start: start, End: start + 20_000 + k%50_000})
			}
			st.Sets = append(st.Sets, trace.SpanSet{GPU: "GPU " + string(rune('0'+g)), Spans: spans})
			all = append(all, spans...)
		}
		st.Spans = all
		steps := &summary.Steps{Range: ":decode_step", Warmup: 2000}
		for k := int64(0); k < 100_000; k++ {
			steps.Instances = append(steps.Instances, summary.Step{Start: k * 600_000, End: k*600_000 + 500_000})
		}
		st.Steps = steps
		s.Overview.Rows = append(s.Overview.Rows, []table.Value{table.Str(st.Stage)})
		s.Stages = append(s.Stages, st)
	}
	return s
}

// TestHTMLSize: the page embeds aggregated data, not events: a capture with 6.4 M GPU spans and
// 800,000 steps, with every chart at its caps, makes a page well under 2 MB.
func TestHTMLSize(t *testing.T) {
	s := bigSummary()
	charts := Charts(s, &trace.Trace{}, 10)
	// the step chart at its caps: two ranges per stage, boxPoints points each
	bx := &table.Table{Columns: make([]table.Column, 9)}
	pts := &table.Table{Columns: make([]table.Column, 3)}
	for i, st := range s.Stages {
		for j := range 2 {
			bx.Rows = append(bx.Rows, []table.Value{table.Str("range"), table.Str(st.Stage), table.F64(1), table.F64(2), table.F64(3),
				table.F64(4), table.F64(5), table.I64(100_000), table.I64(2000)})
			for k := range boxPoints {
				pts.Rows = append(pts.Rows, []table.Value{table.I64(int64(2*i + j)), table.F64(float64(10 + k)), table.I64(int64(k % 2))})
			}
		}
	}
	charts = append(charts, plots.Chart{Name: "step_ranges", Kind: plots.Boxes, Title: "steps", Data: bx, Points: pts})
	var h HTMLReport
	if err := h.Add(ReportPart{Summary: s, Charts: charts}); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := h.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	t.Logf("report.html of 6.4 M spans and 800,000 steps: %d bytes", b.Len())
	if b.Len() > 2<<20 {
		t.Errorf("report.html is %d bytes, over 2 MB", b.Len())
	}
	d := timelineData(s)
	n := 0
	for _, l := range d.Lanes {
		n += len(l.IV)
	}
	if len(d.Lanes) != 8*3 || n > 3*tlIntervals+4*tlSteps {
		t.Errorf("%d lanes, %d numbers", len(d.Lanes), n)
	}
}

// TestHTMLTimelineData: merged intervals keep the busy time and the window; steps keep their
// count and warm-up flag.
func TestHTMLTimelineData(t *testing.T) {
	st := summary.StageSummary{}
	st.Stage = "talker"
	st.Spans = []trace.Span{{Start: 1000, End: 2000}, {Start: 2030, End: 2600}, {Start: 1_000_000, End: 1_001_000}}
	st.Steps = &summary.Steps{Range: ":decode_step", Warmup: 1, Instances: []summary.Step{{Start: 0, End: 500_000}, {Start: 600_000, End: 1_001_000}}}
	d := timelineData(&summary.Summary{Stages: []summary.StageSummary{st}})
	if d == nil || d.Unit != 1 || d.Span != 1_001_000 || len(d.Lanes) != 2 {
		t.Fatalf("%+v", d)
	}
	steps, gpu := d.Lanes[0], d.Lanes[1]
	if steps.Kind != "steps" || gpu.Kind != "gpu" || gpu.Label != "talker" || steps.Label != "talker steps (decode_step)" {
		t.Errorf("lanes %q %q", steps.Label, gpu.Label)
	}
	// the first two spans are 30 ns apart, under a pixel of a 1 ms window at 16,000 pixels (62 ns):
	// one interval 1000–2600 with 1,570 ns busy (981 per mille), then the third
	if want := []int64{1000, 1600, 981, 997_400, 1000, 1000}; !equal(gpu.IV, want) {
		t.Errorf("gpu intervals %v, want %v", gpu.IV, want)
	}
	if want := []int64{0, 500_000, 1, 1, 100_000, 401_000, 0, 1}; !equal(steps.IV, want) {
		t.Errorf("step intervals %v, want %v", steps.IV, want)
	}
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestHTMLEscapes: trace text (stage names, findings) cannot inject markup or end the data's
// script element; control characters are dropped.
func TestHTMLEscapes(t *testing.T) {
	s := bigSummary()
	s.Stages = s.Stages[:1]
	s.Stages[0].Stage = `x</script><img src=x onerror=alert(1)>` + "\x1b[31m"
	s.Overview.Rows = [][]table.Value{{table.Str(s.Stages[0].Stage)}}
	s.Findings = []summary.Finding{{ID: "gpu_gap", Scope: "trace", Message: "<b>bold</b> & \"q\"", Advice: "a"}}
	var h HTMLReport
	if err := h.Add(ReportPart{Summary: s}); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	h.WriteTo(&b)
	page := b.String()
	if strings.Contains(page, "<img") || strings.Contains(page, "<b>bold") || strings.Contains(page, "\x1b") {
		t.Error("trace text became markup")
	}
	if strings.Count(page, "</script>") != strings.Count(page, "<script") {
		t.Error("a script element ended early")
	}
	i := strings.Index(page, `class="tl-data">`)
	j := strings.Index(page[i:], "</script>")
	var d tlData
	if err := json.Unmarshal([]byte(page[i+len(`class="tl-data">`):i+j]), &d); err != nil || !strings.Contains(d.Lanes[0].Label, "</script>") {
		t.Errorf("timeline data: %v %+v", err, d.Lanes)
	}
}
