package sqlite

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// fuzzBase is the export FuzzReadPages damages: a small real one (124 pages of 4 KiB).
const fuzzBase = "../testdata/traces/diffusion.sqlite"

var writeSeeds = flag.Bool("write-seeds", false, "rewrite testdata/fuzz/FuzzReadPages from hostileSeeds")

// FuzzReadPages overwrites a run of bytes of a real export (from byte at of page index page, as
// long as data, across pages if it is longer) with the fuzzer's bytes, and reads the result
// with the scanner and with SQL: both fail, or both read the same model; an error names the
// file; each read takes under 5 s and allocates within a few times the file's size.
func FuzzReadPages(f *testing.F) {
	base, err := os.ReadFile(fuzzBase)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(uint32(1), uint16(0), bytes.Repeat([]byte{0xff}, 4096))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, page uint32, at uint16, data []byte) {
		p := filepath.Join(dir, "fuzz.sqlite")
		if err := os.WriteFile(p, overwrite(base, page, at, data), 0o644); err != nil {
			t.Fatal(err)
		}
		defer watchdog()()
		checkRead(t, p)
	})
}

// watchdog crashes the process when a read hangs (past 6 maxReadTime), so that the fuzzer,
// which has no time limit of its own, records the input; call the function it returns when done.
func watchdog() func() {
	timer := time.AfterFunc(6*maxReadTime, func() { panic("a read of a damaged export hangs") })
	return func() { timer.Stop() }
}

// overwrite returns a copy of base with data written from byte at (modulo the page size) of
// page index page (modulo the page count), cut at the file's end.
func overwrite(base []byte, page uint32, at uint16, data []byte) []byte {
	b := bytes.Clone(base)
	ps := pageSizeOf(b)
	off := int(page%uint32(len(b)/ps))*ps + int(at)%ps
	copy(b[off:], data)
	return b
}

func pageSizeOf(b []byte) int {
	ps := int(binary.BigEndian.Uint16(b[16:]))
	if ps == 1 {
		ps = 65536
	}
	return ps
}

// seed is one FuzzReadPages input.
type seed struct {
	name string
	page uint32 // page index (page number - 1)
	at   uint16
	data []byte
}

// hostileSeeds builds the damage a hostile tester found, on the first cell of the first leaf of
// the kernel table of fuzzBase: an overflow chain looping on itself under a 2 GB, a 300 KB and a
// 1 TB payload, 0xFF varints, reserved serial types, a header past the record, values of other
// types in integer columns, a zeroed leaf and an interior page whose children are all one page.
func hostileSeeds(t testing.TB) []seed {
	base, err := os.ReadFile(fuzzBase)
	if err != nil {
		t.Fatal(err)
	}
	ps := pageSizeOf(base)
	leaf, root, cell := firstCell(t, fuzzBase, "CUPTI_ACTIVITY_KIND_KERNEL")
	pg := base[int(leaf-1)*ps : int(leaf)*ps]
	_, k := varint(pg[cell:])
	rowid, k2 := varint(pg[cell+k:])
	rec := cell + k + k2 // the record: header size, then serial types
	hsize := int(pg[rec])
	var out []seed
	add := func(name string, off int, data []byte) {
		out = append(out, seed{name, leaf - 1, uint16(off), data})
	}
	for _, c := range []struct {
		name string
		size uint64
	}{{"overflow-loop-2GB", 1 << 31}, {"overflow-loop-300KB", 300_000}, {"overflow-loop-1TB", 1 << 40}} {
		out = append(out, seed{c.name, leaf - 1, 0, loopingOverflow(pg, leaf, cell, rowid, c.size)})
	}
	ff := bytes.Repeat([]byte{0xff}, 9)
	add("varint-ff-payload-size", cell, ff)
	add("varint-ff-rowid", cell+k, ff)
	add("varint-ff-header-size", rec, ff)
	add("varint-ff-serial-type", rec+1, ff)
	add("serial-type-10", rec+1, []byte{10})
	add("serial-type-11", rec+1, []byte{11})
	// the same in the record's last column, which no reader wants (its type is only skipped)
	add("serial-type-10-unread", rec+hsize-1, []byte{10})
	add("serial-type-11-unread", rec+hsize-1, []byte{11})
	add("unread-past-record", rec+hsize-1, []byte{0x7f}) // a 57-byte text
	add("serial-type-huge-text", rec+1, []byte{0x8f, 0xff, 0xff, 0xff, 0x7f})
	add("header-past-record", rec, []byte{0x7f})
	add("header-size-zero", rec, []byte{0})
	// values of other types in place of the first 8-byte integer (globalPid): the header's type
	// byte, the header's rest, the 8 bytes of the value
	body := rec + hsize
	for c := 0; rec+1+c < rec+hsize; c++ {
		if typ := pg[rec+1+c]; typ != 6 {
			body += serialSize(uint64(typ))
			continue
		}
		d := append([]byte{0}, pg[rec+2+c:body]...)
		swap := func(name string, typ byte, value []byte) {
			d[0] = typ
			add(name, rec+1+c, append(bytes.Clone(d), value...))
		}
		swap("text-digits-in-int", 13+2*8, []byte("12345678"))
		swap("text-letters-in-int", 13+2*8, []byte("12345abc"))
		swap("real-in-int", 7, binary.BigEndian.AppendUint64(nil, math.Float64bits(3)))
		swap("real-nan-in-int", 7, binary.BigEndian.AppendUint64(nil, math.Float64bits(math.NaN())))
		swap("blob-in-int", 12+2*8, []byte("00000042"))
		swap("null-marker-in-int", 6, binary.BigEndian.AppendUint64(nil, 1<<63))
		break
	}
	// a cell whose record has the header of the cell before it (a reader that trusted a header
	// it has seen would not look again), one byte longer than that header describes
	h, longer := hdrOffset(leaf), -1
	header := func(i int) (cell int, size uint64, k int, hdr []byte) {
		cell = int(binary.BigEndian.Uint16(pg[h+8+2*i:]))
		size, k = varint(pg[cell:])
		_, k2 := varint(pg[cell+k:])
		r := cell + k + k2
		return cell, size, k, pg[r : r+int(pg[r])]
	}
	for i := 1; i < int(binary.BigEndian.Uint16(pg[h+3:])) && longer < 0; i++ {
		cell, size, k, hdr := header(i)
		if _, _, _, prev := header(i - 1); k == 1 && size < 127 && bytes.Equal(hdr, prev) {
			longer = cell
			add("record-one-byte-longer", cell, []byte{byte(size + 1)})
		}
	}
	if longer < 0 {
		t.Fatalf("no cell of the kernel table's first leaf has the header of the one before it")
	}
	add("zeroed-leaf", 0, make([]byte, ps))
	if root != leaf {
		out = append(out, seed{"interior-children-one-page", root - 1, 0, sameChildren(base, ps, root)})
	}
	return out
}

