package trace

import (
	"slices"

	"github.com/omnistat/omnistat/internal/par"
	"github.com/omnistat/omnistat/internal/timing"
)

// Grouping splits a trace's rows into labelled groups: every event row belongs to exactly one
// group, so a report summed over the groups equals the report of the whole trace. Groupings are
// made by stage.Group from a stage assignment; this type only holds and applies them.
type Grouping struct {
	Column string   // key column name: "Stage", "Process", "Thread" or "Device"
	Labels []string // group labels, in output order
	Keep   []Keep   // the row masks of each group (empty until Masks or Contiguous)
	// rows is the group (index into Labels) of each row of the hot tables; nvtx the group of
	// each NVTX row (-1: in every group)
	rows Groups
	nvtx []int32
}

// NewGrouping makes a grouping from the group of each row; nvtx rows of group -1 (domains,
// categories, marks) are kept in every group. The masks are made by Masks or Contiguous.
func NewGrouping(column string, labels []string, rows Groups, nvtx []int32) *Grouping {
	return &Grouping{Column: column, Labels: labels, rows: rows, nvtx: nvtx}
}

// Masks fills Keep with each group's row masks.
func (g *Grouping) Masks() {
	g.Keep = make([]Keep, len(g.Labels))
	var w par.Group // one group's masks per goroutine: they only read the rows' groups
	for gi := range g.Labels {
		w.Go(func() { g.Keep[gi] = keepOf(&g.rows, g.nvtx, gi) })
	}
	w.Wait()
}

// Contiguous reorders tr's rows by group (see Reorder) and makes the masks, so each group's
// Subset shares tr's columns instead of copying them. tr must be the grouped trace; call it once.
func (g *Grouping) Contiguous(tr *Trace) {
	done := timing.Start("reorder")
	tr.Reorder(&g.rows)
	done()
	done = timing.Start("masks")
	g.Keep = make([]Keep, len(g.Labels))
	var w par.Group // after the reorder each group's event rows are one block: masks from its bounds
	for gi := range g.Labels {
		w.Go(func() { g.Keep[gi] = keepSorted(&g.rows, g.nvtx, gi) })
	}
	w.Wait()
	done()
	g.rows, g.nvtx = Groups{}, nil // the masks say it all now; on big traces this is tens of MB
}

// keepSorted is keepOf for event tables whose groups are sorted (Reorder): the rows of gi are
// one block, found by binary search.
func keepSorted(rows *Groups, nvtx []int32, gi int) Keep {
	block := func(groups []int32) []bool {
		m := make([]bool, len(groups))
		lo, _ := slices.BinarySearch(groups, int32(gi))
		hi, _ := slices.BinarySearch(groups, int32(gi)+1)
		for i := range m[lo:hi] {
			m[lo+i] = true
		}
		return m
	}
	k := keepOf(&Groups{}, nvtx, gi)
	k.Runtime, k.OSRT, k.Kernels, k.Memcpy, k.Memset = block(rows.Runtime), block(rows.OSRT), block(rows.Kernels), block(rows.Memcpy), block(rows.Memset)
	return k
}

// keepOf is group gi's row masks: the rows of each event table in group gi, and the NVTX rows of
// gi or of no group (domains, categories, marks: kept in every group).
func keepOf(rows *Groups, nvtx []int32, gi int) Keep {
	mask := func(groups []int32, all bool) []bool {
		m := make([]bool, len(groups))
		for i, g := range groups {
			m[i] = int(g) == gi || (all && g < 0)
		}
		return m
	}
	return Keep{Runtime: mask(rows.Runtime, false), OSRT: mask(rows.OSRT, false), Kernels: mask(rows.Kernels, false),
		Memcpy: mask(rows.Memcpy, false), Memset: mask(rows.Memset, false), NVTX: mask(nvtx, true)}
}
