package render

import (
	"bufio"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/omnistat/omnistat/reports/stat"
	"github.com/omnistat/omnistat/reports/table"
)

// The writers of streamed tables (table.Table.Stream: the trace reports). Each writes the same
// bytes as the writer of the same table with its rows materialised (stream_test.go checks it),
// holding one row at a time: the column and markdown formats range the rows twice (widths and
// alignment first), CSV and JSON once.

// appendCell appends the CSV text of v in column c (cell's text) to b, without allocating for
// integers and converted durations.
func appendCell(b []byte, v table.Value, c table.Column, o Options) []byte {
	switch v.Kind {
	case table.Null:
		return b
	case table.Text:
		return append(b, v.S...)
	}
	if c.Unit == table.Bytes || c.Unit == table.Rate {
		div, dec := memScale(o.memUnit())
		if dec < 0 {
			if v.Kind == table.Int {
				return strconv.AppendInt(b, v.I, 10)
			}
			return append(b, stat.PyFloat(v.F)...)
		}
		return strconv.AppendFloat(b, v.Float()/div, 'f', dec, 64)
	}
	if tu := o.timeUnit(); c.Unit == table.Ns && tu.dec >= 0 {
		return strconv.AppendFloat(b, v.Float()*tu.factor, 'f', tu.dec, 64)
	}
	if v.Kind == table.Int {
		return strconv.AppendInt(b, v.I, 10)
	}
	return append(b, stat.PyFloat(v.F)...)
}

// writeCSVStream is WriteCSV for a streamed table: the header goes out with the first row (no
// row, no header, as nsys), each row is formatted into one reused buffer.
func writeCSVStream(w io.Writer, t *table.Table, o Options) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	cols := visible(t)
	var buf []byte
	started := false
	var err error
	t.Stream(func(r []table.Value) bool {
		if !started {
			started = true
			for j, ci := range cols {
				if j > 0 {
					bw.WriteByte(',')
				}
				bw.WriteString(csvField(headerOf(t.Columns[ci], o)))
			}
			bw.WriteByte('\n')
		}
		buf = buf[:0]
		for j, ci := range cols {
			if j > 0 {
				buf = append(buf, ',')
			}
			if v := r[ci]; v.Kind == table.Text && strings.ContainsAny(v.S, ",\"\r\n") {
				buf = appendQuoted(buf, v.S)
			} else {
				buf = appendCell(buf, v, t.Columns[ci], o)
			}
		}
		buf = append(buf, '\n')
		_, err = bw.Write(buf)
		return err == nil
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

// appendQuoted appends s quoted as csvField quotes it.
func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			break
		}
		b = append(b, s[:i+1]...)
		b = append(b, '"')
		s = s[i+1:]
	}
	b = append(b, s...)
	return append(b, '"')
}

// streamNumeric is isNumeric for a streamed table: a column is numeric when its first non-NULL
// value is a number (text: not), or, all NULL, when its unit says so.
func streamNumeric(t *table.Table, cols []int) []bool {
	num := make([]bool, len(cols))
	decided := make([]bool, len(cols))
	left := len(cols)
	t.Stream(func(r []table.Value) bool {
		for j, ci := range cols {
			if decided[j] {
				continue
			}
			switch r[ci].Kind {
			case table.Int, table.Float:
				num[j], decided[j] = true, true
				left--
			case table.Text:
				decided[j] = true
				left--
			}
		}
		return left > 0
	})
	for j, ci := range cols {
		if !decided[j] {
			num[j] = t.Columns[ci].Unit != table.None
		}
	}
	return num
}

// columnText is the text of a cell of the column format (as WriteColumn shows it).
func columnText(v table.Value, c table.Column, o Options, numeric bool) string {
	s := pretty(v, c, o)
	if numeric {
		return s
	}
	return o.clip(s)
}

