package render

import (
	"encoding/json"
	"io"

	"github.com/omnistat/omnistat/summary"
)

// SummaryJSON writes summaries in their stable JSON form (docs/summarize.md): an array of
// traces, each with its stages (the overview fields, tables and findings) and findings.
func SummaryJSON(w io.Writer, all []*summary.Summary) error {
	type stageJSON struct {
		summary.StageOverview
		Tables   any               `json:"tables"`
		Findings []summary.Finding `json:"findings"`
	}
	type traceJSON struct {
		Trace    string            `json:"trace"`
		Product  string            `json:"nsys_version,omitempty"`
		GPUs     []string          `json:"gpus,omitempty"`
		Windows  []string          `json:"windows,omitempty"`
		Filter   *summary.Window   `json:"filter,omitempty"`
		Stages   []stageJSON       `json:"stages"`
		Findings []summary.Finding `json:"findings"`
	}
	var out []traceJSON
	for _, s := range all {
		tj := traceJSON{Trace: s.Trace, Product: s.Product, GPUs: s.GPUs, Windows: s.Windows, Filter: s.Filter, Findings: s.Findings, Stages: []stageJSON{}}
		for _, st := range s.Stages {
			tj.Stages = append(tj.Stages, stageJSON{StageOverview: st.StageOverview, Tables: JSONTables(st.Tables), Findings: st.Findings})
		}
		out = append(out, tj)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
