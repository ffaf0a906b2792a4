package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// wrongValue says which column of row r (0-based, in the order read) holds a value SQL cannot
// read as an integer (text, a real with a fraction): its name, the value and the row, by its
// rowid when SQLite finds it; err when the row cannot be read again.
func wrongValue(ctx context.Context, db *sql.DB, table string, cols []intCol, rows *sql.Rows, r int, err error) error {
	cts, cerr := rows.ColumnTypes()
	if cerr != nil {
		return fmt.Errorf("read %s: %w", table, err)
	}
	raw := make([]any, len(cts))
	ptrs := make([]any, len(raw))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	if rows.Scan(ptrs...) != nil {
		return fmt.Errorf("read %s: %w", table, err)
	}
	for i, c := range cols {
		var what string
		switch v := raw[i].(type) {
		case int64, nil:
			continue
		case float64:
			what = fmt.Sprintf("the real %v", v)
		case string:
			what = fmt.Sprintf("the text %q", clipText(v))
		case []byte:
			what = fmt.Sprintf("a blob of %d bytes", len(v))
		default:
			what = fmt.Sprintf("%v", v)
		}
		return fmt.Errorf("%w: read %s: %s holds %s in %s, where nsys writes an integer", ErrCorrupt, table, c.name, what,
			rowNamed(ctx, db, table, c.name, raw[i], r))
	}
	return fmt.Errorf("read %s: %w", table, err)
}

// clipText is a text value for a message: its first 40 characters.
func clipText(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// rowNamed names the row of table whose column col holds v, r the row's place (0-based, in the
// order read): "the row of rowid N" when SQLite finds it (a row the user can select), else
// "row r+1".
func rowNamed(ctx context.Context, db *sql.DB, table, col string, v any, r int) string {
	var rowid int64
	q := fmt.Sprintf("SELECT rowid FROM %s WHERE %s = ? ORDER BY rowid LIMIT 1", quoteIdent(table), quoteIdent(col))
	if db.QueryRowContext(ctx, q, v).Scan(&rowid) == nil {
		return fmt.Sprintf("the row of rowid %d", rowid)
	}
	return fmt.Sprintf("row %d", r+1)
}

// badID is the first id of a table outside 32 bits: its row (0-based, in the order read), its
// column and its value.
type badID struct {
	row int
	col string
	v   int64
}

// err says which id of table is not one nsys writes, naming the row by its rowid when SQLite
// finds it (a query the user can repeat), else by its place.
func (b badID) err(ctx context.Context, db *sql.DB, table string) error {
	where := rowNamed(ctx, db, table, b.col, b.v, b.row)
	return fmt.Errorf("%w: read %s: %s %d in %s is not an id nsys writes (it numbers strings and calls from 0; omnistat keeps ids in 32 bits)",
		ErrCorrupt, table, b.col, b.v, where)
}
