package table

import (
	"slices"
	"testing"
)

// The header nsys prints for each unit: "(ns)" or the --timeunit label for durations, "(%)",
// the memory unit for sizes and "/s" after it for rates; a plain name for the others.
func TestHeaderIn(t *testing.T) {
	for _, c := range []struct {
		col  Column
		want string
	}{
		{Column{Name: "Total Time", Unit: Ns}, "Total Time (us)"},
		{Column{Name: "Time", Unit: Percent}, "Time (%)"},
		{Column{Name: "Total", Unit: Bytes}, "Total (GB)"},
		{Column{Name: "Throughput", Unit: Rate}, "Throughput (GB/s)"},
		{Column{Name: "Count", Unit: Count}, "Count"},
		{Column{Name: "PID", Unit: ID}, "PID"},
		{Column{Name: "Name", Unit: None}, "Name"},
	} {
		if got := HeaderIn(c.col, "GB", "us"); got != c.want {
			t.Errorf("HeaderIn(%+v) = %q, want %q", c.col, got, c.want)
		}
	}
	if got := Header(Column{Name: "Avg", Unit: Ns}, "MB"); got != "Avg (ns)" {
		t.Errorf("Header = %q, want Avg (ns)", got)
	}
}

func TestValues(t *testing.T) {
	for _, c := range []struct {
		v    Value
		want float64
	}{{I64(-7), -7}, {F64(2.5), 2.5}, {Str("3"), 0}, {Value{}, 0}} {
		if got := c.v.Float(); got != c.want {
			t.Errorf("%+v.Float() = %v, want %v", c.v, got, c.want)
		}
	}
}

// Each, Empty and Materialize see the same rows from Rows and from Stream; a Stream row slice
// reused between calls is copied by Materialize; Each stops when f returns false.
func TestRowsAndStream(t *testing.T) {
	rows := [][]Value{{I64(1), Str("a")}, {I64(2), Str("b")}, {I64(3), Str("c")}}
	stream := func(yield func([]Value) bool) {
		buf := make([]Value, 2)
		for _, r := range rows {
			copy(buf, r)
			if !yield(buf) {
				return
			}
		}
	}
	for _, tb := range []*Table{{Rows: rows}, {Stream: stream}} {
		var firsts []int64
		tb.Each(func(r []Value) bool { firsts = append(firsts, r[0].I); return len(firsts) < 2 })
		if !slices.Equal(firsts, []int64{1, 2}) {
			t.Errorf("Each stopped after %v, want [1 2]", firsts)
		}
		if tb.Empty() {
			t.Error("a table of three rows is empty")
		}
		m := tb.Materialize()
		if m.Stream != nil || len(m.Rows) != 3 || m.Rows[0][1].S != "a" || m.Rows[2][1].S != "c" {
			t.Errorf("Materialize: %+v", m.Rows)
		}
	}
	if !(&Table{}).Empty() || !(&Table{Stream: func(func([]Value) bool) {}}).Empty() {
		t.Error("a table without rows is not empty")
	}
	tb := &Table{Columns: []Column{{Name: "A"}, {Name: "B"}}}
	if tb.Col("B") != 1 || tb.Col("A") != 0 || tb.Col("C") != -1 {
		t.Errorf("Col: %d %d %d", tb.Col("A"), tb.Col("B"), tb.Col("C"))
	}
}
