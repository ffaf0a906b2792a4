package render

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/diff"
	"github.com/omnistat/omnistat/plots"
	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/summary"
)

// oneStage is a summary of one stage with a filter window, one table with rows and one without.
func oneStage() *summary.Summary {
	api := &table.Table{Name: "cuda_api_sum", Title: "CUDA API Summary", Columns: []table.Column{{Name: "Name"}, {Name: "Num Calls", Unit: table.Count}},
		Rows: [][]table.Value{{table.Str("cudaMemcpy"), table.I64(1234)}}}
	empty := &table.Table{Name: "osrt_sum", Title: "OS Runtime Summary", Columns: []table.Column{{Name: "Name"}}}
	return &summary.Summary{Trace: "t.sqlite", Product: "2025.3.1", GPUModels: []string{"NVIDIA H200 (0)"}, WindowNs: 12_345_678,
		Processes: []string{"python (12, infer)"}, Filter: &summary.Window{Flag: "--filter-time", Value: "1s:2s", Start: 1e9, End: 2e9},
		Overview: &table.Table{Name: "overview", Columns: []table.Column{{Name: "Stage"}}, Rows: [][]table.Value{{table.Str("infer")}}},
		Stages: []summary.StageSummary{{StageOverview: summary.StageOverview{Stage: "infer", PIDs: []int64{12, 13}, Source: "nvtx"},
			Tables: []*table.Table{empty, api}}}}
}

// TestReportParts: part 0 starts with the summary, a later part with a rule; the comparison's
// verdicts and every chart come after the whole-trace findings, before the stages; a stage
// lists its tables with rows only (the layout of doc_markdown.go and report.go's doc).
func TestReportParts(t *testing.T) {
	s := oneStage()
	p := ReportPart{Summary: s, Base: "base.sqlite", Path: "t.sqlite",
		Diff:   &diff.Result{Stages: []diff.Stage{{Verdict: "infer: 2.0× faster"}, {Verdict: "train: same"}}},
		Charts: []plots.Chart{{Title: "GPU time"}, {Title: "Steps"}}, Links: []string{"a.png", "b.png"}}
	body := "# omnistat summary: t.sqlite\n\nnsys 2025.3.1; GPUs: NVIDIA H200 (0); 1 stage.\n\n" +
		"window: " + s.Filter.String() + ".\n\nevents of the stages span 12.3 ms; GPU processes: python (12, infer).\n" +
		"\n## Stage overview\n\n| Stage |\n| --- |\n| infer |\n" +
		"\n## Findings\n\n   none\n" +
		"## Compared with base.sqlite\n\n- infer: 2.0× faster\n- train: same\n\n(the whole comparison: `omnistat diff base.sqlite t.sqlite`)\n\n" +
		"## Charts\n\n![GPU time](a.png)\n\n![Steps](b.png)\n\n" +
		"\n## Stage infer (PIDs 12,13, found by nvtx)\n\n" +
		"### CUDA API Summary (cuda_api_sum)\n\n| Name | Num Calls |\n| --- | ---: |\n| cudaMemcpy | 1,234 |\n\n" +
		"#### infer: findings\n\n   none\n"
	for i, want := range map[int]string{0: body, 1: "\n---\n\n" + body, 2: "\n---\n\n" + body} {
		var b bytes.Buffer
		if err := Report(&b, i, p); err != nil {
			t.Fatal(err)
		}
		if b.String() != want {
			t.Errorf("part %d:\n%s\nwant\n%s", i, b.String(), want)
		}
	}
	// without a comparison, the charts follow the findings at once
	p.Diff = nil
	var b bytes.Buffer
	if err := Report(&b, 0, p); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "\n## Findings\n\n   none\n## Charts\n\n") || strings.Contains(b.String(), "Compared") {
		t.Errorf("no comparison:\n%s", b.String())
	}
}

// failAt fails the first write that contains at, and every one after it.
type failAt struct {
	at     string
	failed bool
}

var errFull = errors.New("disk full")

func (f *failAt) Write(p []byte) (int, error) {
	if f.failed = f.failed || strings.Contains(string(p), f.at); f.failed {
		return 0, errFull
	}
	return len(p), nil
}

// TestReportWriteErrors: a failed write of the rule, a table, a heading, the findings or a chart
// stops the report and is returned (the first error: nothing is written after it).
func TestReportWriteErrors(t *testing.T) {
	p := ReportPart{Summary: oneStage(), Charts: []plots.Chart{{Title: "A"}, {Title: "B"}}, Links: []string{"a", "b"}}
	for _, at := range []string{"---", "| Stage |", "![A]", "![B]", "cudaMemcpy", "# omnistat", "## Stage overview", "## Findings", "## Charts", "## Stage ", "infer: findings"} {
		f := &failAt{at: at}
		if err := Report(f, 1, p); err != errFull || !f.failed {
			t.Errorf("failing at %q: %v (failed %v), want %v", at, err, f.failed, errFull)
		}
	}
}
