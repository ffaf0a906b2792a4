package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// schema is what the export holds: tables and, per table, its columns.
type schema struct {
	tables map[string]bool
	cols   map[string]map[string]bool
	// order lists each wanted table's columns in record order; rowid names its INTEGER PRIMARY
	// KEY column (stored as the rowid), root its b-tree root page.
	order map[string][]string
	rowid map[string]string
	root  map[string]uint32
	// plain marks the wanted tables whose records hold exactly the columns of order (no hidden
	// or generated column); types holds their declared types in upper case, dflt their columns
	// with a DEFAULT (which SQL gives for a column a record lacks).
	plain map[string]bool
	types map[string]map[string]string
	dflt  map[string]map[string]bool
	// maxRows bounds the rows of a table: a cell takes at least 6 bytes of the file. SQL's
	// count(*) of a damaged b-tree can count a subtree many times; slices are sized from it.
	maxRows int
}

func (s *schema) has(table, col string) bool { return s.cols[table][col] }

func readSchema(ctx context.Context, db *sql.DB) (*schema, error) {
	rows, err := db.QueryContext(ctx, `SELECT name, coalesce(rootpage, 0) FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		return nil, err
	}
	s := &schema{tables: map[string]bool{}, cols: map[string]map[string]bool{}, order: map[string][]string{},
		rowid: map[string]string{}, root: map[string]uint32{}, plain: map[string]bool{},
		types: map[string]map[string]string{}, dflt: map[string]map[string]bool{}}
	for rows.Next() {
		var name string
		var root int64
		if err := rows.Scan(&name, &root); err != nil {
			rows.Close()
			return nil, err
		}
		s.tables[name] = true
		if root > 0 && root < 1<<32 {
			s.root[name] = uint32(root)
		}
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, t := range wantedTables {
		if !s.tables[t] {
			continue
		}
		if err := s.readColumns(ctx, db, t); err != nil {
			return nil, fmt.Errorf("read columns of %s: %w", t, err)
		}
	}
	return s, nil
}

// readColumns reads the columns of table t, and whether it has a rowid alias: an INTEGER
// PRIMARY KEY column with no index of its own (INTEGER PRIMARY KEY DESC and WITHOUT ROWID
// tables have one).
func (s *schema) readColumns(ctx context.Context, db *sql.DB, t string) error {
	r, err := db.QueryContext(ctx, fmt.Sprintf(`SELECT name, upper(coalesce(type, '')), pk, dflt_value IS NOT NULL, hidden
		FROM pragma_table_xinfo(%s) ORDER BY cid`, quoteString(t)))
	if err != nil {
		return err
	}
	defer r.Close()
	cols, types, dflt := map[string]bool{}, map[string]string{}, map[string]bool{}
	plain := true
	var pks []string
	for r.Next() {
		var c, typ string
		var pk, hidden int
		var hasDefault bool
		if err := r.Scan(&c, &typ, &pk, &hasDefault, &hidden); err != nil {
			return err
		}
		if hidden != 0 {
			plain = false
			continue
		}
		cols[c], types[c], dflt[c] = true, typ, hasDefault
		s.order[t] = append(s.order[t], c)
		if pk > 0 {
			pks = append(pks, c)
		}
	}
	if err := r.Err(); err != nil {
		return err
	}
	if len(pks) == 1 && types[pks[0]] == "INTEGER" {
		var n int
		q := fmt.Sprintf(`SELECT count(*) FROM pragma_index_list(%s) WHERE origin = 'pk'`, quoteString(t))
		if err := db.QueryRowContext(ctx, q).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			s.rowid[t] = pks[0]
		}
	}
	s.cols[t], s.types[t], s.dflt[t], s.plain[t] = cols, types, dflt, plain
	return nil
}

// recordCol is the record column that holds col of table: -1 for the rowid, -2 for a column the
// table lacks.
func (s *schema) recordCol(table, col string) int {
	if col == s.rowid[table] {
		return -1
	}
	for i, c := range s.order[table] {
		if c == col {
			return i
		}
	}
	return -2
}

// scannable reports whether the scanner reads the columns ints (as integers) and text (as text,
// "" for none) of table exactly as SQL does: SQL converts a column of REAL affinity to a real
// when it reads it, the driver turns text of a date type into a time, and a record without a
// column gives its DEFAULT.
func (s *schema) scannable(table string, ints []string, text string) bool {
	if !s.plain[table] || s.root[table] == 0 {
		return false
	}
	for _, c := range append(ints, text) {
		if c == "" || !s.has(table, c) || c == s.rowid[table] {
			continue
		}
		typ := s.types[table][c]
		if s.dflt[table][c] || realAffinity(typ) {
			return false
		}
		if c == text && (typ == "DATE" || typ == "DATETIME" || typ == "TIMESTAMP") {
			return false
		}
	}
	return true
}

// realAffinity reports whether a declared type gives a column REAL affinity, by SQLite's rules:
// INT anywhere makes it INTEGER; CHAR, CLOB or TEXT, TEXT; BLOB, BLOB; then REAL, FLOA or DOUB.
func realAffinity(typ string) bool {
	has := func(subs ...string) bool {
		for _, x := range subs {
			if strings.Contains(typ, x) {
				return true
			}
		}
		return false
	}
	return !has("INT", "CHAR", "CLOB", "TEXT", "BLOB") && has("REAL", "FLOA", "DOUB")
}

// wantedTables are the tables omnistat reads.
var wantedTables = []string{
	"StringIds", "PROCESSES", "ThreadNames", "TARGET_INFO_GPU", "META_DATA_EXPORT", "EXPORT_META_DATA",
	"TARGET_INFO_SYSTEM_ENV", "TARGET_INFO_SESSION_START_TIME", "ENUM_CUDA_MEMCPY_OPER", "ENUM_CUDA_MEM_KIND",
	"CUPTI_ACTIVITY_KIND_RUNTIME", "CUPTI_ACTIVITY_KIND_KERNEL", "CUPTI_ACTIVITY_KIND_MEMCPY",
	"CUPTI_ACTIVITY_KIND_MEMSET", "NVTX_EVENTS", "OSRT_API",
}

// exportMarkers are tables of which an nsys export holds at least one.
var exportMarkers = []string{"CUPTI_ACTIVITY_KIND_RUNTIME", "CUPTI_ACTIVITY_KIND_KERNEL", "NVTX_EVENTS", "OSRT_API",
	"TARGET_INFO_GPU", "ThreadNames", "META_DATA_EXPORT", "EXPORT_META_DATA"}
