package sqlite

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
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

// serialSizes are the sizes of the serial types under 12.
var serialSizes = [12]int{0, 1, 2, 3, 4, 6, 8, 8, 0, 0, 0, 0}

// serialSize is the number of bytes a value of serial type t takes in a record.
func serialSize(t uint64) int {
	if t < 12 {
		return serialSizes[t]
	}
	return int((t - 12) / 2)
}

// scanSpec says which columns of a table to read: cols[i] is the record column of dst[i]
// (-1 for the rowid, -2 for a column the table lacks).
type scanSpec struct {
	cols []int
	dst  []*[]int64
	last int // the highest record column wanted: the header is parsed up to it only
	// at[c] is the dst index of record column c (-1 when not wanted, textAt for the text column),
	// for c ≤ last
	at []int
	// text, when onText is set, is the record column of a text value handed to onText with its
	// row (nil for NULL or a record without it); rows come in order only with one worker
	text   int
	onText func(r int, b []byte) error
}

// textAt marks the text column in scanSpec.at.
const textAt = -2

// scanTable reads a table b-tree rooted at root into spec.dst, keeping rowid order: the
// interior pages are walked to list the leaves, each leaf's cell count is read from its header,
// the output columns are allocated once at their final size, and par workers decode contiguous
// runs of leaves straight into their place.
func scanTable(p *pager, root uint32, spec scanSpec, par int) error {
	spec.last = -1
	for _, c := range spec.cols {
		spec.last = max(spec.last, c)
	}
	if spec.onText != nil {
		if spec.text < 0 {
			return errors.New("scanner: no text column")
		}
		spec.last = max(spec.last, spec.text)
	}
	spec.at = make([]int, spec.last+1)
	for c := range spec.at {
		spec.at[c] = -1
	}
	if spec.onText != nil {
		spec.at[spec.text] = textAt
	}
	for j, c := range spec.cols {
		if c >= 0 {
			if spec.at[c] != -1 {
				return fmt.Errorf("scanner: column %d wanted twice", c)
			}
			spec.at[c] = j
		}
	}
	leaves, err := leafPages(p, root)
	if err != nil {
		return err
	}
	par = max(1, min(par, len(leaves)))
	// cell counts: 2 bytes at offset 3 of each leaf's header (offset 103 on page 1), read in
	// runs of consecutive pages, one pread per run
	counts := make([]int, len(leaves))
	err = inParts(len(leaves), par, func(lo, hi int) error {
		return p.runs(leaves, lo, hi, func(i int, page []byte) error {
			h := 0
			if leaves[i] == 1 {
				h = 100
			}
			cells := int(binary.BigEndian.Uint16(page[h+3:]))
			if page[h] != 0x0d || cells > p.pageSize/4 {
				return fmt.Errorf("page %d: not a table leaf: %w", leaves[i], errMalformed)
			}
			counts[i] = cells
			return nil
		})
	})
	if err != nil {
		return err
	}
	offsets := make([]int, len(leaves)+1)
	for i, c := range counts {
		offsets[i+1] = offsets[i] + c
	}
	total := offsets[len(leaves)]
	out := make([][]int64, len(spec.dst))
	for j := range out {
		out[j] = make([]int64, total)
	}
	err = inParts(len(leaves), par, func(lo, hi int) error {
		return p.runs(leaves, lo, hi, func(i int, page []byte) error {
			h := 0
			if leaves[i] == 1 {
				h = 100
			}
			if err := scanLeaf(p, page, h, spec, out, offsets[i], offsets[i+1]); err != nil {
				return fmt.Errorf("page %d: %w", leaves[i], err)
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	for j, d := range spec.dst {
		*d = out[j]
	}
	return nil
}

// inParts runs f on par contiguous parts of [0, n) concurrently and returns the first error.
func inParts(n, par int, f func(lo, hi int) error) error {
	errs := make([]error, par)
	var wg sync.WaitGroup
	for w := range par {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[w] = f(w*n/par, (w+1)*n/par)
		}()
	}
	wg.Wait()
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// leafPages lists the leaf pages of the table b-tree at root, left to right. Only interior pages
// are read: all leaves of an SQLite b-tree are at the same depth, so once the first leaf is
// found, the children of interior pages one level above are leaves (scanTable checks each).
func leafPages(p *pager, root uint32) ([]uint32, error) {
	var leaves []uint32
	buf := make([]byte, p.pageSize)
	seen := make([]uint64, p.pages/64+1) // pages met so far: one met twice means a damaged tree
	meet := func(n uint32) error {
		if n == 0 || n > p.pages {
			return fmt.Errorf("page %d out of range: %w", n, errMalformed)
		}
		if seen[n/64]&(1<<(n%64)) != 0 {
			return fmt.Errorf("page %d: reached twice: %w", n, errMalformed)
		}
		seen[n/64] |= 1 << (n % 64)
		return nil
	}
	leafDepth := -1
	var visit func(n uint32, depth int) error
	visit = func(n uint32, depth int) error {
		if depth > 20 {
			return fmt.Errorf("page %d: b-tree too deep: %w", n, errMalformed)
		}
		if err := meet(n); err != nil {
			return err
		}
		if err := p.read(n, buf); err != nil {
			return err
		}
		h := 0
		if n == 1 {
			h = 100
		}
		switch buf[h] {
		case 0x0d:
			if leafDepth >= 0 && depth != leafDepth {
				return fmt.Errorf("page %d: leaves at depths %d and %d: %w", n, leafDepth, depth, errMalformed)
			}
			leafDepth = depth
			leaves = append(leaves, n)
			return nil
		case 0x05:
			kids, err := children(buf, h, p.pageSize)
			if err != nil {
				return fmt.Errorf("page %d: %w", n, err)
			}
			for _, k := range kids {
				if leafDepth == depth+1 { // a leaf, checked when it is scanned
					if err := meet(k); err != nil {
						return err
					}
					leaves = append(leaves, k)
					continue
				}
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

// decodeRecord writes the wanted integer columns of one record into row r of out: it walks the
// record header once, decoding each wanted value as its column comes by.
func decodeRecord(rec []byte, rowid int64, spec scanSpec, out [][]int64, r int) error {
	var hsize uint64
	k := 1
	if len(rec) > 0 && rec[0] < 0x80 {
		hsize = uint64(rec[0])
	} else if hsize, k = varint(rec); k == 0 {
		return errMalformed
	}
	if hsize > uint64(len(rec)) {
		return errMalformed
	}
	for j, col := range spec.cols {
		if col == -1 {
			out[j][r] = rowid
		} else if col < 0 {
			out[j][r] = trace.Null
		}
	}
	pos, body, end := k, int(hsize), int(hsize)
	c := 0
	for ; pos < end && c <= spec.last; c++ {
		t := uint64(rec[pos])
		if t < 0x80 {
			pos++
		} else {
			var n int
			if t, n = varint(rec[pos:end]); n == 0 {
				return errMalformed
			}
			pos += n
		}
		size := serialSize(t)
		if j := spec.at[c]; j >= 0 {
			if body > len(rec) {
				return errMalformed
			}
			v, _, ok := intValue(t, rec[body:])
			if !ok {
				return errMalformed
			}
			out[j][r] = v
		} else if j == textAt {
			if err := textValue(t, rec, body, size, r, spec.onText); err != nil {
				return err
			}
		}
		body += size
	}
	for ; c <= spec.last; c++ { // columns past the record's end (added by a later schema)
		if j := spec.at[c]; j >= 0 {
			out[j][r] = trace.Null
		} else if j == textAt {
			if err := spec.onText(r, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// textValue hands the text value of serial type t at rec[body:body+size] to onText: nil for
// NULL; an integer as its decimal digits, as SQLite would give it as text.
func textValue(t uint64, rec []byte, body, size, r int, onText func(int, []byte) error) error {
	if body+size > len(rec) {
		return errMalformed
	}
	switch {
	case t == 0:
		return onText(r, nil)
	case t >= 13 && t%2 == 1:
		return onText(r, rec[body:body+size])
	case t <= 6 || t == 8 || t == 9:
		v, _, ok := intValue(t, rec[body:])
		if !ok {
			return errMalformed
		}
		return onText(r, strconv.AppendInt(nil, v, 10))
	}
	return errors.New("scanner: a text column holds a blob or a real") // the SQL path reads it
}
