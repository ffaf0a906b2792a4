package sqlite

import (
	"database/sql"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/trace"
)

// checkTables are the event tables checkRows checks, with the column that names a string
// ("" for none) and the columns the test compares row by row.
var checkTables = []struct {
	table, name string
	cols        []string
}{
	{"CUPTI_ACTIVITY_KIND_RUNTIME", "nameId", []string{"correlationId", "nameId"}},
	{"OSRT_API", "nameId", []string{"nameId", "eventClass"}},
	{"CUPTI_ACTIVITY_KIND_KERNEL", "demangledName", []string{"correlationId", "demangledName", "registersPerThread", "gridX"}},
	{"CUPTI_ACTIVITY_KIND_MEMCPY", "", []string{"correlationId", "bytes"}},
	{"CUPTI_ACTIVITY_KIND_MEMSET", "", []string{"correlationId", "bytes"}},
}

// editedCopy copies a testdata trace into a fresh directory, drops the NOT NULL constraints of
// its tables (the records on disk stay as they are) and runs the statements on the copy.
func editedCopy(t *testing.T, src string, stmts ...string) string {
	t.Helper()
	db, p := live(t, src)
	mustExec(t, db, "PRAGMA writable_schema=ON",
		`UPDATE sqlite_master SET sql = replace(sql, 'NOT NULL', '') WHERE type = 'table'`,
		"PRAGMA writable_schema=OFF")
	db.Close()
	db, err := sql.Open("sqlite", p) // the edited schema is read by a new connection
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	mustExec(t, db, stmts...)
	return p
}

func queryInt(t *testing.T, db *sql.DB, q string) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// wantCheckNotes is what checkRows must note of the file at p, counted by SQLite.
func wantCheckNotes(t *testing.T, db *sql.DB) []string {
	t.Helper()
	var notes []string
	for _, c := range checkTables {
		neg := queryInt(t, db, fmt.Sprintf(`SELECT count(*) FROM %s WHERE "end" < start`, c.table))
		if neg > 0 {
			notes = append(notes, fmt.Sprintf("%d rows of %s end before they start: their negative durations are counted, as nsys counts them", neg, c.table))
		}
		bad := queryInt(t, db, fmt.Sprintf(`SELECT count(*) FROM %s WHERE start IS NULL OR "end" IS NULL`, c.table))
		if bad > 0 {
			notes = append(notes, fmt.Sprintf("%d rows of %s have no start or end: skipped", bad, c.table))
		}
	}
	for _, c := range checkTables {
		if c.name == "" {
			continue
		}
		n := queryInt(t, db, fmt.Sprintf(`SELECT count(*) FROM %s WHERE start NOT NULL AND "end" NOT NULL
			AND %s NOT NULL AND %[2]s NOT IN (SELECT id FROM StringIds)`, c.table, c.name))
		if n > 0 {
			notes = append(notes, fmt.Sprintf("%d rows of %s name a string id that StringIds lacks: their names print empty, as in nsys", n, c.table))
		}
	}
	open := queryInt(t, db, `SELECT count(*) FROM NVTX_EVENTS WHERE eventType IN (59, 60, 70, 71) AND "end" IS NULL`)
	if open > 0 {
		notes = append(notes, fmt.Sprintf("%d NVTX ranges never ended: they end at the last NVTX timestamp, as in nsys", open))
	}
	return notes
}

// checkNotesOf keeps the notes checkRows writes.
func checkNotesOf(notes []string) []string {
	var out []string
	for _, n := range notes {
		if strings.Contains(n, " rows of ") || strings.Contains(n, "NVTX ranges never ended") {
			out = append(out, n)
		}
	}
	return out
}

