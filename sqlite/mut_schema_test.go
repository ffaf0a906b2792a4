package sqlite

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/omnistat/omnistat/trace"
)

// TestReadRowidAlias: the scanner finds a column where SQLite keeps it: an INTEGER PRIMARY KEY
// is the rowid (its record slot holds NULL), an INTEGER PRIMARY KEY DESC and an INTEGER column
// that is not a key are in the record. Each NVTX table reads, by the scanner and by SQL, the
// starts SQLite gives.
func TestReadRowidAlias(t *testing.T) {
	for _, ddl := range []string{
		"start INTEGER PRIMARY KEY, end INTEGER",
		"end INTEGER, start INTEGER PRIMARY KEY",
		"start INTEGER PRIMARY KEY DESC, end INTEGER",
		"start INTEGER",
		"start INTEGER, end INTEGER, PRIMARY KEY (start, end)",
		"start INT PRIMARY KEY, end INTEGER",
	} {
		_, startOnly := map[string]bool{"start INTEGER": true}[ddl]
		values := "(100, 7), (250, 8), (900, 9)"
		if startOnly {
			values = "(100), (250), (900)"
		}
		p := makeExport(t, fmt.Sprintf("CREATE TABLE NVTX_EVENTS (%s)", ddl),
			fmt.Sprintf("INSERT INTO NVTX_EVENTS (start%s) VALUES %s", map[bool]string{true: "", false: ", end"}[startOnly], values))
		db, err := openDB(p)
		if err != nil {
			t.Fatal(err)
		}
		var want []int64
		for _, r := range queryRows(t, db, "SELECT start FROM NVTX_EVENTS ORDER BY rowid") {
			want = append(want, r[0].(int64))
		}
		db.Close()
		if !reflect.DeepEqual(want, []int64{100, 250, 900}) {
			t.Fatalf("%s: SQLite reads starts %v", ddl, want)
		}
		for _, opt := range []Options{{Mangled: true}, {SQLOnly: true, Mangled: true}} {
			before := deferred.Load()
			tr, err := Read(ctx, p, opt)
			if err != nil {
				t.Fatalf("%s, SQLOnly %v: %v", ddl, opt.SQLOnly, err)
			}
			if !reflect.DeepEqual(tr.NVTX.Start, want) {
				t.Errorf("%s, SQLOnly %v: starts %v, want %v", ddl, opt.SQLOnly, tr.NVTX.Start, want)
			}
			if len(tr.NVTX.Color) != 3 || tr.NVTX.Color[0] != trace.Null {
				t.Errorf("%s, SQLOnly %v: colors %v, want NULL", ddl, opt.SQLOnly, tr.NVTX.Color)
			}
			if deferred.Load() != before {
				t.Errorf("%s: the scanner left the table to SQL", ddl)
			}
		}
	}
}

// TestReadAddedColumnDefault: a column added with a DEFAULT after rows were written is missing
// from their records, where SQL gives its DEFAULT: such a table is read through SQL, and reads
// what SQLite gives.
func TestReadAddedColumnDefault(t *testing.T) {
	p := makeExport(t, `CREATE TABLE NVTX_EVENTS (start INTEGER NOT NULL, end INTEGER)`, `INSERT INTO NVTX_EVENTS VALUES (1, 2), (3, 4)`,
		`ALTER TABLE NVTX_EVENTS ADD COLUMN color INTEGER DEFAULT 7`, `INSERT INTO NVTX_EVENTS VALUES (5, 6, 9)`)
	db, err := openDB(p)
	if err != nil {
		t.Fatal(err)
	}
	var want []int64
	for _, r := range queryRows(t, db, "SELECT color FROM NVTX_EVENTS") {
		want = append(want, r[0].(int64))
	}
	db.Close()
	if !reflect.DeepEqual(want, []int64{7, 7, 9}) {
		t.Fatalf("SQLite reads colors %v", want)
	}
	for _, opt := range []Options{{Mangled: true}, {SQLOnly: true, Mangled: true}} {
		tr, err := Read(ctx, p, opt)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(tr.NVTX.Color, want) {
			t.Errorf("SQLOnly %v: colors %v, want %v", opt.SQLOnly, tr.NVTX.Color, want)
		}
	}
}

// TestReadDateText: the driver reads a text of a date type as a time, which a text column then
// holds in RFC 3339 form, so an NVTX text column declared DATE, DATETIME or TIMESTAMP is read
// through SQL: both paths give the same texts, the driver's, for a text that parses as a date.
func TestReadDateText(t *testing.T) {
	for _, typ := range []string{"DATE", "DATETIME", "TIMESTAMP"} {
		p := makeExport(t, `CREATE TABLE NVTX_EVENTS (start INTEGER NOT NULL, end INTEGER, text `+typ+`)`,
			`INSERT INTO NVTX_EVENTS VALUES (1, 2, '2024-01-02 03:04:05'), (3, 4, 'plain')`)
		var texts [2][]string
		for i, opt := range []Options{{Mangled: true}, {SQLOnly: true, Mangled: true}} {
			tr, err := Read(ctx, p, opt)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(tr.NVTX.End, []int64{2, 4}) {
				t.Errorf("%s, SQLOnly %v: ends %v, want [2 4]", typ, opt.SQLOnly, tr.NVTX.End)
			}
			texts[i] = tr.NVTX.Texts
		}
		if !reflect.DeepEqual(texts[0], texts[1]) || len(texts[0]) != 2 || texts[0][0] == "2024-01-02 03:04:05" {
			t.Errorf("%s: texts %q by the scanner, %q by SQL, want the driver's time", typ, texts[0], texts[1])
		}
	}
}
