package sqlite

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/trace"
)

// String and correlation ids are kept in 32 bits (trace.StrIDs, trace.CorrIDs): both read paths
// take every id from -(2³¹-1) to 2³¹-1 as SQLite reads it, and NULL as trace.Null32; an id
// outside that range (2³¹, -2³¹, which would read as NULL, 2⁴⁰) fails the read with ErrCorrupt
// naming the table, column, value and row, and --partial leaves that table empty (all its
// columns, not some) and reads the others.
func TestStringIDs32Bits(t *testing.T) {
	const rt, k = "CUPTI_ACTIVITY_KIND_RUNTIME", "CUPTI_ACTIVITY_KIND_KERNEL"
	src := "../testdata/traces/foreign_repeat.2.sqlite"
	for _, ok := range []int64{1<<31 - 1, -(1<<31 - 1), 0} {
		p := editedCopy(t, src, fmt.Sprintf(`UPDATE %s SET nameId = %d WHERE rowid = 3`, rt, ok),
			fmt.Sprintf(`UPDATE %s SET shortName = %d WHERE rowid = 2`, k, ok),
			`UPDATE `+k+` SET mangledName = NULL WHERE rowid = 4`)
		for _, opt := range []Options{{Mangled: true}, {SQLOnly: true, Mangled: true}} {
			tr, err := Read(ctx, p, opt)
			if err != nil {
				t.Fatalf("id %d, %+v: %v", ok, opt, err)
			}
			if got := int64(tr.Runtime.NameID[2]); got != ok {
				t.Errorf("id %d, %+v: runtime row 3 reads %d", ok, opt, got)
			}
			if got := int64(tr.Kernels.Short[1]); got != ok {
				t.Errorf("id %d, %+v: kernel row 2 reads %d", ok, opt, got)
			}
			if tr.Kernels.Mangled[3] != trace.Null32 {
				t.Errorf("id %d, %+v: a NULL mangled name reads %d", ok, opt, tr.Kernels.Mangled[3])
			}
		}
	}
	for _, c := range []struct {
		table, col string
		v          int64
		row        int
		more       []string // more edits
	}{{rt, "nameId", 1 << 31, 7, nil}, {rt, "nameId", -(1 << 31), 2, nil}, {k, "demangledName", 1 << 40, 9, nil}, {k, "shortName", -(1 << 40), 1, nil},
		{rt, "correlationId", 1 << 32, 4, nil}, {"CUPTI_ACTIVITY_KIND_MEMCPY", "correlationId", -(1 << 31), 3, nil},
		// -2⁶³ is no NULL (SQL's NULL marker elsewhere); rows named by rowid with rows deleted
		// before them; the first bad row wins over a bad value of an earlier column further down
		{rt, "nameId", math.MinInt64, 12, []string{`DELETE FROM ` + rt + ` WHERE rowid < 5`}},
		{rt, "correlationId", 5_000_000_000, 20, []string{`UPDATE ` + rt + ` SET nameId = 3000000000 WHERE rowid = 700`}},
		{k, "mangledName", math.MinInt64, 6, nil}} {
		p := editedCopy(t, src, append(c.more, fmt.Sprintf(`UPDATE %s SET %s = %d WHERE rowid = %d`, c.table, c.col, c.v, c.row))...)
		want := fmt.Sprintf("read %s: %s %d in the row of rowid %d is not an id nsys writes", c.table, c.col, c.v, c.row)
		for _, opt := range []Options{{Mangled: true}, {SQLOnly: true, Mangled: true}} {
			_, err := Read(ctx, p, opt)
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(fmt.Sprint(err), want) {
				t.Errorf("%s.%s = %d, %+v: %v, want ErrCorrupt with %q", c.table, c.col, c.v, opt, err, want)
			}
			opt.Partial = true
			tr, err := Read(ctx, p, opt)
			if err != nil {
				t.Fatalf("%+v: %v", opt, err)
			}
			if !strings.Contains(strings.Join(tr.Notes, "\n"), want) {
				t.Errorf("%+v: no note %q in %q", opt, want, tr.Notes)
			}
			full, skipped := tr.Kernels.Len() > 0, tr.Runtime.Len() == 0
			switch c.table {
			case k:
				full, skipped = tr.Runtime.Len() > 0, tr.Kernels.Len() == 0
			case "CUPTI_ACTIVITY_KIND_MEMCPY":
				full, skipped = tr.Runtime.Len() > 0 && tr.Kernels.Len() > 0, tr.Memcpy.Len() == 0 && tr.Memcpy.CorrID == nil
			}
			if !full || !skipped {
				t.Errorf("%+v: runtime %d rows, kernels %d: the bad table must be empty, the other read", opt, tr.Runtime.Len(), tr.Kernels.Len())
			}
			if c.table == k && (tr.Kernels.Demangled != nil || tr.Kernels.End != nil) {
				t.Errorf("%+v: columns of the skipped kernel table are left: %d ends", opt, len(tr.Kernels.End))
			}
			if c.table == rt && (tr.Runtime.NameID != nil || tr.Runtime.Start != nil) {
				t.Errorf("%+v: columns of the skipped runtime table are left: %d starts", opt, len(tr.Runtime.Start))
			}
		}
	}
}

