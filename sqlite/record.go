package sqlite

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"sync"

	"github.com/omnistat/omnistat/trace"
)

// varint decodes an SQLite varint at b[0:], returning the value and its length (0 if short).
func varint(b []byte) (uint64, int) {
	if len(b) > 0 && b[0] < 0x80 { // one byte: most sizes, rowids past the first, header sizes
		return uint64(b[0]), 1
	}
	return varintLong(b)
}

// varintLong is varint past its first byte's test; two to four bytes (the rowids of a table
// of up to 2²⁸ rows) without the loop.
func varintLong(b []byte) (uint64, int) {
	if len(b) >= 4 {
		b0, b1, b2, b3 := uint64(b[0]&0x7f), uint64(b[1]), uint64(b[2]), uint64(b[3])
		switch {
		case b1 < 0x80:
			return b0<<7 | b1, 2
		case b2 < 0x80:
			return b0<<14 | (b1&0x7f)<<7 | b2, 3
		case b3 < 0x80:
			return b0<<21 | (b1&0x7f)<<14 | (b2&0x7f)<<7 | b3, 4
		}
	}
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

// serialSizes are the sizes of the serial types under 12.
var serialSizes = [12]int{0, 1, 2, 3, 4, 6, 8, 8, 0, 0, 0, 0}

// oneByteSizes is the size of each serial type a one-byte header entry holds, -1 where that
// entry is not one (a varint's first byte) or the type is reserved (10, 11).
var oneByteSizes = func() (t [256]int8) {
	for b := range t {
		switch {
		case b >= 0x80 || b == 10 || b == 11:
			t[b] = -1
		default:
			t[b] = int8(serialSize(uint64(b)))
		}
	}
	return t
}()

// serialSize is the number of bytes a value of serial type t (at most 2³²-1) takes in a record.
func serialSize(t uint64) int {
	if t < 12 {
		return serialSizes[t]
	}
	return int((t - 12) / 2)
}

// maxHeader is the largest record header SQLite accepts (32768 columns of 3-byte types).
const maxHeader = 98307

// cellReader decodes the cells of table leaves into the output columns, for one worker.
type cellReader struct {
	p      *pager
	seen   pageSet // every page met so far, overflow pages included
	spec   scanSpec
	out    [][]int64 // this worker's: a sparse column is nil until it has a value (lazy)
	out32  [][]int32 // spec.dst32's columns: index j - len(out)
	lazy   *lazyCols
	oddity *oddity
	buf    []byte // the payload of a record that spills onto overflow pages
	page   []byte // one overflow page
	pageNo uint32 // the leaf and cell being read, for messages
	cell   int
	// plans (a table without a text column only) decode records whose header was met before
	plans   planCache
	last    *plan // the plan of the record before, if it had one
	planner planner
}

// maxPayload is the largest record the file can hold; SQLite keeps payload sizes in 32 bits.
func (c *cellReader) maxPayload() uint64 {
	return min(uint64(c.p.pages)*uint64(c.p.usable), 1<<31-1)
}

// leaf decodes every cell of a table leaf page into rows [row, end) of the output. Each cell
// must lie between the cell pointer array and the end of the usable space, as must its
// varints and local payload.
func (c *cellReader) leaf(pageNo uint32, buf []byte, hdr, row, end int) error {
	c.pageNo = pageNo
	u := c.p.usable
	n := int(binary.BigEndian.Uint16(buf[hdr+3:]))
	first := hdr + 8 + 2*n
	if row+n != end || first > u {
		return malformed("cell count changed to %d", n)
	}
	area := buf[:u]
	maxLocal := u - 35
	maxPay := c.maxPayload()
	// a record whose header was met before is decoded from its plan straight from here (what
	// record does first, without its call): for tables without a text column or a rowid or
	// missing column to put
	planned := c.spec.onText == nil && len(c.spec.special) == 0
	for i := 0; i < n; i++ {
		off := int(binary.BigEndian.Uint16(buf[hdr+8+2*i:]))
		if off < first || off > u-4 {
			return malformed("cell %d at %d, outside the page's cell area", i, off)
		}
		size, k := varint(area[off:])
		if k == 0 || k > 8 || size > maxPay {
			return malformed("cell %d: payload size %d", i, size)
		}
		rowid, k2 := varint(area[off+k:])
		if k2 == 0 {
			return malformed("cell %d: rowid past the page end", i)
		}
		start := off + k + k2
		var payload []byte
		if int(size) <= maxLocal {
			if start+int(size) > u {
				return malformed("cell %d: %d payload bytes past the page end", i, size)
			}
			payload = area[start : start+int(size)]
		} else {
			var err error
			if payload, err = c.overflow(area, start, int(size)); err != nil {
				return fmt.Errorf("cell %d: %w", i, err)
			}
		}
		c.cell = i
		// record's checks of a one-byte header size: more than the byte itself, within the
		// record (and so below maxHeader)
		if planned && len(payload) > 1 {
			if h := int(payload[0]); h > 1 && h < 0x80 && h <= len(payload) {
				if p := c.last; p.fits(payload[:h], len(payload)) {
					c.apply(p, payload, row+i) // the record before's plan (most API rows)
					continue
				} else if p != nil && p.next.fits(payload[:h], len(payload)) {
					c.last = p.next // the plan that followed it last (most kernel rows)
					c.apply(c.last, payload, row+i)
					continue
				}
				if p := c.plans.lookup(c.last, payload[:h], len(payload)); p != nil {
					c.last = p
					c.apply(p, payload, row+i)
					continue
				}
			}
		}
		if err := c.record(payload, int64(rowid), row+i); err != nil {
			return fmt.Errorf("cell %d: %w", i, err)
		}
	}
	return nil
}

// overflow assembles a spilled payload: the local part on the leaf, the rest on a chain of
// overflow pages. The chain must have exactly the pages the payload needs, each a page of the
// file met for the first time, so it can neither loop nor outgrow the file.
func (c *cellReader) overflow(area []byte, start, size int) ([]byte, error) {
	u := c.p.usable
	m := ((u-12)*32)/255 - 23
	local := m + (size-m)%(u-4)
	if local > u-35 {
		local = m
	}
	if start+local+4 > u {
		return nil, malformed("overflow pointer past the page end")
	}
	c.buf = append(c.buf[:0], area[start:start+local]...)
	next := binary.BigEndian.Uint32(area[start+local:])
	if c.page == nil {
		c.page = make([]byte, c.p.pageSize)
	}
	for len(c.buf) < size {
		if !c.p.valid(next) {
			return nil, malformed("overflow page %d out of range", next)
		}
		if c.seen.mark(next) {
			return nil, malformed("overflow page %d used twice", next)
		}
		if err := c.p.read(next, c.page); err != nil {
			return nil, err
		}
		take := min(size-len(c.buf), u-4)
		c.buf = append(c.buf, c.page[4:4+take]...)
		next = binary.BigEndian.Uint32(c.page)
	}
	if next != 0 {
		return nil, malformed("overflow chain longer than its %d-byte payload", size)
	}
	return c.buf, nil
}

// record writes the wanted columns of one record into row r of the output. It walks the whole
// record header, decoding each wanted value as its column comes by, and checks the record as
// SQLite does and more strictly: the header within the record, every serial type defined (10
// and 11 are reserved), every value within the record, and the values ending exactly at the
// record's end. A wanted value SQL would convert marks the table odd, and the walk goes on.
func (c *cellReader) record(rec []byte, rowid int64, r int) error {
	spec := &c.spec
	hsize, k := varint(rec)
	if k == 0 || hsize <= uint64(k) || hsize > uint64(len(rec)) || hsize > maxHeader {
		return malformed("record header of %d bytes in a %d-byte record", hsize, len(rec))
	}
	for _, j := range spec.special {
		if spec.cols[j] == -1 {
			c.put(j, r, rowid)
		} else {
			c.put(j, r, trace.Null)
		}
	}
	planning := spec.onText == nil
	if planning {
		if p := c.plans.lookup(c.last, rec[:hsize], len(rec)); p != nil {
			c.last = p
			c.apply(p, rec, r)
			return nil
		}
		c.planner = planner{items: c.planner.items[:0], ok: true}
	}
	pos, end, body := k, int(hsize), int(hsize)
	col := 0
	for ; pos < end; col++ {
		// a column not wanted, of a one-byte serial type (integers, NULL, short texts): its
		// size alone, from a table; anything else takes the full path below
		if size := oneByteSizes[rec[pos]]; size >= 0 && (col >= len(spec.at) || spec.at[col] == -1) {
			if int(size) > len(rec)-body {
				return malformed("column %d: %d bytes past the record's end", col, size)
			}
			pos++
			body += int(size)
			continue
		}
		t, n := uint64(rec[pos]), 1 // serial types of integers and short texts take one byte
		if t >= 0x80 {
			t, n = varint(rec[pos:end])
		}
		if n == 0 || t > 0xffffffff || t == 10 || t == 11 {
			return malformed("column %d: serial type %d", col, t)
		}
		pos += n
		size := serialSize(t)
		if size > len(rec)-body {
			return malformed("column %d: %d bytes past the record's end", col, size)
		}
		if col < len(spec.at) {
			if j := spec.at[col]; j >= 0 {
				v, ok := intValue(t, rec[body:body+size])
				if !ok {
					c.odd("column %d: serial type %d in an integer column", col, t)
				}
				if planning && !(t == 0 && c.spec.isSparse(j)) { // a sparse column's NULL: nothing to do
					c.planner.items = append(c.planner.items, planItem{off: int32(body), j: int32(j), col: int32(col), t: uint8(t)})
					c.planner.ok = c.planner.ok && ok
				}
				switch { // put's common cases, without its call
				case j < len(c.out) && c.out[j] != nil:
					c.out[j][r] = v
				case j < len(c.out): // a sparse column not made yet
					c.put(j, r, v)
				case v > int64(trace.Null32) && v <= math.MaxInt32: // a 32-bit id (Null is below)
					c.out32[j-len(c.out)][r] = int32(v)
				default:
					c.put(j, r, v)
				}
			} else if j == textAt {
				if err := c.text(t, rec[body:body+size], r); err != nil {
					return err
				}
			}
		}
		body += size
	}
	if body != len(rec) {
		return malformed("record header describes %d bytes of %d", body, len(rec))
	}
	for ; col <= spec.last; col++ { // columns past the record's end (added by a later schema)
		if j := spec.at[col]; j >= 0 {
			c.put(j, r, trace.Null)
			if planning && !c.spec.isSparse(j) {
				c.planner.items = append(c.planner.items, planItem{off: int32(len(rec)), j: int32(j), col: int32(col)})
			}
		} else if j == textAt {
			if err := spec.onText(r, nil); err != nil {
				return err
			}
		}
	}
	if planning {
		c.keep(rec[:hsize], len(rec))
	}
	return nil
}

// put stores v as row r of output column j: a 64-bit column, or past them a 32-bit id column, where NULL is trace.Null32 and a value outside 32 bits is odd (SQL refuses it).
func (c *cellReader) put(j, r int, v int64) {
	if j < len(c.out) {
		if c.out[j] == nil { // a sparse column
			if v == trace.Null {
				return
			}
			c.out[j] = c.lazy.col(j)
		}
		c.out[j][r] = v
		return
	}
	switch {
	case v == trace.Null:
		c.out32[j-len(c.out)][r] = trace.Null32
	case v <= int64(trace.Null32) || v > math.MaxInt32:
		c.odd("value %d in a 32-bit id column", v)
	default:
		c.out32[j-len(c.out)][r] = int32(v)
	}
}

// oddity keeps the first value the scanner leaves to SQL, for all workers of a scan.
type oddity struct {
	mu    sync.Mutex
	first string
}

// odd notes a value SQL converts (the table then goes to SQL once the scan has checked it all).
func (c *cellReader) odd(format string, a ...any) {
	c.oddity.mu.Lock()
	if c.oddity.first == "" {
		c.oddity.first = fmt.Sprintf("page %d: cell %d: ", c.pageNo, c.cell) + fmt.Sprintf(format, a...)
	}
	c.oddity.mu.Unlock()
}

// maxLength is SQLite's limit on a text or blob it reads (SQLITE_MAX_LENGTH): a longer one
// fails the query.
const maxLength = 1_000_000_000

// text hands the value b of serial type t of the text column to onText as SQL reads it into
// bytes: nil for NULL, an integer as its decimal digits. A real, a blob or a text longer than
// maxLength is odd (nil stands in).
func (c *cellReader) text(t uint64, b []byte, r int) error {
	switch {
	case t == 0:
		return c.spec.onText(r, nil)
	case t >= 13 && t%2 == 1 && len(b) <= maxLength:
		return c.spec.onText(r, b)
	}
	v, ok := intValue(t, b)
	if !ok {
		c.odd("serial type %d in a text column", t)
		return c.spec.onText(r, nil)
	}
	return c.spec.onText(r, strconv.AppendInt(nil, v, 10))
}

// intValue decodes the value b of serial type t as SQL reads it into an int64: NULL is
// trace.Null. It reports false for a real, text or blob (which database/sql converts or
// rejects) and for a stored integer equal to trace.Null (which SQL's coalesce tells from NULL).
func intValue(t uint64, b []byte) (int64, bool) {
	var v int64
	switch t {
	case 0:
		return trace.Null, true
	case 1:
		v = int64(int8(b[0]))
	case 2:
		v = int64(int16(binary.BigEndian.Uint16(b)))
	case 3:
		v = int64(b[0])<<16 | int64(b[1])<<8 | int64(b[2])
		if v&0x800000 != 0 {
			v -= 1 << 24
		}
	case 4:
		v = int64(int32(binary.BigEndian.Uint32(b)))
	case 5:
		v = int64(b[0])<<40 | int64(b[1])<<32 | int64(binary.BigEndian.Uint32(b[2:]))
		if v&(1<<47) != 0 {
			v -= 1 << 48
		}
	case 6:
		v = int64(binary.BigEndian.Uint64(b))
	case 8, 9:
		v = int64(t - 8)
	default:
		return 0, false
	}
	return v, v != trace.Null
}
