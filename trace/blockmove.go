package trace

import (
	"github.com/omnistat/omnistat/internal/hugepage"
	"github.com/omnistat/omnistat/internal/par"
)

// A mover permutes the columns of one table for Reorder: row i goes to dst[i], the stable
// order by group. When one group holds nearly every row (a pipeline's busiest stage: 3.1 M of
// 3.15 M calls), its rows keep their order and only shift, so they move in place in runs
// (memmove), and the few others go through a small side buffer: one walk of each column
// instead of a scatter into scratch and a copy back. Otherwise the columns go through scratch
// (move).
type mover struct {
	dst     []int32
	plan    *blockPlan // nil: through scratch
	scratch func() []int64
	par     int
}

// blockPlan is the in-place move of a table whose group big holds nearly every row.
type blockPlan struct {
	others []int32   // the rows of the other groups, in order
	runs   []moveRun // the big group's rows: runs of consecutive rows, each to consecutive places
}

// moveRun moves n rows from src to dst.
type moveRun struct{ src, dst, n int }

// blockShare is the least share of the rows the biggest group must hold for a block move: the
// others cost a side buffer each and cut the runs.
const blockShare = 0.875

// newBlockPlan plans the block move of rows grouped by groups (before the sort) to dst, the
// biggest group being big with size rows; nil when it holds less than blockShare of them. The
// runs and the others are found in parallel parts (a run cut by a part's end is two runs).
func newBlockPlan(groups, dst []int32, big int32, size, parts int) *blockPlan {
	n := len(groups)
	if n == 0 || float64(size) < blockShare*float64(n) {
		return nil
	}
	type part struct {
		others []int32
		runs   []moveRun
	}
	ps := make([]part, parts)
	par.ForParts(n, parts, func(p, a, b int) {
		var pt part
		for i := a; i < b; {
			if groups[i] != big {
				pt.others = append(pt.others, int32(i))
				i++
				continue
			}
			j := i + 1
			for j < b && groups[j] == big {
				j++
			}
			pt.runs = append(pt.runs, moveRun{src: i, dst: int(dst[i]), n: j - i})
			i = j
		}
		ps[p] = pt
	})
	bp := &blockPlan{}
	for _, pt := range ps {
		bp.others = append(bp.others, pt.others...)
		bp.runs = append(bp.runs, pt.runs...)
	}
	return bp
}

// blockMove moves col by the plan: the other groups' values into a side buffer, the big
// group's runs to their places, then the side buffer's values to theirs. A run's shift (dst -
// src: the big group's first place less the other rows before it) only falls from one run to
// the next, so the runs moving right are moved from the last, those moving left from the
// first, and none overwrites a row not moved yet.
func blockMove[T int32 | int64 | uint16](p *blockPlan, dst []int32, col []T) {
	side := make([]T, len(p.others))
	for i, r := range p.others {
		side[i] = col[r]
	}
	for i := len(p.runs) - 1; i >= 0; i-- {
		if r := p.runs[i]; r.dst > r.src {
			copy(col[r.dst:r.dst+r.n], col[r.src:r.src+r.n])
		}
	}
	for _, r := range p.runs {
		if r.dst < r.src {
			copy(col[r.dst:r.dst+r.n], col[r.src:r.src+r.n])
		}
	}
	for i, r := range p.others {
		col[dst[r]] = side[i]
	}
}

// moveCols permutes each column (nil ones stay nil), several at once with a block plan.
func moveCols[T int32 | int64 | uint16](m *mover, cols ...*[]T) {
	if m == nil {
		return
	}
	if m.plan == nil {
		move(m.dst, m.scratch(), m.par, cols...)
		return
	}
	var g par.Group
	for _, c := range cols {
		if col := *c; col != nil {
			g.Go(func() { blockMove(m.plan, m.dst, col) })
		}
	}
	g.Wait()
}

// moveCodeCols is moveCols for coded columns.
func moveCodeCols(m *mover, cols ...*Codes) {
	for _, c := range cols {
		if c.wide != nil {
			moveCols(m, &c.wide)
		} else {
			moveCols(m, &c.codes)
		}
	}
}

// scratchOf returns a function making one scratch column of n values on its first call, shared
// by every mover of a Reorder.
func scratchOf(n int) func() []int64 {
	var s []int64
	return func() []int64 {
		if s == nil {
			s = make([]int64, n)
			hugepage.Hint(s)
		}
		return s
	}
}