// A kernel table whose graphNodeId is NULL in every row reads no column (GraphNodeID nil, every
// GraphNode Null); one with a graph reads the column as SQLite does, NULLs as trace.Null.
func TestGraphNodeColumn(t *testing.T) {
	graphs := 0
	for _, p := range []string{"../testdata/traces/tts_graphs.sqlite", "../testdata/traces/tts_pageable.sqlite", "../testdata/traces/foreign_vllm_omni.sqlite"} {
		db, err := openDB(p)
		if err != nil {
			t.Fatal(err)
		}
		var want []int64
		rows, err := db.Query(`SELECT coalesce(graphNodeId, ` + fmt.Sprint(trace.Null) + `) FROM CUPTI_ACTIVITY_KIND_KERNEL ORDER BY rowid`)
		if err != nil {
			t.Fatal(err)
		}
		withGraph := 0
		for rows.Next() {
			var v int64
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			want = append(want, v)
			if v != trace.Null {
				withGraph++
			}
		}
		rows.Close()
		db.Close()
		for _, opt := range []Options{{Mangled: true}, {SQLOnly: true, Mangled: true}} {
			tr, err := Read(ctx, p, opt)
			if err != nil {
				t.Fatal(err)
			}
			k := &tr.Kernels
			if (k.GraphNodeID == nil) != (withGraph == 0) {
				t.Errorf("%s %+v: %d kernels in graphs, column nil %v", p, opt, withGraph, k.GraphNodeID == nil)
			}
			for i := range want {
				if k.GraphNode(i) != want[i] {
					t.Fatalf("%s %+v: kernel %d graph node %d, SQLite reads %d", p, opt, i, k.GraphNode(i), want[i])
				}
			}
		}
		if withGraph > 0 {
			graphs++
		}
	}
	if graphs == 0 {
		t.Fatal("no trace with graph kernels: the case tests nothing")
	}
}

// A value SQL cannot read as an integer (text, a real with a fraction) fails the read through
// either path with ErrCorrupt naming the table, the column, the value and its rowid; 7.0 (which
// SQLite stores in an INTEGER column as 7) is read as 7.
func TestWrongValueNamed(t *testing.T) {
	const k = "CUPTI_ACTIVITY_KIND_KERNEL"
	src := "../testdata/traces/foreign_repeat.2.sqlite"
	for _, c := range []struct{ set, want string }{
		{`start = 'soon' WHERE rowid = 8`, `read ` + k + `: start holds the text "soon" in the row of rowid 8, where nsys writes an integer`},
		{`correlationId = 12.5 WHERE rowid = 3`, `read ` + k + `: correlationId holds the real 12.5 in the row of rowid 3, where nsys writes an integer`},
		{`shortName = 'x' WHERE rowid = 11`, `read ` + k + `: shortName holds the text "x" in the row of rowid 11, where nsys writes an integer`},
	} {
		p := editedCopy(t, src, `UPDATE `+k+` SET `+c.set)
		for _, opt := range []Options{{Mangled: true}, {SQLOnly: true, Mangled: true}} {
			_, err := Read(ctx, p, opt)
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(fmt.Sprint(err), c.want) {
				t.Errorf("%s, %+v: %v, want %q", c.set, opt, err, c.want)
			}
		}
	}
	p := editedCopy(t, src, `UPDATE `+k+` SET correlationId = 7.0 WHERE rowid = 3`)
	for _, opt := range []Options{{Mangled: true}, {SQLOnly: true, Mangled: true}} {
		tr, err := Read(ctx, p, opt)
		if err != nil {
			t.Fatalf("a real 7.0, %+v: %v", opt, err)
		}
		if tr.Kernels.CorrID[2] != 7 {
			t.Errorf("a real 7.0, %+v: id %v", opt, tr.Kernels.CorrID[2])
		}
	}
}
