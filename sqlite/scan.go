package sqlite

import (
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/omnistat/omnistat/internal/hugepage"
	"github.com/omnistat/omnistat/internal/par"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// The hot tables (CUDA API calls, kernels, copies, OS runtime calls, NVTX) are read by scanning
// the SQLite file format directly: the table's b-tree is walked from its root page, records are
// decoded straight into the columnar slices, and subtrees are read in parallel. database/sql
// boxes every value into an interface and allocates per row; this does neither. The file format
// is documented (sqlite.org/fileformat.html) and stable since 2004. Schema, strings and small
// tables stay with modernc.org/sqlite, and the tests compare both paths on every testdata trace.
//
// The scanner reads only what it can prove SQLite reads the same way: every page number, cell
// offset, varint, length and serial type is checked against the page, the file and the rules
// SQLite applies, every page is used once, and the work and memory are bounded by the file's
// size. Anything else (damage, or a form nsys never writes) is errUnusual, and the caller reads
// that table through SQLite instead, so both paths give the same rows or the same error.

// scanSpec says which columns of a table to read: cols[i] is the record column of dst[i]
// (-1 for the rowid, -2 for a column the table lacks).
type scanSpec struct {
	cols []int
	dst  []*[]int64
	// dst32 are 32-bit id columns, after dst in cols (cols[len(dst)+i] is dst32[i]'s);
	// a value outside 32 bits is odd: SQL then reads the table and refuses it (readInts)
	dst32 []*[]int32
	// sparse[j] marks dst[j] as a column of mostly NULLs (kernels' graph node ids): it is made
	// only when a value that is not NULL comes, then filled with trace.Null; its NULLs cost no
	// store (nor a plan item), and a column of NULLs only stays nil (sparse is nil: none)
	sparse []bool
	last   int // the highest record column wanted: the header is parsed up to it only
	// special lists the outputs j whose cols[j] is not a record column: -1 the rowid, below it
	// NULL (a column the table lacks); set by scanTable
	special []int
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

// chunksPerWorker is how many chunks of a table's leaves each decoding worker takes on average.
const chunksPerWorker = 8

// maxDepth is the deepest b-tree page SQLite's cursor reaches (BTCURSOR_MAX_DEPTH - 1 levels
// below the root).
const maxDepth = 19

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
	spec.special = nil
	for j, c := range spec.cols {
		if c < 0 {
			spec.special = append(spec.special, j)
		}
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
	seen := newPageSet(p.pages)
	leaves, bounds, err := leafPages(p, root, seen)
	if err != nil {
		return err
	}
	par = max(1, min(par, len(leaves)))
	// the interior pages' keys give each leaf's cell count when rowids are dense (nsys's are:
	// rows are only ever appended); the decoding checks every count, and anything unexpected
	// sends the table down the path below, which reads every leaf's count first. Not for a
	// table with a text column: its texts are handed on row by row, and a second decoding
	// would hand them on again
	if counts := predictCounts(p, leaves, bounds); counts != nil && spec.onText == nil {
		err := decodeLeaves(p, leaves, counts, spec, seen, par, true)
		if err == nil || errors.Is(err, errUnusual) {
			return err
		}
		recounted.Add(1)
		seen = newPageSet(p.pages) // the decoding met overflow pages: start again
		if leaves, _, err = leafPages(p, root, seen); err != nil {
			return err
		}
	}
	// cell counts: 2 bytes at offset 3 of each leaf's header (offset 103 on page 1), read in
	// runs of consecutive pages, one pread per run; each count is checked against what the page
	// can hold, so the columns allocated below are bounded by the file's size
	counts := make([]int, len(leaves))
	err = inParts(len(leaves), par, func(lo, hi int) error {
		return p.runs(leaves, lo, hi, func(i int, page []byte) error {
			h := hdrOffset(leaves[i])
			cells := int(binary.BigEndian.Uint16(page[h+3:]))
			switch {
			case page[h] != 0x0d:
				return malformed("page %d: not a table leaf", leaves[i])
			case cells > maxCells(p) || h+8+2*cells > p.usable:
				return malformed("page %d: %d cells do not fit", leaves[i], cells)
			case cells == 0 && leaves[i] != root:
				return malformed("page %d: a leaf without cells", leaves[i]) // SQLite: corrupt
			}
			counts[i] = cells
			return nil
		})
	})
	if err != nil {
		return err
	}
	return decodeLeaves(p, leaves, counts, spec, seen, par, false)
}

// decodeLeaves decodes the leaves, of counts cells each, into spec's columns, par workers on
// contiguous runs of leaves. With predicted counts, a page that is not a table leaf or holds
// another count stops every worker with an error (the caller then counts the cells).
func decodeLeaves(p *pager, leaves []uint32, counts []int, spec scanSpec, seen pageSet, par int, predicted bool) error {
	offsets := make([]int, len(leaves)+1)
	for i, c := range counts {
		offsets[i+1] = offsets[i] + c
	}
	total := offsets[len(leaves)]
	out := make([][]int64, len(spec.dst))
	lazy := &lazyCols{n: total, cols: make([][]int64, len(spec.dst)), once: make([]sync.Once, len(spec.dst))}
	for j := range out {
		if !spec.isSparse(j) {
			out[j] = make([]int64, total)
			hugepage.Hint(out[j])
		}
	}
	out32 := make([][]int32, len(spec.dst32))
	for j := range out32 {
		out32[j] = make([]int32, total)
		hugepage.Hint(out32[j])
	}
	odd := &oddity{}
	var stop atomic.Bool
	// the leaves are cut into chunks, several a worker, that the workers take in order as they
	// become free: a worker slowed down (by the other tables' workers, by page faults) holds
	// back no more than a chunk. A chunk stops at its first error; a worker that met one takes
	// no more chunks, and every chunk before it has been taken, so the error given is the first
	// in leaf order, whatever the timing
	chunks := min(len(leaves), par*chunksPerWorker)
	errs := make([]error, chunks)
	var next atomic.Int64
	_ = inParts(par, par, func(_, _ int) error {
		// each worker its own copy of the 64-bit columns' headers: a sparse one is nil in it
		// until the worker meets a value of it (lazy)
		c := cellReader{p: p, seen: seen, spec: spec, out: slices.Clone(out), out32: out32, oddity: odd, lazy: lazy}
		buf := make([]byte, maxRun*p.pageSize)
		for {
			k := int(next.Add(1) - 1)
			if k >= chunks {
				return nil
			}
			errs[k] = p.runsIn(buf, leaves, k*len(leaves)/chunks, (k+1)*len(leaves)/chunks, func(i int, page []byte) error {
				if predicted {
					h := hdrOffset(leaves[i])
					if stop.Load() || page[h] != 0x0d || int(binary.BigEndian.Uint16(page[h+3:])) != counts[i] {
						stop.Store(true)
						return errMispredicted
					}
				}
				if err := c.leaf(leaves[i], page, hdrOffset(leaves[i]), offsets[i], offsets[i+1]); err != nil {
					stop.Store(true)
					return fmt.Errorf("page %d: %w", leaves[i], err)
				}
				return nil
			})
			if errs[k] != nil {
				return nil
			}
		}
	})
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	if odd.first != "" {
		return fmt.Errorf("%s: %w", odd.first, errUnusual)
	}
	for j, d := range spec.dst {
		if spec.isSparse(j) {
			*d = lazy.cols[j] // nil when every value was NULL
		} else {
			*d = out[j]
		}
	}
	for j, d := range spec.dst32 {
		*d = out32[j]
	}
	return nil
}

// recounted counts the tables whose predicted cell counts did not hold, for the tests.
var recounted atomic.Int64

// errMispredicted stops a decoding whose predicted cell counts do not hold.
var errMispredicted = errors.New("scanner: a leaf's cell count is not the one its keys give")

// predictCounts gives each leaf's cell count from the keys around it, when rowids are dense:
// a leaf holds the rows after the previous leaf's bound up to its own (bounds[i], the key
// after leaf i in key order). The first and last leaves are read for theirs. Nil when that
// cannot hold: fewer than three leaves, keys out of order, or a count a page cannot hold.
func predictCounts(p *pager, leaves []uint32, bounds []int64) []int {
	n := len(leaves)
	if n < 3 || len(bounds) != n-1 {
		return nil
	}
	counts := make([]int, n)
	buf := make([]byte, p.pageSize)
	for _, i := range []int{0, n - 1} {
		if p.read(leaves[i], buf) != nil {
			return nil
		}
		counts[i] = int(binary.BigEndian.Uint16(buf[hdrOffset(leaves[i])+3:]))
	}
	for i := 1; i < n-1; i++ {
		d := bounds[i] - bounds[i-1]
		if d < 1 || d > int64(maxCells(p)) {
			return nil
		}
		counts[i] = int(d)
	}
	for _, c := range counts {
		if c < 1 || c > maxCells(p) {
			return nil
		}
	}
	return counts
}

// checkTree checks the table b-tree at root as scanTable reads it, every record whole, and
// reads no value: what it accepts, SQLite reads without leaving the file's pages.
func checkTree(p *pager, root uint32) error {
	if err := scanTable(p, root, scanSpec{text: -1}, runtime.NumCPU()); err != nil && !errors.Is(err, errUnusual) {
		return err
	}
	return nil
}

// hdrOffset is where the b-tree page header starts: after the 100-byte file header on page 1.
func hdrOffset(n uint32) int {
	if n == 1 {
		return 100
	}
	return 0
}

// maxCells is the most cells SQLite accepts on a page (MX_CELL).
func maxCells(p *pager) int { return (p.pageSize - 8) / 6 }

// inParts runs f on parts contiguous parts of [0, n) concurrently and returns the first error.
func inParts(n, parts int, f func(lo, hi int) error) error {
	errs := make([]error, parts)
	var g par.Group
	for w := range parts {
		g.Go(func() { errs[w] = f(w*n/parts, (w+1)*n/parts) })
	}
	g.Wait()
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// leafPages lists the leaf pages of the table b-tree at root, left to right, marking every
// page it meets in seen. Only interior pages are read: all leaves of an SQLite b-tree are at
// the same depth, so once the first leaf is found, the children of interior pages one level
// above are leaves (scanTable checks each).
func leafPages(p *pager, root uint32, seen pageSet) ([]uint32, []int64, error) {
	var leaves []uint32
	var bounds []int64 // bounds[i]: the key after leaf i in key order (none after the last)
	buf := make([]byte, p.pageSize)
	meet := func(n uint32) error {
		if !p.valid(n) {
			return malformed("page %d out of range", n)
		}
		if seen.mark(n) {
			return malformed("page %d reached twice", n)
		}
		return nil
	}
	// after is the key that follows the subtree in key order; last says there is none
	leaf := func(n uint32, after int64, last bool) {
		leaves = append(leaves, n)
		if !last {
			bounds = append(bounds, after)
		}
	}
	leafDepth := -1
	var visit func(n uint32, depth int, after int64, last bool) error
	visit = func(n uint32, depth int, after int64, last bool) error {
		if depth > maxDepth {
			return malformed("page %d: b-tree too deep", n)
		}
		if err := meet(n); err != nil {
			return err
		}
		if err := p.read(n, buf); err != nil {
			return err
		}
		h := hdrOffset(n)
		switch buf[h] {
		case 0x0d:
			if leafDepth >= 0 && depth != leafDepth {
				return malformed("page %d: leaves at depths %d and %d", n, leafDepth, depth)
			}
			leafDepth = depth
			leaf(n, after, last)
			return nil
		case 0x05:
			kids, keys, err := children(p, buf, h)
			if err != nil {
				return fmt.Errorf("page %d: %w", n, err)
			}
			for i, k := range kids {
				kAfter, kLast := after, last // the right child is followed by what follows the page
				if i < len(keys) {
					kAfter, kLast = keys[i], false
				}
				if leafDepth == depth+1 { // a leaf, checked when it is scanned
					if err := meet(k); err != nil {
						return err
					}
					leaf(k, kAfter, kLast)
					continue
				}
				if err := visit(k, depth+1, kAfter, kLast); err != nil {
					return err
				}
			}
			return nil
		}
		return malformed("page %d: not a table page", n)
	}
	err := visit(root, 0, 0, true)
	return leaves, bounds, err
}

// children lists the child pages of an interior table page, left to right. Each cell is a
// 4-byte child page number and a varint key, and must lie between the cell pointer array and
// the end of the usable space.
func children(p *pager, buf []byte, hdr int) ([]uint32, []int64, error) {
	n := int(binary.BigEndian.Uint16(buf[hdr+3:]))
	first := hdr + 12 + 2*n
	if n == 0 || n > maxCells(p) || first > p.usable {
		return nil, nil, malformed("%d cells on an interior page", n)
	}
	out := make([]uint32, 0, n+1)
	keys := make([]int64, 0, n)
	for i := 0; i < n; i++ {
		off := int(binary.BigEndian.Uint16(buf[hdr+12+2*i:]))
		if off < first || off+4 > p.usable {
			return nil, nil, malformed("cell %d at %d, outside the page's cell area", i, off)
		}
		key, k := varint(buf[off+4 : p.usable])
		if k == 0 {
			return nil, nil, malformed("cell %d: key past the page end", i)
		}
		out = append(out, binary.BigEndian.Uint32(buf[off:]))
		keys = append(keys, int64(key))
	}
	return append(out, binary.BigEndian.Uint32(buf[hdr+8:])), keys, nil
}
