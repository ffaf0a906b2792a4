package sqlite

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/trace"
)

// planReader is a cellReader of one worker over records of up to four columns: record column
// 0 into a 64-bit column, 2 and 3 into 32-bit id columns (3 past the end of 3-column records).
func planReader(rows int) *cellReader {
	spec := scanSpec{cols: []int{0, 2, 3}, last: 3, at: []int{0, -1, 1, 2}}
	return &cellReader{spec: spec, out: [][]int64{make([]int64, rows)},
		out32: [][]int32{make([]int32, rows), make([]int32, rows)}, oddity: &oddity{}}
}

// TestPlannedRecords: records that repeat a header are decoded from the plan of the first, to
// the same values the walk gives (a column past the record's end NULL); a record with that
// header and another length is still damage, and a new header is walked.
func TestPlannedRecords(t *testing.T) {
	recs := [][]byte{
		{4, 1, 1, 2, 7, 8, 0, 9},       // three columns: 7, 8, 0x0009
		{4, 1, 1, 2, 5, 6, 1, 2},       // the same header: 5, 6, 0x0102
		{4, 1, 1, 2, 5, 6, 1, 2},       // again, from the plan
		{5, 1, 1, 2, 1, 3, 0, 1, 2, 2}, // four columns: 3, 0, 0x0102, 2
		{4, 1, 1, 2, 6, 6, 255, 255},   // the first header again: 6, 6, -1
		{5, 1, 1, 2, 0, 3, 4, 0, 1},    // four, the last NULL: 3, 4, 1
	}
	c := planReader(len(recs))
	for r, rec := range recs {
		if err := c.record(rec, int64(r+1), r); err != nil {
			t.Fatalf("record %d: %v", r, err)
		}
	}
	n := trace.Null32
	if want := []int64{7, 5, 5, 3, 6, 3}; !reflect.DeepEqual(c.out[0], want) {
		t.Errorf("column 0: %v, want %v", c.out[0], want)
	}
	if want := []int32{9, 0x102, 0x102, 0x102, -1, 1}; !reflect.DeepEqual(c.out32[0], want) {
		t.Errorf("column 2: %v, want %v", c.out32[0], want)
	}
	if want := []int32{n, n, n, 2, n, n}; !reflect.DeepEqual(c.out32[1], want) {
		t.Errorf("column 3: %v, want %v", c.out32[1], want)
	}
	if c.oddity.first != "" {
		t.Errorf("odd: %s", c.oddity.first)
	}
	// a known header with a byte more (or less) than its values take
	for _, rec := range [][]byte{{4, 1, 1, 2, 5, 6, 1, 2, 0}, {4, 1, 1, 2, 5, 6, 1}} {
		err := c.record(rec, 9, 0)
		if !errors.Is(err, errMalformed) {
			t.Errorf("record %v: error %v, want malformed", rec, err)
		}
	}
}

// TestPlannedOddValues: a value SQL would convert (a real in an integer column, an id beyond
// 32 bits) is noted as odd whether its record is walked or planned.
func TestPlannedOddValues(t *testing.T) {
	for _, rec := range [][]byte{
		{4, 7, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1}, // a real in column 0
		{4, 1, 1, 4, 1, 2, 0x7f, 0xff, 0xff, 0xff},    // fits 32 bits
		{4, 1, 1, 5, 1, 2, 0, 0x80, 0, 0, 0, 0},       // does not
	} {
		c := planReader(2)
		errA, errB := c.record(rec, 1, 0), c.record(rec, 2, 1)
		if errA != nil || errB != nil {
			t.Fatalf("record %v: errors %v, %v", rec, errA, errB)
		}
		odd := rec[1] == 7 || rec[3] == 5
		if got := c.oddity.first != ""; got != odd {
			t.Errorf("record %v: odd %q, want odd %v", rec, c.oddity.first, odd)
		}
		if !odd && (c.out32[0][0] != c.out32[0][1] || c.out32[0][1] != 0x7fffffff) {
			t.Errorf("record %v: ids %v", rec, c.out32[0])
		}
		c.oddity.first = ""
		if err := c.record(rec, 3, 1); err != nil || (c.oddity.first != "") != odd || (odd && !strings.Contains(c.oddity.first, "column")) {
			t.Errorf("record %v planned: error %v, odd %q", rec, err, c.oddity.first)
		}
	}
}

