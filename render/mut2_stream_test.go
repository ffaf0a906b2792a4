package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/omnistat/omnistat/reports/table"
)

// TestStreamCSVQuotes: a streamed CSV doubles every quote of a text cell, a quote at the start of
// the text included (expected bytes: Python's csv.writer, lineterminator "\n").
func TestStreamCSVQuotes(t *testing.T) {
	tb := &table.Table{Name: "q", Title: "Quotes", Columns: []table.Column{{Name: "Name"}, {Name: "Calls", Unit: table.Count}}}
	for _, s := range []string{`"quoted" name`, `"`, `a"b"`, "x,y", "plain"} {
		tb.Rows = append(tb.Rows, []table.Value{table.Str(s), table.I64(7)})
	}
	const want = "Name,Calls\n\"\"\"quoted\"\" name\",7\n\"\"\"\",7\n\"a\"\"b\"\"\",7\n\"x,y\",7\nplain,7\n"
	for _, in := range []*table.Table{tb, streamed(tb)} {
		var b bytes.Buffer
		if err := WriteCSV(&b, in, Options{}); err != nil {
			t.Fatal(err)
		}
		if b.String() != want {
			t.Errorf("streamed %v:\n%q\nwant\n%q", in.Stream != nil, b.String(), want)
		}
	}
}

// TestStreamNumericStopsEarly: deciding which columns are numeric reads rows only until every
// column has a non-NULL value (a trace report may stream millions of rows); an all-NULL column
// takes its unit's word.
func TestStreamNumericStopsEarly(t *testing.T) {
	tb := &table.Table{Name: "n", Columns: []table.Column{{Name: "Name"}, {Name: "Start", Unit: table.Ns}, {Name: "Gap", Unit: table.Ns}, {Name: "Tag"}}}
	rows := [][]table.Value{
		{table.Str("a"), {}, {}, {}},
		{{}, table.I64(5), {}, {}},
		{table.Str("b"), table.I64(6), {}, {}},
		{table.Str("c"), table.I64(7), {}, {}},
	}
	for _, c := range []struct {
		cols []int
		read int
		want string
	}{
		{[]int{0, 1}, 2, "[false true]"},                  // both decided at the second row
		{[]int{1}, 2, "[true]"},                           // the first row's NULL decides nothing
		{[]int{0}, 1, "[false]"},                          // text at once
		{[]int{0, 1, 2, 3}, 4, "[false true true false]"}, // never all decided: every row, then the units
	} {
		read := 0
		tb.Stream = func(yield func([]table.Value) bool) {
			for _, r := range rows {
				read++
				if !yield(r) {
					return
				}
			}
		}
		if got := fmt.Sprint(streamNumeric(tb, c.cols)); got != c.want || read != c.read {
			t.Errorf("columns %v: %s after %d rows, want %s after %d", c.cols, got, read, c.want, c.read)
		}
	}
}

// TestStreamJSONMixed: in one JSON document with a streamed table, a table with its rows in
// memory keeps its rows (each an object keyed by column name, in base units), as WriteJSON
// writes them without any streamed table.
func TestStreamJSONMixed(t *testing.T) {
	a := &table.Table{Name: "a", Title: "A", Columns: []table.Column{{Name: "Name"}, {Name: "Start", Unit: table.Ns}},
		Rows: [][]table.Value{{table.Str("k1"), table.I64(10)}}}
	b := &table.Table{Name: "b", Title: "B", Columns: []table.Column{{Name: "Bytes", Unit: table.Bytes}, {Name: "Avg", Unit: table.Ratio}},
		Rows: [][]table.Value{{table.I64(4096), table.F64(1.5)}, {table.I64(8), {}}}}
	var plain, mixed bytes.Buffer
	if err := WriteJSON(&plain, []*table.Table{a, b}, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(&mixed, []*table.Table{streamed(a), b}, Options{MemUnit: "KB"}); err != nil {
		t.Fatal(err)
	}
	var doc []struct {
		Report string           `json:"report"`
		Rows   []map[string]any `json:"rows"`
	}
	if err := json.Unmarshal(mixed.Bytes(), &doc); err != nil {
		t.Fatalf("%v:\n%s", err, mixed.String())
	}
	got := fmt.Sprint(doc)
	if want := "[{a [map[Name:k1 Start:10]]} {b [map[Avg:1.5 Bytes:4096] map[Avg:<nil> Bytes:8]]}]"; got != want {
		t.Errorf("decoded %s, want %s", got, want)
	}
	if mixed.String() != plain.String() {
		t.Errorf("mixed:\n%s\nwant\n%s", mixed.String(), plain.String())
	}
}
