package sqlite

import (
	"context"
	"database/sql"

	"github.com/omnistat/omnistat/trace"
)

// intCol names an integer column to read into dst; a column the table lacks reads as Null.
type intCol struct {
	name string
	dst  *[]int64
	// id, when set instead of dst, receives a column of ids (string or correlation ids), 32
	// bits each (NULL is trace.Null32); an id outside 32 bits fails the read (readInts, badID)
	id *[]int32
	// codes, when set instead of dst, receives a column of few distinct values (threads,
	// processes, devices), encoded once read (trace.Codes)
	codes *trace.Codes
	// sparse marks a 64-bit column of mostly NULLs, left nil when every value is (see
	// scanSpec.sparse; the SQL path reads it whole)
	sparse bool
}

// codeCol names a column of few distinct values to read into dst.
func codeCol(name string, dst *trace.Codes) intCol { return intCol{name: name, codes: dst} }

// idCol names a column of 32-bit ids to read into dst.
func idCol(name string, dst *[]int32) intCol { return intCol{name: name, id: dst} }

// narrowIDs stores the ids of wide, checked to fit, in dst, 32 bits each (NULL is trace.Null32).
func narrowIDs(wide []int64, dst *[]int32) {
	out := make([]int32, len(wide))
	for i, v := range wide {
		out[i] = int32(v)
		if v == trace.Null {
			out[i] = trace.Null32
		}
	}
	*dst = out
}

// readInts reads integer columns of table (with an optional WHERE clause) into the slices.
// NULLs become trace.Null. Without a WHERE clause and with a pager, the file-format scanner reads
// the table; otherwise, or where the table holds a value SQL converts, SQL does (once the table
// is checked), the slices sized from a count(*) first.
func readInts(ctx context.Context, db *sql.DB, s *schema, table, where string, cols []intCol) error {
	wide := make([][]int64, len(cols)) // the coded columns, read at 64 bits first
	for i := range cols {
		if cols[i].codes != nil {
			cols[i].dst = &wide[i]
		}
	}
	err := readInts64(ctx, db, s, table, where, cols)
	for i, c := range cols {
		if c.codes != nil {
			*c.codes, wide[i] = trace.CodesOf(wide[i]), nil
		}
	}
	return err
}
