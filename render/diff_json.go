package render

import (
	"encoding/json"
	"io"

	"github.com/omnistat/omnistat/diff"
	"github.com/omnistat/omnistat/reports/table"
)

// DiffJSON writes a comparison and its gates in their JSON form (docs/diff.md).
func DiffJSON(w io.Writer, d *diff.Result, gates []diff.GateResult) error {
	type stageJSON struct {
		diff.Stage
		Figures any `json:"figures"`
		Tables  any `json:"tables"`
	}
	out := struct {
		Base     string            `json:"base"`
		New      string            `json:"new"`
		Stages   []stageJSON       `json:"stages"`
		Findings any               `json:"findings"`
		Gates    []diff.GateResult `json:"gates"`
	}{Base: d.Base, New: d.New, Findings: JSONTables([]*table.Table{d.Findings}), Gates: gates}
	for _, s := range d.Stages {
		out.Stages = append(out.Stages, stageJSON{Stage: s, Figures: JSONTables([]*table.Table{s.Overview}), Tables: JSONTables(s.Tables)})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