// TestPlannedIntegers: apply decodes every integer serial type (NULL, 1-6 and 8-byte integers,
// the constants 0 and 1) as intValue does, for boundary and random values: each header is met
// first by the walk, then again in a record decoded from its plan; an 8-byte -2⁶³ (what NULL
// reads as) is odd on either path.
func TestPlannedIntegers(t *testing.T) {
	sizes := map[byte]int{0: 0, 1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8, 8: 0, 9: 0}
	patterns := [][]byte{
		{0, 0, 0, 0, 0, 0, 0, 0}, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, {0x80, 0, 0, 0, 0, 0, 0, 0},
		{0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, {0x80, 0, 0, 0, 0, 0, 0, 1}, {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0},
		{0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10}, {0, 0x80, 0, 0, 0, 0, 0, 0},
	}
	for st, size := range sizes {
		for _, p := range patterns {
			body := p[:size]
			rec := append([]byte{2, st}, body...)
			want, ok := intValue(uint64(st), body)
			for _, first := range [][]byte{append([]byte{2, st}, patterns[1][:size]...)} { // -1: planned
				c := planReader(2)
				if err := c.record(first, 1, 0); err != nil { // walked: the plan is made
					t.Fatal(err)
				}
				c.oddity.first = ""
				if err := c.record(rec, 2, 1); err != nil { // planned
					t.Fatal(err)
				}
				if c.last == nil || c.out[0][1] != want || (c.oddity.first == "") != ok {
					t.Errorf("serial type %d, bytes %x: planned %d (odd %q), want %d (ok %v)", st, body, c.out[0][1], c.oddity.first, want, ok)
				}
			}
		}
	}
}

// TestPlansInCycles: records whose headers come in cycles (as kernel rows do, one header followed
// by either of two), repeat, or
// jump at random among headers that share a plan slot (so a plan's next may name a slot since
// reused by another header) decode to what a walk of each record alone gives.
func TestPlansInCycles(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	sizes := map[byte]int{1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8, 8: 0, 9: 0}
	types := []byte{1, 2, 3, 4, 5, 6, 8, 9}
	var hdrs [][]byte // three columns each
	for _, a := range types {
		for _, b := range types {
			hdrs = append(hdrs, []byte{4, a, 1, b})
		}
	}
	// headers sharing a slot with another
	bySlot := map[int][][]byte{}
	for _, h := range hdrs {
		bySlot[planSlot(h)] = append(bySlot[planSlot(h)], h)
	}
	var shared [][]byte
	for _, hs := range bySlot {
		if len(hs) > 1 {
			shared = append(shared, hs...)
		}
	}
	if len(shared) < 2 {
		t.Fatalf("no two headers share a slot")
	}
	record := func(h []byte) []byte {
		rec := slices.Clone(h)
		for _, st := range h[1:] {
			for range sizes[st] {
				rec = append(rec, byte(rng.IntN(256)))
			}
		}
		return rec
	}
	var seq [][]byte
	cycle := hdrs[:5]
	for range 200 {
		seq = append(seq, cycle...)
	}
	for range 200 { // a header followed by one of two others in turn (its next and next2)
		seq = append(seq, hdrs[0], hdrs[1], hdrs[0], hdrs[2], hdrs[3])
	}
	for range 500 {
		seq = append(seq, shared[rng.IntN(len(shared))])
		if rng.IntN(3) == 0 {
			seq = append(seq, seq[len(seq)-1])
		}
	}
	for range 300 {
		seq = append(seq, hdrs[rng.IntN(len(hdrs))])
	}
	c := planReader(len(seq))
	for r, h := range seq {
		rec := record(h)
		if err := c.record(rec, int64(r+1), r); err != nil {
			t.Fatalf("record %d: %v", r, err)
		}
		alone := planReader(1)
		if err := alone.record(rec, 1, 0); err != nil {
			t.Fatal(err)
		}
		if c.out[0][r] != alone.out[0][0] || c.out32[0][r] != alone.out32[0][0] || c.out32[1][r] != alone.out32[1][0] {
			t.Fatalf("record %d (header %v): %d %d %d, walked alone %d %d %d", r, h, c.out[0][r], c.out32[0][r], c.out32[1][r],
				alone.out[0][0], alone.out32[0][0], alone.out32[1][0])
		}
	}
}

// TestLeafPlansAgainstRecords: leaf decodes a page's records from their plans without record's
// call (the plan of the record before, the one that followed it, then the others); on pages of
// records whose headers cycle, alternate and jump among headers sharing a plan slot, every row
// is what a walk of its record alone gives.
func TestLeafPlansAgainstRecords(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	sizes := map[byte]int{1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8, 8: 0, 9: 0}
	types := []byte{1, 2, 4, 5, 6, 8}
	var hdrs [][]byte
	for _, a := range types {
		for _, b := range types {
			hdrs = append(hdrs, []byte{4, a, 1, b})
		}
	}
	var seq [][]byte
	for range 300 {
		seq = append(seq, hdrs[0], hdrs[1], hdrs[0], hdrs[2], hdrs[3], hdrs[3])
	}
	for range 400 {
		seq = append(seq, hdrs[rng.IntN(len(hdrs))])
	}
	var recs [][]byte
	for _, h := range seq {
		rec := slices.Clone(h)
		for _, st := range h[1:] {
			for range sizes[st] {
				rec = append(rec, byte(rng.IntN(256)))
			}
		}
		recs = append(recs, rec)
	}
	const pageSize = 4096
	p := &pager{pageSize: pageSize, usable: pageSize, pages: 1 << 20}
	c := planReader(len(recs))
	c.p = p
	for row := 0; row < len(recs); {
		// a leaf page (not page 1): header, cell pointers, then the cells from the page's end
		n := min(100, len(recs)-row)
		page := make([]byte, pageSize)
		page[0] = 0x0d
		binary.BigEndian.PutUint16(page[3:], uint16(n))
		at := pageSize
		for i := range n {
			rec := recs[row+i]
			cell := append([]byte{byte(len(rec))}, byte((row+i+1)&0x7f))
			cell = append(cell, rec...)
			at -= len(cell)
			copy(page[at:], cell)
			binary.BigEndian.PutUint16(page[8+2*i:], uint16(at))
		}
		if err := c.leaf(2, page, 0, row, row+n); err != nil {
			t.Fatalf("page at row %d: %v", row, err)
		}
		row += n
	}
	for r, rec := range recs {
		alone := planReader(1)
		if err := alone.record(rec, 1, 0); err != nil {
			t.Fatal(err)
		}
		if c.out[0][r] != alone.out[0][0] || c.out32[0][r] != alone.out32[0][0] || c.out32[1][r] != alone.out32[1][0] {
			t.Fatalf("row %d (header %v): %d %d %d, walked alone %d %d %d", r, seq[r], c.out[0][r], c.out32[0][r], c.out32[1][r],
				alone.out[0][0], alone.out32[0][0], alone.out32[1][0])
		}
	}
}
