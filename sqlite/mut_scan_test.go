package sqlite

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// nvtxExport makes an export whose NVTX table (start INTEGER) the statement fills, and returns
// its bytes, the table's root page and the page size.
func nvtxExport(t *testing.T, insert string) (b []byte, root uint32, ps int) {
	t.Helper()
	p := makeExport(t, `CREATE TABLE NVTX_EVENTS (start INTEGER)`, insert)
	db, err := openDB(p)
	if err != nil {
		t.Fatal(err)
	}
	r := queryRows(t, db, `SELECT rootpage FROM sqlite_master WHERE name = 'NVTX_EVENTS'`)
	db.Close()
	if b, err = os.ReadFile(p); err != nil {
		t.Fatal(err)
	}
	return b, uint32(r[0][0].(int64)), pageSizeOf(b)
}

// nvtxLeaf makes an export whose NVTX table (start INTEGER) is one leaf page of 4 KiB holding
// the rows, and returns its bytes, the leaf's page number and the page size.
func nvtxLeaf(t *testing.T, rows string) (b []byte, leaf uint32, ps int) {
	t.Helper()
	b, leaf, ps = nvtxExport(t, `INSERT INTO NVTX_EVENTS VALUES `+rows)
	if ps != 4096 || b[int(leaf-1)*ps] != 0x0d {
		t.Fatalf("page size %d, root page %d not a leaf", ps, leaf)
	}
	return b, leaf, ps
}

// TestScanCellCountLimit: a leaf may hold as many cells as SQLite accepts on a page (MX_CELL,
// (pageSize-8)/6), one more is damage. A leaf whose n cell pointers all name its one cell reads
// n rows of it where SQLite does, and is ErrCorrupt where SQLite calls it malformed.
func TestScanCellCountLimit(t *testing.T) {
	base, leaf, ps := nvtxLeaf(t, "(42)")
	mx := (ps - 8) / 6
	for _, n := range []int{mx - 1, mx, mx + 1, mx + 3} {
		b := append([]byte(nil), base...)
		pg := b[int(leaf-1)*ps : int(leaf)*ps]
		cell := binary.BigEndian.Uint16(pg[8:])
		binary.BigEndian.PutUint16(pg[3:], uint16(n))
		for i := range n {
			binary.BigEndian.PutUint16(pg[8+2*i:], cell)
		}
		p, n64, sqlErr := sqlOne(t, b, `SELECT count(*) FROM NVTX_EVENTS WHERE start = 42`)
		rows := int(n64)
		if (sqlErr == nil) != (n <= mx) || sqlErr == nil && rows != n {
			t.Fatalf("%d cells: SQLite reads %d rows, error %v", n, rows, sqlErr)
		}
		for _, opt := range []Options{{Mangled: true}, {SQLOnly: true, Mangled: true}} {
			tr, err := Read(ctx, p, opt)
			switch {
			case sqlErr != nil:
				if !errors.Is(err, ErrCorrupt) {
					t.Errorf("%d cells, SQLOnly %v: error %v, want ErrCorrupt as SQLite's %v", n, opt.SQLOnly, err, sqlErr)
				}
			case err != nil:
				t.Errorf("%d cells, SQLOnly %v: %v", n, opt.SQLOnly, err)
			case len(tr.NVTX.Start) != rows || tr.NVTX.Start[n-1] != 42:
				t.Errorf("%d cells, SQLOnly %v: %d rows, want %d of 42", n, opt.SQLOnly, len(tr.NVTX.Start), rows)
			}
		}
	}
}

// TestScanCellInPointerArray: a leaf cell pointer that names a byte of the page's cell pointer
// array (just below where the cells may start) is damage, by both paths, wherever it points.
func TestScanCellInPointerArray(t *testing.T) {
	base, leaf, ps := nvtxLeaf(t, "(1), (2), (3)")
	for _, back := range []int{1, 2, 6} {
		b := append([]byte(nil), base...)
		pg := b[int(leaf-1)*ps : int(leaf)*ps]
		n := int(binary.BigEndian.Uint16(pg[3:]))
		first := 8 + 2*n
		binary.BigEndian.PutUint16(pg[8+2*(n-1):], uint16(first-back))
		p := writeTemp(t, b)
		for _, opt := range []Options{{Mangled: true}, {SQLOnly: true, Mangled: true}} {
			_, err := Read(ctx, p, opt)
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), fmt.Sprintf("cell %d at %d, outside the page's cell area", n-1, first-back)) {
				t.Errorf("cell at %d, SQLOnly %v: error %v, want ErrCorrupt naming the cell", first-back, opt.SQLOnly, err)
			}
		}
	}
}

