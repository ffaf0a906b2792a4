package render

import (
	"encoding/json"
	"io"

	"github.com/omnistat/omnistat/diff"
)

// DiffJSON writes a comparison and its gates in their JSON form (docs/diff.md): the models'
// own json tags, with every list present ([] when empty).
func DiffJSON(w io.Writer, d *diff.Result, gates []diff.GateResult) error {
	out := struct {
		Base     string               `json:"base"`
		New      string               `json:"new"`
		Stages   []diff.Stage         `json:"stages"`
		Findings []diff.FindingChange `json:"findings"`
		Gates    []diff.GateResult    `json:"gates"`
		Note     string               `json:"note,omitempty"`
	}{Base: d.Base, New: d.New, Note: d.Note, Stages: d.Stages, Findings: d.Changes, Gates: gates}
	if out.Stages == nil {
		out.Stages = []diff.Stage{}
	}
	if out.Findings == nil {
		out.Findings = []diff.FindingChange{}
	}
	if out.Gates == nil {
		out.Gates = []diff.GateResult{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
