package sqlite

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/trace"
)

// TestScanEmptyBlob: an empty blob (serial type 12, no bytes) in a column the scanner walks
// past takes no bytes of the record, and the columns after it read as SQLite reads them.
func TestScanEmptyBlob(t *testing.T) {
	p := makeExport(t, `CREATE TABLE NVTX_EVENTS (start INTEGER NOT NULL, extra BLOB, end INTEGER, note BLOB)`,
		`INSERT INTO NVTX_EVENTS VALUES (1, X'', 2, X''), (3, X'00', 4, NULL), (5, X'', 6, X'0102')`)
	db, err := openDB(p)
	if err != nil {
		t.Fatal(err)
	}
	var types []any
	for _, r := range queryRows(t, db, `SELECT typeof(extra) || length(extra) FROM NVTX_EVENTS`) {
		types = append(types, r[0])
	}
	db.Close()
	if !reflect.DeepEqual(types, []any{"blob0", "blob1", "blob0"}) {
		t.Fatalf("SQLite stores %v, want empty blobs", types)
	}
	for _, opt := range []Options{{Mangled: true}, {SQLOnly: true, Mangled: true}} {
		before := deferred.Load()
		tr, err := Read(ctx, p, opt)
		if err != nil {
			t.Fatalf("SQLOnly %v: %v", opt.SQLOnly, err)
		}
		if !reflect.DeepEqual(tr.NVTX.Start, []int64{1, 3, 5}) || !reflect.DeepEqual(tr.NVTX.End, []int64{2, 4, 6}) {
			t.Errorf("SQLOnly %v: starts %v ends %v, want [1 3 5] [2 4 6]", opt.SQLOnly, tr.NVTX.Start, tr.NVTX.End)
		}
		if deferred.Load() != before {
			t.Error("the scanner left the table to SQL")
		}
	}
}

// TestScanPayloadLimit: SQLite keeps a payload size in 31 bits, so a cell claiming 2³¹ bytes
// is damage even in a file of more than 2 GiB (a sparse one here, its header's page count 0 so
// that the file's size counts), not an overflow chain to follow; one of 2³¹-1 bytes is read up
// to its chain's damage (a chain looping on itself).
func TestScanPayloadLimit(t *testing.T) {
	base, err := os.ReadFile(fuzzBase)
	if err != nil {
		t.Fatal(err)
	}
	ps := pageSizeOf(base)
	leaf, _, cell := firstCell(t, fuzzBase, "CUPTI_ACTIVITY_KIND_KERNEL")
	pg := base[int(leaf-1)*ps : int(leaf)*ps]
	_, k := varint(pg[cell:])
	rowid, _ := varint(pg[cell+k:])
	for size, want := range map[uint64]string{1 << 31: "payload size 2147483648", 1<<31 - 1: fmt.Sprintf("overflow page %d used twice", leaf+1)} {
		b := overwrite(base, leaf-1, 0, loopingOverflow(pg, leaf, cell, rowid, size))
		binary.BigEndian.PutUint32(b[28:], 0)
		p := writeTemp(t, b)
		if err := os.Truncate(p, 1<<31+1<<20); err != nil {
			t.Skipf("no sparse file: %v", err)
		}
		pager, err := openPager(p)
		if err != nil {
			t.Fatal(err)
		}
		pager.close()
		if got := (&cellReader{p: pager}).maxPayload(); got != 1<<31-1 {
			t.Errorf("max payload %d of a %d-page file", got, pager.pages)
		}
		for _, opt := range []Options{{Mangled: true}, {SQLOnly: true, Mangled: true}} {
			_, err := Read(ctx, p, opt)
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), want) {
				t.Errorf("payload size %d, SQLOnly %v: error %v, want ErrCorrupt with %q", size, opt.SQLOnly, err, want)
			}
		}
	}
}

// TestScanLongPayloadSize: SQLite reads a cell's payload size from up to 8 bytes as a varint,
// leading 0x80 bytes included, so a size of 3 written in 8 bytes is a size of 3 to both.
func TestScanLongPayloadSize(t *testing.T) {
	base, leaf, ps := nvtxLeaf(t, "(42)")
	for _, k := range []int{7, 8} {
		b := append([]byte(nil), base...)
		pg := b[int(leaf-1)*ps : int(leaf)*ps]
		cell := append(bytes.Repeat([]byte{0x80}, k-1), 3, 1, 2, 1, 42) // size, rowid 1, record: int 42
		off := ps - len(cell)
		copy(pg[off:], cell)
		binary.BigEndian.PutUint16(pg[8:], uint16(off))
		binary.BigEndian.PutUint16(pg[5:], uint16(off))
		p := writeTemp(t, b)
		db, err := openDB(p)
		if err != nil {
			t.Fatal(err)
		}
		if r := queryRows(t, db, "SELECT rowid, start FROM NVTX_EVENTS"); len(r) != 1 || r[0][0] != int64(1) || r[0][1] != int64(42) {
			t.Fatalf("%d-byte size: SQLite reads %v", k, r)
		}
		db.Close()
		for _, opt := range []Options{{Mangled: true}, {SQLOnly: true, Mangled: true}} {
			tr, err := Read(ctx, p, opt)
			if err != nil || !reflect.DeepEqual(tr.NVTX.Start, []int64{42}) {
				t.Errorf("%d-byte size, SQLOnly %v: error %v, want the row", k, opt.SQLOnly, err)
			}
		}
	}
}

