package render

import (
	"encoding/json"
	"io"

	"github.com/omnistat/omnistat/reports/table"
)

// jsonTable is the stable JSON shape of a table: raw values in base units (ns, bytes).
type jsonTable struct {
	Trace   string           `json:"trace,omitempty"`
	Report  string           `json:"report"`
	Title   string           `json:"title"`
	Columns []jsonColumn     `json:"columns"`
	Rows    []map[string]any `json:"rows"`
	Notes   []string         `json:"notes,omitempty"`
}

type jsonColumn struct {
	Name string `json:"name"`
	Unit string `json:"unit,omitempty"`
}

var unitNames = map[table.Unit]string{table.Count: "count", table.Ns: "ns", table.Bytes: "bytes",
	table.Percent: "percent", table.Ratio: "ratio", table.ID: "id", table.Rate: "bytes/s"}

// WriteJSON writes tables as a JSON array; each row is an object keyed by column name, numbers
// stay numbers in base units (ns, bytes), whatever the display options.
func WriteJSON(w io.Writer, ts []*table.Table, _ Options) error {
	if anyStream(ts) {
		return writeJSONStream(w, ts)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(JSONTables(ts))
}

// JSONTables converts tables to the value WriteJSON encodes, for writers that embed tables in a
// larger JSON document.
func JSONTables(ts []*table.Table) any {
	out := make([]jsonTable, 0, len(ts))
	for _, t := range ts {
		jt := jsonTable{Trace: t.Source, Report: t.Name, Title: t.Title, Notes: t.Notes, Rows: []map[string]any{}}
		cols := visible(t)
		for _, ci := range cols {
			c := t.Columns[ci]
			jt.Columns = append(jt.Columns, jsonColumn{Name: c.Name, Unit: unitNames[c.Unit]})
		}
		for _, r := range t.Rows {
			m := make(map[string]any, len(cols))
			for _, ci := range cols {
				v := r[ci]
				switch v.Kind {
				case table.Int:
					m[t.Columns[ci].Name] = v.I
				case table.Float:
					m[t.Columns[ci].Name] = v.F
				case table.Text:
					m[t.Columns[ci].Name] = v.S
				default:
					m[t.Columns[ci].Name] = nil
				}
			}
			jt.Rows = append(jt.Rows, m)
		}
		out = append(out, jt)
	}
	return out
}
