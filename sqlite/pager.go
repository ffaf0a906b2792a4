package sqlite

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
)

// pager reads pages of a database file with pread, so memory holds only the pages in use
// (a mapping of the file would count the whole file in the process's resident memory).
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

// maxRun is the most consecutive pages runs reads with one pread.
const maxRun = 64

// runs calls f for leaves[lo:hi] in order, with each page's bytes; consecutive page numbers
// are read together, up to maxRun pages with one pread. page is valid only during the call.
func (p *pager) runs(leaves []uint32, lo, hi int, f func(i int, page []byte) error) error {
	buf := make([]byte, maxRun*p.pageSize)
	for i := lo; i < hi; {
		j := i + 1
		for j < hi && j-i < maxRun && leaves[j] == leaves[j-1]+1 {
			j++
		}
		first := leaves[i]
		if first == 0 || first > p.pages || uint64(first)+uint64(j-i)-1 > uint64(p.pages) {
			return fmt.Errorf("page %d out of range: %w", first, errMalformed)
		}
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