// TestScanColumnsPastRecord: columns added by ALTER TABLE without a DEFAULT are missing from
// the records written before: SQLite reads them as NULL, and so does the scanner (NULL
// integers, no text, whichever the order of the columns), itself.
func TestScanColumnsPastRecord(t *testing.T) {
	p := makeExport(t, `CREATE TABLE NVTX_EVENTS (end INTEGER)`, `INSERT INTO NVTX_EVENTS VALUES (2), (4)`,
		`ALTER TABLE NVTX_EVENTS ADD COLUMN start INTEGER`, `ALTER TABLE NVTX_EVENTS ADD COLUMN text TEXT`,
		`ALTER TABLE NVTX_EVENTS ADD COLUMN color INTEGER`, `INSERT INTO NVTX_EVENTS VALUES (6, 5, 'x', 9)`)
	db, err := openDB(p)
	if err != nil {
		t.Fatal(err)
	}
	r := queryRows(t, db, "SELECT start, text, color FROM NVTX_EVENTS")
	db.Close()
	if !reflect.DeepEqual(r, [][]any{{nil, nil, nil}, {nil, nil, nil}, {int64(5), "x", int64(9)}}) {
		t.Fatalf("SQLite reads %v", r)
	}
	for _, opt := range []Options{{Mangled: true}, {SQLOnly: true, Mangled: true}} {
		before := deferred.Load()
		tr, err := Read(ctx, p, opt)
		if err != nil {
			t.Fatalf("SQLOnly %v: %v", opt.SQLOnly, err)
		}
		n := tr.NVTX
		if !reflect.DeepEqual(n.Start, []int64{trace.Null, trace.Null, 5}) || !reflect.DeepEqual(n.Color, []int64{trace.Null, trace.Null, 9}) ||
			!reflect.DeepEqual(n.Text, []int32{-1, -1, 0}) || !reflect.DeepEqual(n.Texts, []string{"x"}) || !reflect.DeepEqual(n.End, []int64{2, 4, 6}) {
			t.Errorf("SQLOnly %v: starts %v, colors %v, texts %v %q, ends %v", opt.SQLOnly, n.Start, n.Color, n.Text, n.Texts, n.End)
		}
		if deferred.Load() != before {
			t.Error("the scanner left the table to SQL")
		}
	}
}

// TestOverflowPointer: a spilled cell's local part and its 4-byte overflow page number must end
// by the usable end of the page: ending there, the chain is followed (here to page 0, out of
// range); one byte further is damage.
func TestOverflowPointer(t *testing.T) {
	const ps, size = 4096, 5000
	minLocal := (ps-12)*32/255 - 23 // SQLite's, for a table leaf
	local := minLocal + (size-minLocal)%(ps-4)
	area := make([]byte, ps)
	for _, c := range []struct {
		start int
		want  string
	}{{ps - local - 4, "overflow page 0 out of range"}, {ps - local - 3, "overflow pointer past the page end"}} {
		r := cellReader{p: &pager{pageSize: ps, usable: ps, pages: 10}, seen: newPageSet(10)}
		if _, err := r.overflow(area, c.start, size); !errors.Is(err, errMalformed) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("local part at %d: error %v, want %q", c.start, err, c.want)
		}
	}
}

// TestScanValuePastRecord: a serial type whose value runs past the record's end (a 4-byte
// integer where one byte is left) is damage named at that column, not bytes read beyond.
func TestScanValuePastRecord(t *testing.T) {
	base, leaf, ps := nvtxLeaf(t, "(42)")
	b := append([]byte(nil), base...)
	pg := b[int(leaf-1)*ps : int(leaf)*ps]
	cell := int(binary.BigEndian.Uint16(pg[8:]))
	if !bytes.Equal(pg[cell:cell+5], []byte{3, 1, 2, 1, 42}) {
		t.Fatalf("cell %v, want size 3, rowid 1, record [2 1 42]", pg[cell:cell+5])
	}
	pg[cell+3] = 4
	p := writeTemp(t, b)
	for _, opt := range []Options{{Mangled: true}, {SQLOnly: true, Mangled: true}} {
		if _, err := Read(ctx, p, opt); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "column 0: 4 bytes past the record's end") {
			t.Errorf("SQLOnly %v: error %v, want ErrCorrupt naming column 0", opt.SQLOnly, err)
		}
	}
}

