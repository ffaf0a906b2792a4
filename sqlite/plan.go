package sqlite

import (
	"encoding/binary"
	"math"

	"github.com/omnistat/omnistat/trace"
)

// A plan is what record's walk of one record header found: where each wanted value lies and
// of which serial type, for a record of n bytes. Every record with the same header bytes and
// the same length has its values at the same places, and passes or fails record's checks the
// same way (they look at the header and the length only), so it is decoded from the plan
// without walking its header again. nsys's tables repeat few headers (a few hundred in 3 M
// kernel rows, five of them 95% of the rows).
type plan struct {
	hdr   []byte
	n     int
	items []planItem
	// next and next2 are the plans of the records that last came after one of this plan's,
	// the latest first: rows of a kernel table cycle through a few headers (one a kernel of a
	// decoding step), so the record after one of this header mostly has one of theirs (a stale
	// one, its slot reused, just misses). With next alone, 42% of the kernel rows of the
	// ×460 Go TTS trace went on to the hash of their header; with next2, 17%
	next, next2 *plan
}

// planItem is one wanted column of a planned record: output column j, record column col (for
// messages), its value at off of serial type t (0, NULL, for a column past the record's end).
type planItem struct {
	off, j, col int32
	t           uint8
}

// planCache keeps a worker's plans, in the slot of their header's hash (planSlot); nil
// slots are empty.
type planCache [64]*plan

// planSlot is the slot of header h: a hash of its bytes, eight at a time.
func planSlot(h []byte) int {
	x := uint64(len(h))
	for len(h) >= 8 {
		x = (x ^ binary.LittleEndian.Uint64(h)) * 0x9E3779B97F4A7C15
		h = h[8:]
	}
	for _, b := range h {
		x = (x ^ uint64(b)) * 0x9E3779B97F4A7C15
	}
	return int(x >> 58) // 64 slots
}

// lookup is the plan of a record with header h and n bytes, nil when there is none. The
// plan of the record before, last, is tried first (CUDA API rows mostly repeat it: 95% of
// them), then the two that followed it latest (kernel rows cycle through a few headers: only
// 8% repeat the one before), then the slot of h's hash, which then becomes last's next.
func (pc *planCache) lookup(last *plan, h []byte, n int) *plan {
	if last != nil {
		if last.fits(h, n) {
			return last
		}
		if nx := last.next; nx.fits(h, n) {
			return nx
		}
		if nx := last.next2; nx.fits(h, n) {
			last.next, last.next2 = nx, last.next
			return nx
		}
	}
	p := pc[planSlot(h)]
	if !p.fits(h, n) {
		return nil
	}
	if last != nil {
		last.next, last.next2 = p, last.next
	}
	return p
}

// fits says whether p (nil: none) is the plan of a record with header h and n bytes.
func (p *plan) fits(h []byte, n int) bool {
	return p != nil && p.n == n && string(p.hdr) == string(h)
}

// planner collects a plan during record's walk; ok turns false when the record cannot be
// planned (a wanted value that is not an integer or NULL, or a text column).
type planner struct {
	items []planItem
	ok    bool
}

// apply decodes a planned record into row r: what record's walk would store, with the same
// notes of odd values. The integer types are decoded here (intValue's cases, inline); only an
// 8-byte integer can hold the value that stands for NULL (trace.Null), which SQL tells apart.
func (c *cellReader) apply(p *plan, rec []byte, r int) {
	out, out32 := c.out, c.out32  // kept in registers: the stores below could alias c
	rec = rec[:len(rec):len(rec)] // a value's bytes are sliced within the record, never past it
	for _, it := range p.items {
		off := uint(uint32(it.off)) // not negative: one check covers a value's bytes
		var v int64
		switch it.t {
		case 0:
			v = trace.Null
		case 1:
			v = int64(int8(rec[off]))
		case 2:
			v = int64(int16(binary.BigEndian.Uint16(rec[off : off+2])))
		case 3:
			b := rec[off : off+3]
			v = int64(int32(uint32(b[0])<<24|uint32(b[1])<<16|uint32(b[2])<<8) >> 8)
		case 4:
			v = int64(int32(binary.BigEndian.Uint32(rec[off : off+4])))
		case 5: // timestamps: 6 bytes
			b := rec[off : off+6 : off+6]
			v = (int64(b[0])<<40 | int64(b[1])<<32 | int64(binary.BigEndian.Uint32(b[2:6]))) << 16 >> 16
		case 6: // the threads' and processes' global ids: 8 bytes
			v = int64(binary.BigEndian.Uint64(rec[off : off+8]))
			if v == trace.Null {
				c.odd("column %d: serial type %d in an integer column", it.col, it.t)
			}
		case 8, 9:
			v = int64(it.t - 8)
		default:
			var ok bool
			if v, ok = intValue(uint64(it.t), rec[off:]); !ok {
				c.odd("column %d: serial type %d in an integer column", it.col, it.t)
			}
		}
		j := int(it.j)
		switch {
		case uint(j) < uint(len(out)):
			out[j][r] = v
		case v > int64(trace.Null32) && v <= math.MaxInt32:
			out32[j-len(out)][r] = int32(v)
		default:
			c.put(j, r, v)
		}
	}
}

// keep stores the plan collected for the record rec with header h, in its slot.
func (c *cellReader) keep(h []byte, n int) {
	if !c.planner.ok {
		return
	}
	k := planSlot(h)
	p := c.plans[k]
	if p == nil {
		p = &plan{}
		c.plans[k] = p
	}
	p.hdr = append(p.hdr[:0], h...)
	p.n = n
	p.items = append(p.items[:0], c.planner.items...)
	c.last = p
}
