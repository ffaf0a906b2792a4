package sqlite

import (
	"context"
	"sync"
)

// access is what the readers of one export share: the pager (nil when SQLite refuses the file's
// header), whether the scanner reads the hot tables, and the b-trees checked so far. Every table is checked (or scanned, which checks it) before SQL reads it, so that SQLite
// only reads well-formed pages: on a damaged page its reading is undefined, and a read must give
// the same rows or the same error every time.
type access struct {
	pg      *pager
	scan    bool
	mu      sync.Mutex
	checked map[uint32]*checkOnce
}

type checkOnce struct {
	once sync.Once
	err  error
}

type accessKey struct{}

func accessOf(ctx context.Context) *access {
	a, _ := ctx.Value(accessKey{}).(*access)
	return a
}

// scanner returns the pager when the scanner reads the hot tables, else nil.
func (a *access) scanner() *pager {
	if a == nil || !a.scan {
		return nil
	}
	return a.pg
}

// check checks the b-tree of table before SQL reads it, once per b-tree.
func (a *access) check(s *schema, table string) error {
	if a == nil || a.pg == nil || !s.tables[table] {
		return nil
	}
	root := s.root[table]
	if root == 0 {
		return malformed("%s has no b-tree of its own", table)
	}
	a.mu.Lock()
	o := a.checked[root]
	if o == nil {
		o = &checkOnce{}
		a.checked[root] = o
	}
	a.mu.Unlock()
	o.once.Do(func() { o.err = checkTree(a.pg, root) })
	return o.err
}