// loopingOverflow is a copy of leaf page pg holding one cell (rowid, the record's first bytes)
// whose payload of size bytes spills onto page leaf+1, which names itself as the next page.
func loopingOverflow(pg []byte, leaf uint32, cell int, rowid uint64, size uint64) []byte {
	ps := len(pg)
	u := ps // fuzzBase reserves no bytes
	m := ((u-12)*32)/255 - 23
	local := m + int((size-uint64(m))%uint64(u-4))
	if local > u-35 {
		local = m
	}
	c := appendVarint(nil, size)
	c = appendVarint(c, rowid)
	_, k := varint(pg[cell:])
	_, k2 := varint(pg[cell+k:])
	c = append(c, pg[cell+k+k2:cell+k+k2+local]...)
	c = binary.BigEndian.AppendUint32(c, leaf+1)
	page := bytes.Clone(pg)
	clear(page[8:])
	off := ps - len(c)
	copy(page[off:], c)
	binary.BigEndian.PutUint16(page[3:], 1)
	binary.BigEndian.PutUint16(page[5:], uint16(off))
	binary.BigEndian.PutUint16(page[8:], uint16(off))
	next := make([]byte, ps)
	binary.BigEndian.PutUint32(next, leaf+1)
	return append(page, next...)
}

// sameChildren is a copy of interior page root of base whose children are all its first child.
func sameChildren(base []byte, ps int, root uint32) []byte {
	pg := bytes.Clone(base[int(root-1)*ps : int(root)*ps])
	h := hdrOffset(root)
	n := int(binary.BigEndian.Uint16(pg[h+3:]))
	first := binary.BigEndian.Uint32(pg[binary.BigEndian.Uint16(pg[h+12:]):])
	for i := 1; i < n; i++ {
		binary.BigEndian.PutUint32(pg[binary.BigEndian.Uint16(pg[h+12+2*i:]):], first)
	}
	binary.BigEndian.PutUint32(pg[h+8:], first)
	return pg
}

// appendVarint appends v as an SQLite varint.
func appendVarint(b []byte, v uint64) []byte {
	if v > 1<<56-1 {
		var x [9]byte
		x[8] = byte(v)
		v >>= 8
		for i := 7; i >= 0; i-- {
			x[i] = byte(v&0x7f) | 0x80
			v >>= 7
		}
		return append(b, x[:]...)
	}
	var x []byte
	for {
		x = append([]byte{byte(v & 0x7f)}, x...)
		v >>= 7
		if v == 0 {
			break
		}
	}
	for i := 0; i < len(x)-1; i++ {
		x[i] |= 0x80
	}
	return append(b, x...)
}

// firstCell finds a leaf of table in the export at path whose next page no wanted table uses
// (a seed overwrites both), the table's root page and the offset of the leaf's first cell.
func firstCell(t testing.TB, path, table string) (leaf, root uint32, cell int) {
	db, err := openDB(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := readSchema(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	p, err := openPager(path)
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	used := newPageSet(p.pages)
	var leaves []uint32
	for _, w := range wantedTables {
		if s.root[w] == 0 {
			continue
		}
		l, _, err := leafPages(p, s.root[w], used)
		if err != nil {
			t.Fatalf("%s: %v", w, err)
		}
		if w == table {
			leaves = l
		}
	}
	root = s.root[table]
	for _, l := range leaves {
		if l < p.pages && !used.mark(l+1) {
			leaf = l
			break
		}
	}
	if leaf == 0 {
		t.Fatalf("%s: no leaf followed by a page no wanted table uses", table)
	}
	buf := make([]byte, p.pageSize)
	if err := p.read(leaf, buf); err != nil {
		t.Fatal(err)
	}
	h := hdrOffset(leaf)
	return leaf, root, int(binary.BigEndian.Uint16(buf[h+8:]))
}

// TestWriteSeeds rewrites the seed corpus of FuzzReadPages (with -write-seeds).
func TestWriteSeeds(t *testing.T) {
	if !*writeSeeds {
		t.Skip("run with -write-seeds to rewrite testdata/fuzz/FuzzReadPages")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzReadPages")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, s := range hostileSeeds(t) {
		text := fmt.Sprintf("go test fuzz v1\nuint32(%d)\nuint16(%d)\n[]byte(%q)\n", s.page, s.at, s.data)
		if err := os.WriteFile(filepath.Join(dir, "seed-"+s.name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