// writeColumnStream is WriteColumn for a streamed table: a first pass measures the columns,
// a second prints them as tablewriter lays them out (one space each side of a cell, numbers
// right-aligned, text left), trailing blanks dropped and the rule as wide as the widest line.
func writeColumnStream(w io.Writer, t *table.Table, o Options) error {
	cols := visible(t)
	num := streamNumeric(t, cols)
	header := make([]string, len(cols))
	width := make([]int, len(cols))
	for j, ci := range cols {
		header[j] = headerOf(t.Columns[ci], o)
		width[j] = twwidth.Width(header[j])
	}
	t.Stream(func(r []table.Value) bool {
		for j, ci := range cols {
			width[j] = max(width[j], twwidth.Width(columnText(r[ci], t.Columns[ci], o, num[j])))
		}
		return true
	})
	var line []byte
	widest := 0
	format := func(cells func(j int) string) []byte {
		line = line[:0]
		for j := range cols {
			s := cells(j)
			pad := width[j] - twwidth.Width(s)
			line = append(line, ' ')
			if num[j] {
				line = appendSpaces(line, pad)
				line = append(line, s...)
			} else {
				line = append(line, s...)
				line = appendSpaces(line, pad)
			}
			line = append(line, ' ')
		}
		line = []byte(strings.TrimRight(string(line), " "))
		widest = max(widest, utf8.RuneCount(line))
		return append(line, '\n')
	}
	// the widest line decides the rule under the header: measure every row first
	rows := 0
	t.Stream(func(r []table.Value) bool {
		rows++
		format(func(j int) string { return columnText(r[cols[j]], t.Columns[cols[j]], o, num[j]) })
		return true
	})
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.Write(format(func(j int) string { return header[j] }))
	if rows > 0 { // tablewriter draws no rule under a header without rows
		bw.WriteString(strings.Repeat("-", widest) + "\n")
	}
	var err error
	t.Stream(func(r []table.Value) bool {
		_, err = bw.Write(format(func(j int) string { return columnText(r[cols[j]], t.Columns[cols[j]], o, num[j]) }))
		return err == nil
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

func appendSpaces(b []byte, n int) []byte {
	for ; n > 0; n-- {
		b = append(b, ' ')
	}
	return b
}

// writeMarkdownStream is WriteMarkdown for a streamed table.
func writeMarkdownStream(w io.Writer, t *table.Table, o Options) error {
	cols := visible(t)
	num := streamNumeric(t, cols)
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString("### " + Printable(t.Title) + " (" + t.Name + ")\n\n|")
	for _, ci := range cols {
		bw.WriteString(" " + mdEscape(headerOf(t.Columns[ci], o)) + " |")
	}
	bw.WriteString("\n|")
	for j := range cols {
		if num[j] {
			bw.WriteString(" ---: |")
		} else {
			bw.WriteString(" --- |")
		}
	}
	bw.WriteString("\n")
	var err error
	t.Stream(func(r []table.Value) bool {
		bw.WriteString("|")
		for j, ci := range cols {
			v := pretty(r[ci], t.Columns[ci], o)
			if o.MaxText > 0 && !num[j] { // a number is never cut, as in WriteMarkdown
				v = o.clip(v)
			}
			bw.WriteString(" " + mdEscape(v) + " |")
		}
		_, err = bw.WriteString("\n")
		return err == nil
	})
	if err != nil {
		return err
	}
	for _, n := range t.Notes {
		bw.WriteString("\n- " + mdEscape(n))
	}
	if len(t.Notes) > 0 {
		bw.WriteString("\n")
	}
	return bw.Flush()
}

// writeJSONStream writes the tables as WriteJSON does; the rows of a streamed table are encoded
// one at a time into the place its (empty) row list takes in the encoded table.
func writeJSONStream(w io.Writer, ts []*table.Table) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if len(ts) == 0 {
		bw.WriteString("[]\n")
		return bw.Flush()
	}
	bw.WriteString("[\n")
	for i, t := range ts {
		// the table without rows, as WriteJSON indents it inside the array
		b, err := json.MarshalIndent(JSONTables([]*table.Table{{Name: t.Name, Source: t.Source, Title: t.Title,
			Columns: t.Columns, Notes: t.Notes}}), "", "  ")
		if err != nil {
			return err
		}
		s := string(b)
		s = strings.TrimSuffix(strings.TrimPrefix(s, "[\n"), "\n]")
		const empty = "\n    \"rows\": []"
		head, tail, ok := strings.Cut(s, empty)
		if !ok || t.Stream == nil && len(t.Rows) == 0 {
			bw.WriteString(s)
		} else {
			bw.WriteString(head + "\n    \"rows\": [")
			first := true
			cols := visible(t)
			var err error
			m := make(map[string]any, len(cols))
			t.Each(func(r []table.Value) bool {
				for _, ci := range cols {
					m[t.Columns[ci].Name] = jsonValue(r[ci])
				}
				var row []byte
				if row, err = json.MarshalIndent(m, "      ", "  "); err != nil {
					return false
				}
				if !first {
					bw.WriteByte(',')
				}
				first = false
				bw.WriteString("\n      ")
				_, err = bw.Write(row)
				return err == nil
			})
			if err != nil {
				return err
			}
			if first {
				bw.WriteString("]")
			} else {
				bw.WriteString("\n    ]")
			}
			bw.WriteString(tail)
		}
		if i < len(ts)-1 {
			bw.WriteString(",")
		}
		bw.WriteString("\n")
	}
	bw.WriteString("]\n")
	return bw.Flush()
}

func jsonValue(v table.Value) any {
	switch v.Kind {
	case table.Int:
		return v.I
	case table.Float:
		return v.F
	case table.Text:
		return v.S
	}
	return nil
}

// anyStream reports whether one of ts is streamed.
func anyStream(ts []*table.Table) bool {
	for _, t := range ts {
		if t.Stream != nil {
			return true
		}
	}
	return false
}
