package render

import (
	"bytes"
	"flag"
	"github.com/omnistat/omnistat/internal/testtrace"
	"os"
	"path/filepath"
	"testing"

	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/summary"
)

var update = flag.Bool("update", false, "rewrite the chart data goldens")

// TestChartData: each chart's data (series, labels, order) is an exact golden.
func TestChartData(t *testing.T) {
	for _, name := range []string{"go_tts_pageable", "go_diffusion_w2", "tts_pageable"} {
		tr := testtrace.Read(t, name)
		s, err := summary.Build(tr, stage.Assign(tr, nil), summary.Options{Top: 10, Findings: summary.DefaultFindingOptions})
		if err != nil {
			t.Fatal(err)
		}
		charts := Charts(s, tr, 10)
		if len(charts) < 4 {
			t.Errorf("%s: %d charts, want at least 4", name, len(charts))
		}
		var b bytes.Buffer
		for _, c := range charts {
			b.WriteString("# " + c.Name + " (" + c.Kind + "): " + c.Title + "\n")
			WriteCSV(&b, c.Data, Options{})
		}
		p := filepath.Join("testdata", "charts_"+name+".csv")
		if *update {
			os.WriteFile(p, b.Bytes(), 0o644)
			continue
		}
		want, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("%v (go test -update)", err)
		}
		if b.String() != string(want) {
			os.WriteFile(p+".got", b.Bytes(), 0o644)
			t.Errorf("%s: chart data differs from %s (see .got)", name, p)
		}
	}
}