// kept reads the columns of the rows of table with a start and an end, in rowid order, with
// trace.Null for NULL.
func kept(t *testing.T, db *sql.DB, table string, cols []string) [][]int64 {
	t.Helper()
	exprs := []string{"start", `"end"`}
	for _, c := range cols {
		exprs = append(exprs, fmt.Sprintf("coalesce(%s, %d)", c, trace.Null))
	}
	rows, err := db.Query(fmt.Sprintf(`SELECT %s FROM %s WHERE start NOT NULL AND "end" NOT NULL ORDER BY rowid`,
		strings.Join(exprs, ", "), table))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := make([][]int64, len(exprs))
	vals := make([]int64, len(exprs))
	ptrs := make([]any, len(exprs))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			out[i] = append(out[i], v)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// modelCols is the model's columns of table: start, end and cols, then every column read.
func modelCols(tr *trace.Trace, table string) (named map[string][]int64, all map[string][]int64) {
	var v reflect.Value
	var named0 map[string][]int64
	switch table {
	case "CUPTI_ACTIVITY_KIND_RUNTIME":
		v, named0 = reflect.ValueOf(tr.Runtime), map[string][]int64{"correlationId": wideIDs(tr.Runtime.CorrID), "nameId": wideIDs(tr.Runtime.NameID)}
	case "OSRT_API":
		v, named0 = reflect.ValueOf(tr.OSRT), map[string][]int64{"nameId": wideIDs(tr.OSRT.NameID), "eventClass": tr.OSRT.EventClass}
	case "CUPTI_ACTIVITY_KIND_KERNEL":
		k := tr.Kernels
		v, named0 = reflect.ValueOf(k), map[string][]int64{"correlationId": wideIDs(k.CorrID), "demangledName": wideIDs(k.Demangled),
			"registersPerThread": k.Registers, "gridX": k.GridX}
	case "CUPTI_ACTIVITY_KIND_MEMCPY":
		v, named0 = reflect.ValueOf(tr.Memcpy), map[string][]int64{"correlationId": wideIDs(tr.Memcpy.CorrID), "bytes": tr.Memcpy.Bytes}
	case "CUPTI_ACTIVITY_KIND_MEMSET":
		v, named0 = reflect.ValueOf(tr.Memset), map[string][]int64{"correlationId": wideIDs(tr.Memset.CorrID), "bytes": tr.Memset.Bytes}
	}
	all = map[string][]int64{}
	for i := 0; i < v.NumField(); i++ {
		if s, ok := v.Field(i).Interface().([]int64); ok && s != nil {
			all[v.Type().Field(i).Name] = s
		}
	}
	named0["start"], named0["end"] = all["Start"], all["End"]
	return named0, all
}

// TestCheckRowsNotes: rows without a start or an end are dropped from every column read, and
// counted in a note; rows ending before they start, string ids StringIds lacks and NVTX ranges
// never ended are counted in notes; tables without any of these get no note. The counts and
// the rows kept are SQLite's, on a copy edited through SQL.
func TestCheckRowsNotes(t *testing.T) {
	const rt, k = "CUPTI_ACTIVITY_KIND_RUNTIME", "CUPTI_ACTIVITY_KIND_KERNEL"
	p := editedCopy(t, "../testdata/traces/foreign_repeat.2.sqlite",
		`UPDATE `+rt+` SET start = NULL WHERE rowid % 40 = 1`,
		`UPDATE `+rt+` SET "end" = NULL WHERE rowid % 40 = 2`,
		`UPDATE `+rt+` SET start = NULL, "end" = NULL WHERE rowid % 40 = 3`,
		`UPDATE `+rt+` SET "end" = start - 5 WHERE rowid % 40 = 4`,
		`UPDATE `+rt+` SET "end" = start WHERE rowid % 40 = 5`,
		// dangling ids, in kept rows and in a dropped one; NULL ids are not dangling
		`UPDATE `+rt+` SET nameId = 987654 WHERE rowid % 40 IN (1, 6, 7)`,
		`UPDATE `+rt+` SET nameId = NULL WHERE rowid % 40 IN (8, 9, 10, 11)`,
		`UPDATE `+k+` SET "end" = NULL WHERE rowid % 30 = 4`,
		`UPDATE `+k+` SET "end" = start - 1 WHERE rowid % 30 = 5`,
		`UPDATE `+k+` SET demangledName = 987655 WHERE rowid % 30 = 6`,
		`UPDATE CUPTI_ACTIVITY_KIND_MEMCPY SET start = NULL WHERE rowid = 3`,
		// the memsets all last: no note; OSRT calls untouched
		`UPDATE CUPTI_ACTIVITY_KIND_MEMSET SET "end" = start WHERE rowid % 2 = 0`,
		// ranges never ended, and marks (no end, not ranges)
		`UPDATE NVTX_EVENTS SET "end" = NULL WHERE rowid % 5 = 1`,
		`UPDATE NVTX_EVENTS SET "end" = NULL, eventType = 34 WHERE rowid % 5 = 2`)
	db, err := openDB(p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	want := wantCheckNotes(t, db)
	// the edits must make each kind of note, and leave OSRT_API and the memsets without any
	for _, s := range []string{"rows of " + rt + " end before", "rows of " + rt + " have no start", "rows of " + rt + " name a",
		"rows of " + k + " end before", "rows of " + k + " have no start", "rows of " + k + " name a",
		"rows of CUPTI_ACTIVITY_KIND_MEMCPY have no start", "NVTX ranges never ended"} {
		if !strings.Contains(strings.Join(want, "\n"), s) {
			t.Fatalf("the edited copy has no %q: %q", s, want)
		}
	}
	for _, opt := range []Options{{Trace: true, Mangled: true}, {Trace: true, SQLOnly: true, Mangled: true}, {Mangled: true}} {
		tr, err := Read(ctx, p, opt)
		if err != nil {
			t.Fatal(err)
		}
		if got := checkNotesOf(tr.Notes); !slices.Equal(got, want) {
			t.Errorf("SQLOnly %v: notes\n%q\nwant\n%q", opt.SQLOnly, got, want)
		}
		for _, c := range checkTables {
			wantCols := kept(t, db, c.table, c.cols)
			named, all := modelCols(tr, c.table)
			for name, col := range all {
				if len(col) != len(wantCols[0]) {
					t.Errorf("SQLOnly %v, Trace %v: %s.%s has %d rows, want %d", opt.SQLOnly, opt.Trace, c.table, name, len(col), len(wantCols[0]))
				}
			}
			for i, name := range append([]string{"start", "end"}, c.cols...) {
				if named[name] == nil && !opt.Trace {
					continue // not read without Options.Trace
				}
				if !slices.Equal(named[name], wantCols[i]) {
					t.Errorf("SQLOnly %v, Trace %v: %s.%s differs from SQLite's rows with a start and an end", opt.SQLOnly, opt.Trace, c.table, name)
				}
			}
		}
	}
}

// TestCheckRowsNotesClean: real exports whose rows all have a start and an end and whose NVTX
// ranges all ended (diffusion's marks have no end) get only the notes SQLite's counts call for.
func TestCheckRowsNotesClean(t *testing.T) {
	for _, name := range []string{"diffusion", "foreign_repeat.2"} {
		p := "../testdata/traces/" + name + ".sqlite"
		db, err := openDB(p)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		want := wantCheckNotes(t, db)
		if open := queryInt(t, db, `SELECT count(*) FROM NVTX_EVENTS WHERE "end" IS NULL`); name == "diffusion" && open == 0 {
			t.Errorf("%s: no NVTX event without an end", name)
		}
		tr, err := Read(ctx, p, Options{Mangled: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := checkNotesOf(tr.Notes); !slices.Equal(got, want) {
			t.Errorf("%s: notes %q, want %q", name, got, want)
		}
	}
}