// TestScanRecordWithoutColumns: a record whose header is only its own size (no column) is one
// SQLite calls malformed, and so is it to the scanner; one column reads.
func TestScanRecordWithoutColumns(t *testing.T) {
	base, leaf, ps := nvtxLeaf(t, "(42)")
	for _, cell := range [][]byte{{1, 1, 1, 0}, {2, 1, 1, 0}, {3, 1, 2, 1, 7}} {
		b := append([]byte(nil), base...)
		pg := b[int(leaf-1)*ps : int(leaf)*ps]
		clear(pg[ps-8:])
		copy(pg[ps-len(cell):], cell)
		binary.BigEndian.PutUint16(pg[8:], uint16(ps-len(cell)))
		binary.BigEndian.PutUint16(pg[5:], uint16(ps-len(cell)))
		p, v, sqlErr := sqlOne(t, b, "SELECT start FROM NVTX_EVENTS")
		if ok := cell[2] != 1; (sqlErr == nil) != ok {
			t.Fatalf("cell %v: SQLite reads %d, error %v", cell, v, sqlErr)
		}
		for _, opt := range []Options{{Mangled: true}, {SQLOnly: true, Mangled: true}} {
			tr, err := Read(ctx, p, opt)
			switch {
			case sqlErr != nil && (!errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "record header of 1 bytes")):
				t.Errorf("cell %v, SQLOnly %v: error %v, want ErrCorrupt with the record header", cell, opt.SQLOnly, err)
			case sqlErr == nil && (err != nil || !reflect.DeepEqual(tr.NVTX.Start, []int64{v})):
				t.Errorf("cell %v, SQLOnly %v: error %v, want start %d", cell, opt.SQLOnly, err, v)
			}
		}
	}
}

// TestScanLargestHeader: SQLite reads a record header of up to 98307 bytes (here the wanted
// column, then NULL types past the table's one column, on an overflow chain); the scanner
// reads it as SQLite does.
func TestScanLargestHeader(t *testing.T) {
	base, leaf, ps := nvtxLeaf(t, "(42)")
	for _, hsize := range []int{maxHeader, maxHeader + 1} {
		rec := appendVarint(nil, uint64(hsize))
		rec = append(rec, 1) // start: a 1-byte integer
		rec = append(rec, make([]byte, hsize-len(rec))...)
		rec = append(rec, 42)
		minLocal := (ps-12)*32/255 - 23
		local := minLocal + (len(rec)-minLocal)%(ps-4)
		if local > ps-35 {
			local = minLocal
		}
		pages := uint32(len(base) / ps)
		cell := append(appendVarint(nil, uint64(len(rec))), 1)
		cell = append(cell, rec[:local]...)
		cell = binary.BigEndian.AppendUint32(cell, pages+1)
		b := append([]byte(nil), base...)
		for rest, n := rec[local:], pages+1; len(rest) > 0; n++ {
			pg := make([]byte, ps)
			take := copy(pg[4:], rest)
			if rest = rest[take:]; len(rest) > 0 {
				binary.BigEndian.PutUint32(pg, n+1)
			}
			b = append(b, pg...)
		}
		binary.BigEndian.PutUint32(b[28:], uint32(len(b)/ps))
		pg := b[int(leaf-1)*ps : int(leaf)*ps]
		copy(pg[ps-len(cell):], cell)
		binary.BigEndian.PutUint16(pg[8:], uint16(ps-len(cell)))
		binary.BigEndian.PutUint16(pg[5:], uint16(ps-len(cell)))
		p, v, sqlErr := sqlOne(t, b, "SELECT start FROM NVTX_EVENTS")
		if (sqlErr == nil) != (hsize <= maxHeader) || sqlErr == nil && v != 42 {
			t.Fatalf("a %d-byte header: SQLite reads %d, error %v", hsize, v, sqlErr)
		}
		for _, opt := range []Options{{Mangled: true}, {SQLOnly: true, Mangled: true}} {
			tr, err := Read(ctx, p, opt)
			switch {
			case sqlErr != nil && (!errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), fmt.Sprintf("record header of %d bytes", hsize))):
				t.Errorf("a %d-byte header, SQLOnly %v: error %v, want ErrCorrupt naming the header", hsize, opt.SQLOnly, err)
			case sqlErr == nil && (err != nil || !reflect.DeepEqual(tr.NVTX.Start, []int64{42})):
				t.Errorf("a %d-byte header, SQLOnly %v: error %v, want start 42", hsize, opt.SQLOnly, err)
			}
		}
	}
}
