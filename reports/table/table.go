// Package table is omnistat's neutral result: a named table of typed columns and raw values,
// with notes. Analyses build tables; writers (package render) format them. The package does no
// computing and no formatting beyond what a value is.
package table

// Unit says what a column's numbers measure; writers choose how to show them.
type Unit int

// Units of a column.
const (
	None    Unit = iota // text or a plain label
	Count               // a count of things
	Ns                  // a duration or timestamp in nanoseconds
	Bytes               // a size in bytes (nsys shows MB by default)
	Percent             // a share in percent
	Ratio               // a plain number without unit
	ID                  // an identifier (PID, TID, device): no thousands separators
	Rate                // bytes per second (nsys shows MB/s by default)
)

// Column is one column: Name is the label without unit ("Total Time"), Unit how to show values.
type Column struct {
	Name string
	Unit Unit
	// Hidden columns are computed but not printed (nsys's "_"-prefixed columns).
	Hidden bool
}

// Kind is the type of a Value.
type Kind uint8

// Kinds of values.
const (
	Null Kind = iota
	Int
	Float
	Text
)

// Value is one cell: an int64, a float64 (already rounded as nsys rounds it) or a string.
type Value struct {
	Kind Kind
	I    int64
	F    float64
	S    string
}

// I64 makes an integer cell.
func I64(v int64) Value { return Value{Kind: Int, I: v} }

// F64 makes a float cell.
func F64(v float64) Value { return Value{Kind: Float, F: v} }

// Str makes a text cell.
func Str(v string) Value { return Value{Kind: Text, S: v} }

// Float returns the cell as a float64 (0 for text and NULL).
func (v Value) Float() float64 {
	switch v.Kind {
	case Int:
		return float64(v.I)
	case Float:
		return v.F
	}
	return 0
}

// Table is one report's result.
type Table struct {
	Name    string // report name, e.g. "cuda_api_sum"
	Source  string // the trace file the table was computed from
	Title   string // e.g. "CUDA API Summary"
	Columns []Column
	Rows    [][]Value
	// Stream, when set, yields the rows instead of Rows (the trace reports: a row is built,
	// written and forgotten, so a trace of millions of rows is never held as a table). The row
	// slice is reused between calls: a consumer must not keep it. Stream can be ranged more
	// than once (the column writer measures, then prints).
	Stream func(yield func(row []Value) bool)
	Notes  []string // footnotes: warnings and remarks about the data
}

// Each calls f on every row, of Rows or of Stream, until f returns false.
func (t *Table) Each(f func(row []Value) bool) {
	if t.Stream != nil {
		t.Stream(f)
		return
	}
	for _, r := range t.Rows {
		if !f(r) {
			return
		}
	}
}

// Empty reports whether the table has no row.
func (t *Table) Empty() bool {
	empty := true
	t.Each(func([]Value) bool { empty = false; return false })
	return empty
}

// Materialize returns t with Stream collected into Rows (each row copied); for tests and for
// consumers that need random access.
func (t *Table) Materialize() *Table {
	if t.Stream == nil {
		return t
	}
	out := *t
	out.Stream, out.Rows = nil, nil
	t.Stream(func(r []Value) bool {
		out.Rows = append(out.Rows, append([]Value(nil), r...))
		return true
	})
	return &out
}

// Col returns the index of the column with that name, or -1.
func (t *Table) Col(name string) int {
	for i, c := range t.Columns {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// Header is the label nsys prints for column c: "Total Time (ns)", "Time (%)", "Total (MB)"
// (for Bytes columns, memUnit names the shown unit).
func Header(c Column, memUnit string) string { return HeaderIn(c, memUnit, "ns") }

// HeaderIn is Header with durations shown in timeUnit, nsys's label for it: "ns", "us", "ms"
// or "sec" (`nsys stats --timeunit`): "Total Time (us)".
func HeaderIn(c Column, memUnit, timeUnit string) string {
	switch c.Unit {
	case Ns:
		return c.Name + " (" + timeUnit + ")"
	case Percent:
		return c.Name + " (%)"
	case Bytes:
		return c.Name + " (" + memUnit + ")"
	case Rate:
		return c.Name + " (" + memUnit + "/s)"
	}
	return c.Name
}