// TestScanCellAtEdges: a cell may start right after the cell pointer array and as late as 4
// bytes before the usable end (the smallest cell: sizes, rowid and a header typing the value
// 1); a pointer past that is damage. SQLite reads the first two as the scanner does.
func TestScanCellAtEdges(t *testing.T) {
	base, leaf, ps := nvtxLeaf(t, "(1)")
	pg := base[int(leaf-1)*ps : int(leaf)*ps]
	cell := int(binary.BigEndian.Uint16(pg[8:]))
	if cell != ps-4 {
		t.Fatalf("the cell is at %d, want %d", cell, ps-4)
	}
	moved := append([]byte(nil), base...)
	mp := moved[int(leaf-1)*ps : int(leaf)*ps]
	copy(mp[10:], pg[cell:])
	clear(mp[cell:])
	binary.BigEndian.PutUint16(mp[8:], 10)
	binary.BigEndian.PutUint16(mp[5:], 10)
	for _, c := range []struct {
		name string
		b    []byte
		err  string // "" for the row
	}{
		{"at the usable end", base, ""},
		{"after the pointer array", moved, ""},
		{"3 bytes before the end", nil, "cell 0 at 4093, outside"},
		{"at the end", nil, "cell 0 at 4096, outside"},
	} {
		b := c.b
		if b == nil {
			b = append([]byte(nil), base...)
			var at int
			fmt.Sscanf(c.err, "cell 0 at %d", &at)
			binary.BigEndian.PutUint16(b[int(leaf-1)*ps+8:], uint16(at))
		}
		p := writeTemp(t, b)
		if c.err == "" {
			db, err := openDB(p)
			if err != nil {
				t.Fatal(err)
			}
			if r := queryRows(t, db, "SELECT start FROM NVTX_EVENTS"); len(r) != 1 || r[0][0] != int64(1) {
				t.Fatalf("%s: SQLite reads %v", c.name, r)
			}
			db.Close()
		}
		for _, opt := range []Options{{Mangled: true}, {SQLOnly: true, Mangled: true}} {
			tr, err := Read(ctx, p, opt)
			switch {
			case c.err != "" && (!errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), c.err)):
				t.Errorf("%s, SQLOnly %v: error %v, want ErrCorrupt with %q", c.name, opt.SQLOnly, err, c.err)
			case c.err == "" && (err != nil || len(tr.NVTX.Start) != 1 || tr.NVTX.Start[0] != 1):
				t.Errorf("%s, SQLOnly %v: error %v, want the row", c.name, opt.SQLOnly, err)
			}
		}
	}
}

