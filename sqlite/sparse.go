package sqlite

import (
	"sync"

	"github.com/omnistat/omnistat/internal/hugepage"
	"github.com/omnistat/omnistat/trace"
)

// isSparse reports whether dst[j] is a sparse column.
func (s *scanSpec) isSparse(j int) bool { return j < len(s.sparse) && s.sparse[j] }

// lazyCols makes a scan's sparse columns, once each, for all its workers: n values of
// trace.Null, which the workers then overwrite where a value is not NULL.
type lazyCols struct {
	n    int
	once []sync.Once
	cols [][]int64
}

// col is sparse column j, made on the first call.
func (l *lazyCols) col(j int) []int64 {
	l.once[j].Do(func() {
		c := make([]int64, l.n)
		hugepage.Hint(c)
		for i := range c {
			c[i] = trace.Null
		}
		l.cols[j] = c
	})
	return l.cols[j]
}
