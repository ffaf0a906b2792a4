package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/reports/table"
)

// streamed returns t with its rows behind Stream (one reused row slice, as the reports yield).
func streamed(t *table.Table) *table.Table {
	s := *t
	rows := t.Rows
	s.Rows = nil
	s.Stream = func(yield func([]table.Value) bool) {
		buf := make([]table.Value, len(t.Columns))
		for _, r := range rows {
			copy(buf, r)
			if !yield(buf) {
				return
			}
		}
	}
	return &s
}

// Every writer prints a streamed table byte for byte as the same table with its rows in memory.
func TestStreamEqualsRows(t *testing.T) {
	long := strings.Repeat("void kernel<float, 128>(", 6) + "é日本)"
	tabs := []*table.Table{
		{Name: "x_trace", Title: "X Trace", Columns: []table.Column{
			{Name: "Start", Unit: table.Ns}, {Name: "Duration", Unit: table.Ns}, {Name: "CorrId", Unit: table.ID},
			{Name: "GrdX"}, {Name: "Bytes", Unit: table.Bytes}, {Name: "Throughput", Unit: table.Rate},
			{Name: "Hidden", Hidden: true}, {Name: "Avg", Unit: table.Ratio}, {Name: "Name"}},
			Rows: [][]table.Value{
				{table.I64(1234567), table.I64(480), table.I64(12), {}, table.I64(64), table.I64(133333312), table.I64(1), table.F64(1.25), table.Str("[CUDA memcpy Host-to-Device]")},
				{table.I64(1234999), table.I64(1716), table.I64(13), table.I64(128), {}, {}, table.I64(2), table.F64(7174), table.Str(long)},
				{table.I64(2234999), table.I64(0), table.I64(14), table.I64(1), {}, {}, table.I64(2), table.F64(0.1), table.Str(`a,"b"|c`)},
			}, Notes: []string{"a note"}},
		{Name: "empty", Title: "Empty", Columns: []table.Column{{Name: "Start", Unit: table.Ns}, {Name: "Name"}}},
		{Name: "one", Title: "One", Columns: []table.Column{{Name: "Name"}, {Name: "N", Unit: table.Count}},
			Rows: [][]table.Value{{table.Str("only"), {}}}},
	}
	for _, tb := range tabs {
		for _, f := range Formats {
			for _, o := range []Options{{}, {TimeUnit: "usec", MemUnit: "B"}, {TimeUnit: "sec", MaxText: 20}} {
				var want, got bytes.Buffer
				if err := Write(&want, f, tb, o); err != nil {
					t.Fatal(err)
				}
				if err := Write(&got, f, streamed(tb), o); err != nil {
					t.Fatal(err)
				}
				if got.String() != want.String() {
					t.Errorf("%s %s %+v:\n got\n%s\n want\n%s", tb.Name, f, o, got.String(), want.String())
				}
			}
		}
	}
	// several tables in one JSON document, streamed or not
	var want, got bytes.Buffer
	WriteJSON(&want, tabs, Options{})
	WriteJSON(&got, []*table.Table{streamed(tabs[0]), tabs[1], streamed(tabs[2])}, Options{})
	if got.String() != want.String() {
		t.Errorf("json of several:\n got\n%s\n want\n%s", got.String(), want.String())
	}
}
