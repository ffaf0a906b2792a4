package sqlite

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
)

// errMalformed reports a page, cell or record that breaks the file format (or a rule SQLite
// keeps, such as a page used twice or an overflow chain longer than its payload). Where it
// finds one, SQLite's own reading is undefined: it may read past a page into memory it did not
// fill, and give different rows from one run to the next.
var errMalformed = errors.New("database disk image is malformed")

// malformed wraps errMalformed with what was found.
func malformed(format string, a ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, a...), errMalformed)
}

// errUnusual marks a well-formed table that holds a value the scanner does not convert (a real,
// text or a blob in an integer column, a real or a blob read as text): SQL reads that table,
// converting as database/sql does or failing as it does.
var errUnusual = errors.New("a value SQL converts")

// deferred counts the tables handed from the scanner to SQL, for the tests.
var deferred atomic.Int64

// pendingByte is the offset of SQLite's lock byte: the page holding it is never a b-tree page.
const pendingByte = 0x40000000

// pager reads pages of a database file with pread, so memory holds only the pages in use
// (a mapping of the file would count the whole file in the process's resident memory).
type pager struct {
	f        *os.File
	pageSize int
	usable   int
	// pages is the page count SQLite uses: the header's when it is valid, else the file's, and
	// never more than the whole pages the file holds. A page past it is damage.
	pages   uint32
	pending uint32 // the lock-byte page
	// decodes says the scanner may decode records: text is UTF-8, and overflow chains are
	// followed page by page (an auto-vacuum file lets SQLite guess the next page from its
	// pointer map instead). Where it does not, pages are still checked before SQL reads them.
	decodes bool
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
	// a header SQLite itself refuses is left to SQLite (a read version 0 it reads as 1); a WAL-mode
	// file is read as its main file, as SQLite reads it immutable: Read applies a log first (see resolve)
	if h[19] > 2 || ps < 512 || ps&(ps-1) != 0 || ps-int(h[20]) < 480 ||
		h[21] != 64 || h[22] != 32 || h[23] != 32 {
		f.Close()
		return nil, errors.New("scanner: file not in a format it reads")
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	filePages := st.Size() / int64(ps)
	pages := filePages
	// SQLite trusts the header's count when the change counter matches version-valid-for
	if n := int64(binary.BigEndian.Uint32(h[28:])); n > 0 && n <= pages &&
		binary.BigEndian.Uint32(h[24:]) == binary.BigEndian.Uint32(h[92:]) {
		pages = n
	}
	if pages > 1<<31 {
		pages = 1 << 31
	}
	return &pager{f: f, pageSize: ps, usable: ps - int(h[20]), pages: uint32(pages),
		pending: uint32(pendingByte/ps + 1),
		decodes: binary.BigEndian.Uint32(h[56:]) <= 1 && binary.BigEndian.Uint32(h[52:]) == 0}, nil
}

func (p *pager) close() { p.f.Close() }

// valid reports whether n can be a b-tree or overflow page.
func (p *pager) valid(n uint32) bool { return n >= 1 && n <= p.pages && n != p.pending }

// read fills buf (pageSize bytes) with page n (1-based).
func (p *pager) read(n uint32, buf []byte) error {
	if !p.valid(n) {
		return malformed("page %d out of range", n)
	}
	_, err := p.f.ReadAt(buf, int64(n-1)*int64(p.pageSize))
	return err
}

// maxRun is the most consecutive pages runs reads with one pread.
const maxRun = 64

// runs calls f for leaves[lo:hi] in order, with each page's bytes; consecutive page numbers
// are read together, up to maxRun pages with one pread. page is valid only during the call.
func (p *pager) runs(leaves []uint32, lo, hi int, f func(i int, page []byte) error) error {
	return p.runsIn(make([]byte, min(maxRun, max(hi-lo, 1))*p.pageSize), leaves, lo, hi, f)
}

// runsIn is runs reading into buf, which holds at least min(maxRun, hi-lo) pages.
func (p *pager) runsIn(buf []byte, leaves []uint32, lo, hi int, f func(i int, page []byte) error) error {
	for i := lo; i < hi; {
		j := i + 1
		for j < hi && j-i < len(buf)/p.pageSize && leaves[j] == leaves[j-1]+1 {
			j++
		}
		for k := i; k < j; k++ {
			if !p.valid(leaves[k]) {
				return malformed("page %d out of range", leaves[k])
			}
		}
		first := leaves[i]
		b := buf[:(j-i)*p.pageSize]
		if _, err := p.f.ReadAt(b, int64(first-1)*int64(p.pageSize)); err != nil {
			return err
		}
		for k := i; k < j; k++ {
			if err := f(k, b[(k-i)*p.pageSize:(k-i+1)*p.pageSize]); err != nil {
				return err
			}
		}
		i = j
	}
	return nil
}

// pageSet is a set of page numbers that workers mark concurrently: a b-tree or overflow page
// met twice means a damaged file, and marking bounds the scanner's work by the file's pages.
type pageSet []atomic.Uint64

func newPageSet(pages uint32) pageSet { return make(pageSet, pages/64+1) }

// mark adds n and reports whether it was already there.
func (s pageSet) mark(n uint32) bool {
	bit := uint64(1) << (n % 64)
	return s[n/64].Or(bit)&bit != 0
}
