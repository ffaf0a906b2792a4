package sqlite

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"sync"

	"github.com/omnistat/omnistat/trace"
)

// The hot tables (CUDA API calls, kernels, copies, OS runtime calls) are read by scanning the
// SQLite file format directly: the table's b-tree is walked from its root page, records are
// decoded straight into the columnar slices, and subtrees are read in parallel. database/sql
// boxes every value into an interface and allocates per row; this does neither. The file format
// is documented (sqlite.org/fileformat.html) and stable since 2004. Schema, strings and small
// tables stay with modernc.org/sqlite, and the tests compare both paths on every testdata trace.

// errMalformed reports a page that does not parse.
var errMalformed = errors.New("database disk image is malformed")

// pager reads pages of a database file with pread, so memory holds only the pages in use.
type pager struct {
	f        *os.File
	pageSize int
	usable   int
	pages    uint32
}

func openPager(path string) (*pager, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	h := make([]byte, 100)
	if _, err := f.ReadAt(h, 0); err != nil {
		f.Close()
		return nil, err
	}
	ps := int(binary.BigEndian.Uint16(h[16:]))
	if ps == 1 {
		ps = 65536
	}
	// a WAL-mode file may have pages outside the main file, and a non-UTF-8 file stores text
	// differently: leave both to SQLite
	if h[18] == 2 || h[19] == 2 || ps < 512 || ps&(ps-1) != 0 || binary.BigEndian.Uint32(h[56:]) > 1 {
		f.Close()
		return nil, errors.New("scanner: file not in a format it reads")
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &pager{f: f, pageSize: ps, usable: ps - int(h[20]), pages: uint32(st.Size() / int64(ps))}, nil
}

func (p *pager) close() { p.f.Close() }

// read fills buf (pageSize bytes) with page n (1-based).
func (p *pager) read(n uint32, buf []byte) error {
	if n == 0 || n > p.pages {
		return fmt.Errorf("page %d out of range: %w", n, errMalformed)
	}
	_, err := p.f.ReadAt(buf, int64(n-1)*int64(p.pageSize))
	return err
}

// varint decodes an SQLite varint at b[0:], returning the value and its length (0 if short).
func varint(b []byte) (uint64, int) {
	var v uint64
	for i := 0; i < 8; i++ {
		if i >= len(b) {
			return 0, 0
		}
		v = v<<7 | uint64(b[i]&0x7f)
		if b[i] < 0x80 {
			return v, i + 1
		}
	}
	if len(b) < 9 {
		return 0, 0
	}
	return v<<8 | uint64(b[8]), 9
}

// intValue decodes a record value of serial type t at b as an int64; NULL, text and blobs give
// trace.Null. It returns the value and the bytes the value takes.
func intValue(t uint64, b []byte) (int64, int, bool) {
	size := serialSize(t)
	if size > len(b) {
		return 0, 0, false
	}
	switch t {
	case 0:
		return trace.Null, 0, true
	case 1:
		return int64(int8(b[0])), 1, true
	case 2:
		return int64(int16(binary.BigEndian.Uint16(b))), 2, true
	case 3:
		v := int64(b[0])<<16 | int64(b[1])<<8 | int64(b[2])
		if v&0x800000 != 0 {
			v -= 1 << 24
		}
		return v, 3, true
	case 4:
		return int64(int32(binary.BigEndian.Uint32(b))), 4, true
	case 5:
		v := int64(b[0])<<40 | int64(b[1])<<32 | int64(binary.BigEndian.Uint32(b[2:]))
		if v&(1<<47) != 0 {
			v -= 1 << 48
		}
		return v, 6, true
	case 6:
		return int64(binary.BigEndian.Uint64(b)), 8, true
	case 7:
		return int64(math.Float64frombits(binary.BigEndian.Uint64(b))), 8, true
	case 8:
		return 0, 0, true
	case 9:
		return 1, 0, true
	}
	return trace.Null, size, true
}

// serialSize is the number of bytes a value of serial type t takes in a record.
func serialSize(t uint64) int {
	switch {
	case t <= 4:
		return int(t)
	case t == 5:
		return 6
	case t == 6 || t == 7:
		return 8
	case t < 12:
		return 0
	}
	return int((t - 12) / 2)
}

// scanSpec says which columns of a table to read: cols[i] is the record column of dst[i]
// (-1 for the rowid, -2 for a column the table lacks).
type scanSpec struct {
	cols []int
	dst  []*[]int64
	last int // the highest record column wanted: the header is parsed up to it only
}

// scanTable reads a table b-tree rooted at root into spec.dst, keeping rowid order: the
// interior pages are walked to list the leaves, each leaf's cell count is read from its header,
// the output columns are allocated once at their final size, and par workers decode contiguous
// runs of leaves straight into their place.
func scanTable(p *pager, root uint32, spec scanSpec, par int) error {
	spec.last = -1
	for _, c := range spec.cols {
		spec.last = max(spec.last, c)
	}
	leaves, err := leafPages(p, root)
	if err != nil {
		return err
	}
	// cell counts: 2 bytes at offset 3 of each leaf's header (offset 103 on page 1)
	offsets := make([]int, len(leaves)+1)
	hdr := make([]byte, 8)
	for i, l := range leaves {
		at := int64(l-1) * int64(p.pageSize)
		if l == 1 {
			at += 100
		}
		if _, err := p.f.ReadAt(hdr, at); err != nil {
			return err
		}
		cells := int(binary.BigEndian.Uint16(hdr[3:]))
		if hdr[0] != 0x0d || cells > p.pageSize/4 {
			return fmt.Errorf("page %d: not a table leaf: %w", l, errMalformed)
		}
		offsets[i+1] = offsets[i] + cells
	}
	total := offsets[len(leaves)]
	out := make([][]int64, len(spec.dst))
	for j := range out {
		out[j] = make([]int64, total)
	}
	if par < 1 {
		par = 1
	}
	if par > len(leaves) {
		par = max(1, len(leaves))
	}
	errs := make([]error, par)
	var wg sync.WaitGroup
	for w := 0; w < par; w++ {
		lo, hi := w*len(leaves)/par, (w+1)*len(leaves)/par
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, p.pageSize)
			for i := lo; i < hi; i++ {
				if err := p.read(leaves[i], buf); err != nil {
					errs[w] = err
					return
				}
				h := 0
				if leaves[i] == 1 {
					h = 100
				}
				if err := scanLeaf(p, buf, h, spec, out, offsets[i], offsets[i+1]); err != nil {
					errs[w] = fmt.Errorf("page %d: %w", leaves[i], err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	for j, d := range spec.dst {
		*d = out[j]
	}
	return nil
}

// leafPages lists the leaf pages of the table b-tree at root, left to right.
func leafPages(p *pager, root uint32) ([]uint32, error) {
	var leaves []uint32
	buf := make([]byte, p.pageSize)
	seen := map[uint32]bool{}
	var visit func(n uint32, depth int) error
	visit = func(n uint32, depth int) error {
		if depth > 20 {
			return fmt.Errorf("page %d: b-tree too deep: %w", n, errMalformed)
		}
		if seen[n] { // a page reached twice: the tree is damaged (or would loop)
			return fmt.Errorf("page %d: reached twice: %w", n, errMalformed)
		}
		seen[n] = true
		if err := p.read(n, buf); err != nil {
			return err
		}
		h := 0
		if n == 1 {
			h = 100
		}
		switch buf[h] {
		case 0x0d:
			leaves = append(leaves, n)
			return nil
		case 0x05:
			kids, err := children(buf, h, p.pageSize)
			if err != nil {
				return fmt.Errorf("page %d: %w", n, err)
			}
			for _, k := range kids {
				if err := visit(k, depth+1); err != nil {
					return err
				}
			}
			return nil
		}
		return fmt.Errorf("page %d: not a table page: %w", n, errMalformed)
	}
	return leaves, visit(root, 0)
}

// children lists the child pages of an interior table page, left to right.
func children(buf []byte, hdr, pageSize int) ([]uint32, error) {
	if hdr+12 > len(buf) {
		return nil, errMalformed
	}
	n := int(binary.BigEndian.Uint16(buf[hdr+3:]))
	if hdr+12+2*n > len(buf) {
		return nil, errMalformed
	}
	out := make([]uint32, 0, n+1)
	for i := 0; i < n; i++ {
		off := int(binary.BigEndian.Uint16(buf[hdr+12+2*i:]))
		if off+4 > pageSize {
			return nil, errMalformed
		}
		out = append(out, binary.BigEndian.Uint32(buf[off:]))
	}
	return append(out, binary.BigEndian.Uint32(buf[hdr+8:])), nil
}

// scanLeaf decodes every cell of a table leaf page into rows [row, end) of out.
func scanLeaf(p *pager, buf []byte, hdr int, spec scanSpec, out [][]int64, row, end int) error {
	if hdr+8 > len(buf) {
		return errMalformed
	}
	n := int(binary.BigEndian.Uint16(buf[hdr+3:]))
	if hdr+8+2*n > len(buf) || row+n != end {
		return errMalformed
	}
	maxLocal := p.usable - 35
	var overflow []byte
	for i := 0; i < n; i++ {
		off := int(binary.BigEndian.Uint16(buf[hdr+8+2*i:]))
		if off >= len(buf) {
			return errMalformed
		}
		size, k := varint(buf[off:])
		if k == 0 {
			return errMalformed
		}
		rowid, k2 := varint(buf[off+k:])
		if k2 == 0 {
			return errMalformed
		}
		start := off + k + k2
		var payload []byte
		if int(size) <= maxLocal {
			if start+int(size) > len(buf) {
				return errMalformed
			}
			payload = buf[start : start+int(size)]
		} else { // the record spills onto overflow pages
			var err error
			if overflow, err = readOverflow(p, buf, start, int(size), overflow[:0]); err != nil {
				return err
			}
			payload = overflow
		}
		if err := decodeRecord(payload, int64(rowid), spec, out, row+i); err != nil {
			return err
		}
	}
	return nil
}

// readOverflow assembles a spilled payload: the local part on the leaf, the rest on a chain of
// overflow pages.
func readOverflow(p *pager, buf []byte, start, size int, out []byte) ([]byte, error) {
	u := p.usable
	m := ((u-12)*32)/255 - 23
	local := m + (size-m)%(u-4)
	if local > u-35 {
		local = m
	}
	if start+local+4 > len(buf) {
		return nil, errMalformed
	}
	out = append(out, buf[start:start+local]...)
	next := binary.BigEndian.Uint32(buf[start+local:])
	page := make([]byte, p.pageSize)
	for len(out) < size {
		if next == 0 {
			return nil, errMalformed
		}
		if err := p.read(next, page); err != nil {
			return nil, err
		}
		take := min(size-len(out), u-4)
		out = append(out, page[4:4+take]...)
		next = binary.BigEndian.Uint32(page)
	}
	return out, nil
}

// decodeRecord writes the wanted integer columns of one record into row r of out.
func decodeRecord(rec []byte, rowid int64, spec scanSpec, out [][]int64, r int) error {
	hsize, k := varint(rec)
	if k == 0 || int(hsize) > len(rec) {
		return errMalformed
	}
	// serial types of up to 64 columns, on the stack
	var types [64]uint64
	var offs [64]int
	nt := 0
	pos, body := k, int(hsize)
	for pos < int(hsize) && nt < len(types) && nt <= spec.last {
		t, n := varint(rec[pos:int(hsize)])
		if n == 0 {
			return errMalformed
		}
		types[nt], offs[nt] = t, body
		body += serialSize(t)
		pos += n
		nt++
	}
	for j, col := range spec.cols {
		v := trace.Null
		switch {
		case col == -1:
			v = rowid
		case col >= 0 && col < nt:
			if offs[col] > len(rec) {
				return errMalformed
			}
			x, _, ok := intValue(types[col], rec[offs[col]:])
			if !ok {
				return errMalformed
			}
			v = x
		}
		out[j][r] = v
	}
	return nil
}
