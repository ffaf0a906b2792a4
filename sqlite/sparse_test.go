package sqlite

import (
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/omnistat/omnistat/trace"
)

// TestSparseGraphNodeIDs: the kernels' graph node ids are a sparse column (scanSpec.sparse),
// made only when a value that is not NULL comes: every placement of values among NULLs (none,
// one in the first or the last row, a few spread over every worker's chunks, all but a few)
// reads as SQLite reads it (the SQL path, an independent reader), a column of NULLs only is nil
// on both paths, and so is a table without the column (an older schema).
func TestSparseGraphNodeIDs(t *testing.T) {
	const k = "CUPTI_ACTIVITY_KIND_KERNEL"
	src := "../testdata/traces/foreign_graphs_timeslice.sqlite" // 22,698 kernels, most from graphs
	last := fmt.Sprintf(`(SELECT max(rowid) FROM %s)`, k)
	for _, c := range []struct {
		name  string
		edits []string
		none  bool // every value NULL
	}{
		{"as captured", nil, false},
		{"all NULL", []string{`UPDATE ` + k + ` SET graphNodeId = NULL`}, true},
		{"first row only", []string{`UPDATE ` + k + ` SET graphNodeId = CASE WHEN rowid = (SELECT min(rowid) FROM ` + k + `) THEN 42 END`}, false},
		{"last row only", []string{`UPDATE ` + k + ` SET graphNodeId = CASE WHEN rowid = ` + last + ` THEN 1 << 40 END`}, false},
		{"spread", []string{`UPDATE ` + k + ` SET graphNodeId = CASE WHEN rowid % 997 = 5 THEN rowid * 1000 + 7 END`}, false},
		{"all but a few", []string{`UPDATE ` + k + ` SET graphNodeId = CASE WHEN rowid % 1009 = 3 THEN NULL ELSE -rowid END`}, false},
		{"negative and zero", []string{`UPDATE ` + k + ` SET graphNodeId = CASE WHEN rowid % 3 = 0 THEN 0 WHEN rowid % 3 = 1 THEN NULL ELSE -1 END`}, false},
		{"no column", []string{`ALTER TABLE ` + k + ` DROP COLUMN graphNodeId`}, true},
	} {
		p := src
		if c.edits != nil {
			p = editedCopy(t, src, c.edits...)
		}
		fast, err := Read(ctx, p, Options{})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		slow, err := Read(ctx, p, Options{SQLOnly: true})
		if err != nil {
			t.Fatalf("%s: SQL: %v", c.name, err)
		}
		if c.none != (fast.Kernels.GraphNodeID == nil) || c.none != (slow.Kernels.GraphNodeID == nil) {
			t.Errorf("%s: column nil: scanner %v, SQL %v, want %v", c.name, fast.Kernels.GraphNodeID == nil, slow.Kernels.GraphNodeID == nil, c.none)
		}
		if !slices.Equal(fast.Kernels.GraphNodeID, slow.Kernels.GraphNodeID) {
			t.Errorf("%s: the scanner's graph node ids differ from SQL's", c.name)
		}
		if n := fast.Kernels.Len(); !c.none && len(fast.Kernels.GraphNodeID) != n {
			t.Errorf("%s: %d graph node ids for %d kernels", c.name, len(fast.Kernels.GraphNodeID), n)
		}
	}
	// and a NULL's row reads trace.Null, not 0, where values come after it
	p := editedCopy(t, src, `UPDATE `+k+` SET graphNodeId = CASE WHEN rowid % 2 = 0 THEN 5 END`)
	tr, err := Read(ctx, p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	nulls := 0
	for _, v := range tr.Kernels.GraphNodeID {
		if v == trace.Null {
			nulls++
		} else if v != 5 {
			t.Fatalf("a graph node id reads %d", v)
		}
	}
	if nulls == 0 || nulls == len(tr.Kernels.GraphNodeID) {
		t.Errorf("%d NULL graph node ids of %d", nulls, len(tr.Kernels.GraphNodeID))
	}
}

// TestMangledOnlyWhenAsked: the kernels' mangled names are read with Options.Mangled only;
// without it the column is nil and every other column of every table is the same, on both read
// paths and every testdata trace, and a damaged mangledName the read does not need (an id past
// 32 bits) fails only the read that asks for it.
func TestMangledOnlyWhenAsked(t *testing.T) {
	files, err := filepath.Glob("../testdata/traces/*.sqlite")
	if err != nil || len(files) < 10 {
		t.Fatalf("testdata traces: %v, %d", err, len(files))
	}
	for _, f := range files {
		for _, sql := range []bool{false, true} {
			with, err := Read(ctx, f, Options{SQLOnly: sql, Mangled: true})
			if err != nil {
				t.Fatal(err)
			}
			without, err := Read(ctx, f, Options{SQLOnly: sql})
			if err != nil {
				t.Fatal(err)
			}
			if without.Kernels.Mangled != nil {
				t.Errorf("%s (SQL %v): mangled names read unasked", f, sql)
			}
			if len(with.Kernels.Mangled) != with.Kernels.Len() {
				t.Errorf("%s (SQL %v): %d mangled names for %d kernels", f, sql, len(with.Kernels.Mangled), with.Kernels.Len())
			}
			with.Kernels.Mangled = nil
			if !reflect.DeepEqual(with, without) {
				t.Errorf("%s (SQL %v): the model differs beyond the mangled names", f, sql)
			}
		}
	}
	p := editedCopy(t, "../testdata/traces/foreign_repeat.2.sqlite", `UPDATE CUPTI_ACTIVITY_KIND_KERNEL SET mangledName = 1 << 40 WHERE rowid = 6`)
	for _, sql := range []bool{false, true} {
		if _, err := Read(ctx, p, Options{SQLOnly: sql}); err != nil {
			t.Errorf("SQL %v: a damaged mangled name fails a read without them: %v", sql, err)
		}
		if _, err := Read(ctx, p, Options{SQLOnly: sql, Mangled: true}); !errors.Is(err, ErrCorrupt) {
			t.Errorf("SQL %v: a damaged mangled name read: %v, want ErrCorrupt", sql, err)
		}
	}
}