// nvtxTree makes an export whose NVTX table (start INTEGER) of rows 1..n is an interior root
// over leaves, and returns its bytes, the root's page number and the page size.
func nvtxTree(t *testing.T, n int) (b []byte, root uint32, ps int) {
	t.Helper()
	b, root, ps = nvtxExport(t, fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL
		SELECT i + 1 FROM n WHERE i < %d) INSERT INTO NVTX_EVENTS SELECT i FROM n`, n))
	if b[int(root-1)*ps] != 0x05 {
		t.Fatalf("root page %d not interior", root)
	}
	return b, root, ps
}

// TestScanInteriorCellEdges: an interior cell (child page, key) may start right after the cell
// pointer array, where SQLite reads it too; one whose key would start at the usable end, or
// one in the pointer array, is damage, named as such.
func TestScanInteriorCellEdges(t *testing.T) {
	base, root, ps := nvtxTree(t, 2000)
	pg := base[int(root-1)*ps : int(root)*ps]
	n := int(binary.BigEndian.Uint16(pg[3:]))
	first := 12 + 2*n
	last := int(binary.BigEndian.Uint16(pg[12+2*(n-1):])) // the last cell, at the lowest offset
	moved := append([]byte(nil), base...)
	mp := moved[int(root-1)*ps : int(root)*ps]
	copy(mp[first:], pg[last:last+9])
	binary.BigEndian.PutUint16(mp[12+2*(n-1):], uint16(first))
	binary.BigEndian.PutUint16(mp[5:], uint16(first))
	p := writeTemp(t, moved)
	db, err := openDB(p)
	if err != nil {
		t.Fatal(err)
	}
	if r := queryRows(t, db, "SELECT count(*), sum(start) FROM NVTX_EVENTS"); r[0][0] != int64(2000) || r[0][1] != int64(2001000) {
		t.Fatalf("a cell after the pointer array: SQLite reads %v", r)
	}
	db.Close()
	for _, opt := range []Options{{Mangled: true}, {SQLOnly: true, Mangled: true}} {
		if tr, err := Read(ctx, p, opt); err != nil || len(tr.NVTX.Start) != 2000 || tr.NVTX.Start[1999] != 2000 {
			t.Errorf("a cell after the pointer array, SQLOnly %v: error %v, want the rows", opt.SQLOnly, err)
		}
	}
	for at, want := range map[int]string{
		ps - 4: "cell 0: key past the page end", ps - 3: fmt.Sprintf("cell 0 at %d, outside", ps-3),
		first - 1: fmt.Sprintf("cell 0 at %d, outside", first-1), first - 2: fmt.Sprintf("cell 0 at %d, outside", first-2),
	} {
		end := append([]byte(nil), base...)
		binary.BigEndian.PutUint16(end[int(root-1)*ps+12:], uint16(at))
		pe := writeTemp(t, end)
		for _, opt := range []Options{{Mangled: true}, {SQLOnly: true, Mangled: true}} {
			if _, err := Read(ctx, pe, opt); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), want) {
				t.Errorf("a cell at %d, SQLOnly %v: error %v, want ErrCorrupt with %q", at, opt.SQLOnly, err, want)
			}
		}
	}
}

// TestScanDepthLimit: SQLite's cursor reaches a page 19 levels below the root and no deeper
// (BTCURSOR_MAX_DEPTH). The NVTX root becomes a chain of interior pages down to its leaf, each
// with a zeroed page as its right child: SQLite reads the first row of a leaf 19 levels down
// and calls one 20 levels down malformed; the scanner lists that leaf and then fails on the
// zeroed page, or fails on the depth.
func TestScanDepthLimit(t *testing.T) {
	base, leaf, ps := nvtxLeaf(t, "(42)")
	for _, depth := range []int{maxDepth, maxDepth + 1} {
		pages := uint32(len(base) / ps)
		b := append([]byte(nil), base...)
		b = append(b, make([]byte, (2*depth)*ps)...)
		// pages past the file: interior I1..I(depth-1), the leaf's copy, zeroed siblings
		inner := func(d int) uint32 { return pages + uint32(d) } // d ≥ 1
		copyOf, sibling := pages+uint32(depth), func(d int) uint32 { return pages + uint32(depth) + 1 + uint32(d) }
		copy(b[int(copyOf-1)*ps:], b[int(leaf-1)*ps:int(leaf)*ps])
		for d := 0; d < depth; d++ {
			n := leaf
			if d > 0 {
				n = inner(d)
			}
			pg := b[int(n-1)*ps : int(n)*ps]
			clear(pg)
			child := copyOf
			if d+1 < depth {
				child = inner(d + 1)
			}
			pg[0] = 0x05
			binary.BigEndian.PutUint16(pg[3:], 1)
			binary.BigEndian.PutUint16(pg[5:], uint16(ps-5))
			binary.BigEndian.PutUint32(pg[8:], sibling(d))
			binary.BigEndian.PutUint16(pg[12:], uint16(ps-5))
			binary.BigEndian.PutUint32(pg[ps-5:], child)
			pg[ps-1] = 1 // the key: the leaf's rowid
		}
		binary.BigEndian.PutUint32(b[28:], uint32(len(b)/ps))
		p, v, sqlErr := sqlOne(t, b, "SELECT start FROM NVTX_EVENTS LIMIT 1")
		if (sqlErr == nil) != (depth <= maxDepth) || sqlErr == nil && v != 42 {
			t.Fatalf("a leaf %d levels down: SQLite reads %d, error %v", depth, v, sqlErr)
		}
		want := fmt.Sprintf("page %d: not a table page", sibling(depth-2))
		if depth > maxDepth {
			want = fmt.Sprintf("page %d: b-tree too deep", copyOf)
		}
		for _, opt := range []Options{{Mangled: true}, {SQLOnly: true, Mangled: true}} {
			if _, err := Read(ctx, p, opt); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), want) {
				t.Errorf("a leaf %d levels down, SQLOnly %v: error %v, want ErrCorrupt with %q", depth, opt.SQLOnly, err, want)
			}
		}
	}
}

// TestScanInteriorCellCount: an interior page may hold as many cells as SQLite accepts on a
// page (MX_CELL): with that many pointers all naming its first cell, the scanner meets that
// cell's child twice (SQLite would read the subtree again: damage to the scanner); one more is
// a cell count SQLite calls malformed.
func TestScanInteriorCellCount(t *testing.T) {
	base, root, ps := nvtxTree(t, 2000)
	mx := (ps - 8) / 6
	for n, want := range map[int]string{mx: "reached twice", mx + 1: fmt.Sprintf("%d cells on an interior page", mx+1)} {
		b := append([]byte(nil), base...)
		pg := b[int(root-1)*ps : int(root)*ps]
		cell := binary.BigEndian.Uint16(pg[12:])
		binary.BigEndian.PutUint16(pg[3:], uint16(n))
		for i := range n {
			binary.BigEndian.PutUint16(pg[12+2*i:], cell)
		}
		p, n64, sqlErr := sqlOne(t, b, "SELECT count(*) FROM NVTX_EVENTS")
		rows := int(n64)
		if (sqlErr == nil) != (n <= mx) {
			t.Fatalf("%d cells: SQLite reads %d rows, error %v", n, rows, sqlErr)
		}
		for _, opt := range []Options{{Mangled: true}, {SQLOnly: true, Mangled: true}} {
			if _, err := Read(ctx, p, opt); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), want) {
				t.Errorf("%d cells, SQLOnly %v: error %v, want ErrCorrupt with %q", n, opt.SQLOnly, err, want)
			}
		}
	}
}

// TestChildrenAllocatesOnce: the children of an interior page (one per cell and the right-most
// pointer) and the cells' keys are listed into one allocation each, of their final size; the
// keys are the cells' rowids, in order.
func TestChildrenAllocatesOnce(t *testing.T) {
	b, root, ps := nvtxTree(t, 2000)
	pg := b[int(root-1)*ps : int(root)*ps]
	n := int(binary.BigEndian.Uint16(pg[3:]))
	p := &pager{pageSize: ps, usable: ps, pages: uint32(len(b) / ps)}
	kids, keys, err := children(p, pg, 0)
	if err != nil || len(kids) != n+1 || kids[n] != binary.BigEndian.Uint32(pg[8:]) {
		t.Fatalf("children %v, error %v; want %d ending in the right-most pointer", kids, err, n+1)
	}
	for i := range n {
		off := int(binary.BigEndian.Uint16(pg[12+2*i:]))
		if key, _ := varint(pg[off+4:]); len(keys) != n || keys[i] != int64(key) || i > 0 && keys[i] <= keys[i-1] {
			t.Fatalf("keys %v: cell %d's key is %d (keys rise)", keys, i, key)
		}
	}
	if a := testing.AllocsPerRun(20, func() { children(p, pg, 0) }); a != 2 {
		t.Errorf("%v allocations, want 2", a)
	}
}

// TestScanLeavesAtTwoDepths: every leaf of a b-tree is at one depth; a root whose first child
// became an interior page over the first two leaves leaves the others one level higher: damage.
func TestScanLeavesAtTwoDepths(t *testing.T) {
	base, root, ps := nvtxTree(t, 2000)
	b := append(append([]byte(nil), base...), make([]byte, ps)...)
	in := uint32(len(b) / ps)
	binary.BigEndian.PutUint32(b[28:], in)
	pg := b[int(root-1)*ps : int(root)*ps]
	n := int(binary.BigEndian.Uint16(pg[3:]))
	if n < 3 {
		t.Fatalf("%d cells on the root", n)
	}
	cell := func(i int) []byte { return pg[binary.BigEndian.Uint16(pg[12+2*i:]):] }
	c0, c1, c2 := binary.BigEndian.Uint32(cell(0)), binary.BigEndian.Uint32(cell(1)), binary.BigEndian.Uint32(cell(2))
	ip := b[int(in-1)*ps:]
	ip[0] = 0x05
	binary.BigEndian.PutUint16(ip[3:], 1)
	binary.BigEndian.PutUint16(ip[5:], uint16(ps-5))
	binary.BigEndian.PutUint32(ip[8:], c1)
	binary.BigEndian.PutUint16(ip[12:], uint16(ps-5))
	binary.BigEndian.PutUint32(ip[ps-5:], c0)
	ip[ps-1] = 1
	binary.BigEndian.PutUint32(cell(0), in) // the root's first child: the new page over c0, c1
	copy(pg[12+2:], pg[12+4:12+2*n])        // c1's cell dropped
	binary.BigEndian.PutUint16(pg[3:], uint16(n-1))
	p := writeTemp(t, b)
	want := fmt.Sprintf("page %d: leaves at depths 2 and 1", c2)
	for _, opt := range []Options{{Mangled: true}, {SQLOnly: true, Mangled: true}} {
		if _, err := Read(ctx, p, opt); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), want) {
			t.Errorf("SQLOnly %v: error %v, want ErrCorrupt with %q", opt.SQLOnly, err, want)
		}
	}
}

// sqlOne writes the file b, asks SQLite (modernc, through openDB) for one integer with q, and
// returns the file's path, the value and SQLite's error.
func sqlOne(t *testing.T, b []byte, q string) (string, int64, error) {
	t.Helper()
	p := writeTemp(t, b)
	db, err := openDB(p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v int64
	err = db.QueryRow(q).Scan(&v)
	return p, v, err
}

// TestScanFirstErrorInLeafOrder: with two damaged leaves, the error names the first in leaf
// order, whatever the number of workers taking the chunks of leaves (1 to 8, chunks of one
// leaf to several).
func TestScanFirstErrorInLeafOrder(t *testing.T) {
	var rows []string
	for i := range 20_000 {
		rows = append(rows, fmt.Sprintf("(%d)", 1_000_000+i))
	}
	b, root, ps := nvtxExport(t, `INSERT INTO NVTX_EVENTS VALUES `+strings.Join(rows, ","))
	p := filepath.Join(t.TempDir(), "x.sqlite")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	pg, err := openPager(p)
	if err != nil {
		t.Fatal(err)
	}
	leaves, _, err := leafPages(pg, root, newPageSet(pg.pages))
	pg.close()
	if err != nil || len(leaves) < 20 {
		t.Fatalf("%d leaves, %v", len(leaves), err)
	}
	for _, pair := range [][2]int{{3, 4}, {5, len(leaves) - 2}, {len(leaves) - 3, len(leaves) - 1}} {
		d := slices.Clone(b)
		for _, k := range pair { // the last cell (the lowest on the page) and the one after: 0xff bytes
			page := d[int(leaves[k]-1)*ps : int(leaves[k])*ps]
			last := int(binary.BigEndian.Uint16(page[3:])) - 1
			copy(page[binary.BigEndian.Uint16(page[8+2*last:]):], strings.Repeat("\xff", 9))
		}
		if err := os.WriteFile(p, d, 0o644); err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("page %d: cell ", leaves[pair[0]])
		for par := 1; par <= 8; par++ {
			pg, err := openPager(p)
			if err != nil {
				t.Fatal(err)
			}
			var col []int64
			err = scanTable(pg, root, scanSpec{cols: []int{0}, dst: []*[]int64{&col}, text: -1}, par)
			pg.close()
			if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "payload size") {
				t.Fatalf("leaves %v, %d workers: error %v, want %q… payload size", pair, par, err, want)
			}
		}
	}
}
