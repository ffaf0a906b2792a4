package sqlite

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/omnistat/omnistat/trace"
)

// makeExport writes a database of the statements (an export needs StringIds and one marker
// table) into a temporary directory and returns its path.
func makeExport(t *testing.T, stmts ...string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "export.sqlite")
	db, err := sql.Open("sqlite", p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	mustExec(t, db, append([]string{"CREATE TABLE StringIds (id INTEGER PRIMARY KEY, value TEXT)"}, stmts...)...)
	return p
}

// TestReadNVTXOddLayout: an NVTX table with its text as the first column and none of the four
// payload columns reads, by the scanner and by SQL, as SQLite gives it: each text interned in
// row order (NULL is -1, an empty text is a text, on the first row too), every payload NULL;
// the scanner reads such a table itself.
func TestReadNVTXOddLayout(t *testing.T) {
	p := makeExport(t, `CREATE TABLE NVTX_EVENTS (text TEXT, start INTEGER NOT NULL, end INTEGER, eventType INTEGER, rangeId INTEGER)`,
		`INSERT INTO NVTX_EVENTS VALUES ('', 5, 6, 34, 0), ('b', 10, 20, 59, 1), (NULL, 30, 40, 59, 2), ('', 50, 60, 34, 3), ('b', 70, 80, 59, 4), ('a', 90, NULL, 34, 5)`)
	db, err := openDB(p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var starts, ends []int64
	texts, want := []string{}, []int32{}
	at := map[string]int32{}
	for _, r := range queryRows(t, db, `SELECT start, coalesce(end, `+fmt.Sprint(trace.Null)+`), text FROM NVTX_EVENTS`) {
		starts, ends = append(starts, r[0].(int64)), append(ends, r[1].(int64))
		if r[2] == nil {
			want = append(want, -1)
			continue
		}
		s := r[2].(string)
		if _, ok := at[s]; !ok {
			at[s] = int32(len(texts))
			texts = append(texts, s)
		}
		want = append(want, at[s])
	}
	for _, opt := range []Options{{Mangled: true}, {SQLOnly: true, Mangled: true}} {
		before := deferred.Load()
		tr, err := Read(ctx, p, opt)
		if err != nil {
			t.Fatalf("SQLOnly %v: %v", opt.SQLOnly, err)
		}
		if deferred.Load() != before {
			t.Error("the scanner left the table to SQL")
		}
		n := tr.NVTX
		nulls := []int64{trace.Null, trace.Null, trace.Null, trace.Null, trace.Null, trace.Null}
		for _, c := range []struct {
			name      string
			got, want any
		}{
			{"start", n.Start, starts}, {"end", n.End, ends}, {"text", n.Text, want}, {"texts", n.Texts, texts},
			{"payload", n.Payload, nulls}, {"color", n.Color, nulls},
		} {
			if !reflect.DeepEqual(c.got, c.want) {
				t.Errorf("SQLOnly %v: %s %v, want %v", opt.SQLOnly, c.name, c.got, c.want)
			}
		}
	}
}

// TestReadNVTXUnusualValues: an NVTX table holding values the scanner leaves to SQL (a blob of
// digits in an integer column, a blob as text) is read through SQL, as database/sql converts
// them, not failed.
func TestReadNVTXUnusualValues(t *testing.T) {
	for _, row := range []string{"(1, 2, X'3432', 'hi')", "(1, 2, 42, X'6869')"} {
		p := makeExport(t, `CREATE TABLE NVTX_EVENTS (start INTEGER NOT NULL, end INTEGER, color INTEGER, text TEXT)`,
			"INSERT INTO NVTX_EVENTS VALUES (0, 1, 5, 'a'), "+row)
		before := deferred.Load()
		tr, err := Read(ctx, p, Options{Mangled: true})
		if err != nil {
			t.Fatalf("%s: %v", row, err)
		}
		if deferred.Load() == before {
			t.Errorf("%s: the scanner read a value SQL converts", row)
		}
		n := tr.NVTX
		if !reflect.DeepEqual(n.Color, []int64{5, 42}) || !reflect.DeepEqual(n.Text, []int32{0, 1}) ||
			!reflect.DeepEqual(n.Texts, []string{"a", "hi"}) {
			t.Errorf("%s: colors %v, texts %v %q, want [5 42], [0 1] [a hi]", row, n.Color, n.Text, n.Texts)
		}
	}
}
