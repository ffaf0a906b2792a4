package trace

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// Reorder against a stable sort of the row indices by group: every table's rows (all their
// columns together) end up grouped, groups in increasing order (negative ones first), rows of a
// group in their old order; the groups slices are rewritten to match; a table already in order,
// or empty, stays as it is. Sizes from 0 to past the point where the moves run in parallel parts;
// groups of random sizes, and one group holding nearly every row (moved in blocks), first, last
// or between others in the group order.
func TestReorderBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	for _, n := range []int{0, 1, 2, 7, 100, 1<<16 + 123} {
		for iter := 0; iter < 9; iter++ {
			col := func(m int, base int64) []int64 {
				c := make([]int64, m)
				for i := range c {
					c[i] = base + int64(i)
				}
				return c
			}
			// the 32-bit columns hold tag·1e5 + i: checked against Start (0 + i) after the move
			col32 := func(m int, tag int32) []int32 {
				c := make([]int32, m)
				for i := range c {
					c[i] = tag*1e5 + int32(i)
				}
				return c
			}
			groups := func(m int) []int32 {
				g := make([]int32, m)
				if iter >= 4 { // one group holds nearly every row (block moves): -1, 0, 1 or 2
					big := int32(iter - 5)
					for i := range g {
						g[i] = big
						if rng.IntN(100) < 3 || i == 0 && iter%2 == 0 || i == m-1 && iter%2 == 1 {
							g[i] = int32(rng.IntN(4) - 1) // another group, or the same
						}
						if i > 0 && g[i-1] != big && rng.IntN(2) == 0 {
							g[i] = g[i-1] // runs of other rows
						}
					}
					return g
				}
				lo := -rng.IntN(2) // some traces have a group below 0
				k := 1 + rng.IntN(5)
				sorted := iter == 3
				for i := range g {
					if sorted {
						g[i] = int32(lo + i*k/max(m, 1))
					} else {
						g[i] = int32(lo + rng.IntN(k))
					}
				}
				return g
			}
			tr := &Trace{}
			nr, no, nk, nc, ns := n, rng.IntN(n+1), rng.IntN(n+1), rng.IntN(n/2+1), rng.IntN(n/3+1)
			tr.Runtime = APICalls{Start: col(nr, 0), End: col(nr, 1e9), GlobalTID: CodesOf(col(nr, 2e9)), CorrID: col32(nr, 3), NameID: col32(nr, 4), ReturnValue: col(nr, 3e9)}
			tr.OSRT = APICalls{Start: col(no, 0), End: col(no, 1e9), GlobalTID: CodesOf(col(no, 2e9)), CorrID: col32(no, 3), NameID: col32(no, 4), EventClass: col(no, 6e9)}
			tr.Kernels = Kernels{Start: col(nk, 0), End: col(nk, 1e9), GlobalPID: CodesOf(col(nk, 2e9)), CorrID: col32(nk, 3), Device: CodesOf(col(nk, 3e9)), Demangled: col32(nk, 5), Short: col32(nk, 6), Mangled: col32(nk, 7), GraphNodeID: col(nk, 4e9)}
			tr.Memcpy = Memcpy{Start: col(nc, 0), End: col(nc, 1e9), GlobalPID: CodesOf(col(nc, 2e9)), CorrID: col32(nc, 3), Device: CodesOf(col(nc, 3e9)), Bytes: col(nc, 4e9), CopyKind: col(nc, 5e9), SrcKind: col(nc, 6e9), DstKind: col(nc, 7e9), GraphNodeID: col(nc, 8e9)}
			tr.Memset = Memset{Start: col(ns, 0), End: col(ns, 1e9), GlobalPID: CodesOf(col(ns, 2e9)), CorrID: col32(ns, 3), Device: CodesOf(col(ns, 3e9)), Bytes: col(ns, 4e9), MemKind: col(ns, 5e9), GraphNodeID: col(ns, 6e9)}
			g := Groups{Runtime: groups(nr), OSRT: groups(no), Kernels: groups(nk), Memcpy: groups(nc), Memset: groups(ns)}
			orig := Groups{Runtime: slices.Clone(g.Runtime), OSRT: slices.Clone(g.OSRT), Kernels: slices.Clone(g.Kernels), Memcpy: slices.Clone(g.Memcpy), Memset: slices.Clone(g.Memset)}
			tr.Reorder(&g)
			check := func(name string, groups, newGroups []int32, cols ...[]int64) {
				t.Helper()
				idx := make([]int, len(groups))
				for i := range idx {
					idx[i] = i
				}
				slices.SortStableFunc(idx, func(a, b int) int { return int(groups[a]) - int(groups[b]) })
				for j, i := range idx {
					if newGroups[j] != groups[i] {
						t.Fatalf("n=%d %s: group of row %d is %d, want %d", n, name, j, newGroups[j], groups[i])
					}
					for c, col := range cols {
						// column c of row i held c·1e9 + i (the columns of one row move together)
						if want := int64(c)*1e9 + int64(i); col[j] != want {
							t.Fatalf("n=%d %s: column %d of row %d is %d, want %d (old row %d)", n, name, c, j, col[j], want, i)
						}
					}
				}
			}
			check32 := func(name string, start []int64, cols ...[]int32) {
				t.Helper()
				for c, col := range cols {
					for j := range col {
						if int64(col[j]%1e5) != start[j] {
							t.Fatalf("n=%d %s: 32-bit column %d of row %d is %d, its start %d", n, name, c, j, col[j], start[j])
						}
					}
				}
			}
			r, o, k, m, s := &tr.Runtime, &tr.OSRT, &tr.Kernels, &tr.Memcpy, &tr.Memset
			if nr > 0 {
				check("runtime", orig.Runtime, g.Runtime, r.Start, r.End, r.GlobalTID.Int64s(), r.ReturnValue)
				check32("runtime", r.Start, r.NameID, r.CorrID)
			}
			if no > 0 {
				check("osrt", orig.OSRT, g.OSRT, o.Start, o.End, o.GlobalTID.Int64s())
				check32("osrt", o.Start, o.NameID, o.CorrID)
				for j := range o.EventClass {
					if o.EventClass[j] != 6e9+o.Start[j] {
						t.Fatalf("osrt event class of row %d", j)
					}
				}
			}
			if nk > 0 {
				check("kernels", orig.Kernels, g.Kernels, k.Start, k.End, k.GlobalPID.Int64s(), k.Device.Int64s(), k.GraphNodeID)
				check32("kernels", k.Start, k.Demangled, k.Short, k.Mangled, k.CorrID)
			}
			if nc > 0 {
				check("memcpy", orig.Memcpy, g.Memcpy, m.Start, m.End, m.GlobalPID.Int64s(), m.Device.Int64s(), m.Bytes, m.CopyKind, m.SrcKind, m.DstKind, m.GraphNodeID)
				check32("memcpy", m.Start, m.CorrID)
			}
			if ns > 0 {
				check("memset", orig.Memset, g.Memset, s.Start, s.End, s.GlobalPID.Int64s(), s.Device.Int64s(), s.Bytes, s.MemKind, s.GraphNodeID)
				check32("memset", s.Start, s.CorrID)
			}
		}
	}
}

// Windows that touch leave no uncaptured time between them; one that starts inside another
// neither.
func TestUncapturedTouching(t *testing.T) {
	tr := &Trace{Windows: []Window{{"b", 0, 100, 200}, {"a", 0, 0, 100}, {"c", 0, 150, 300}, {"d", 0, 400, 500}}}
	if got := tr.Uncaptured(); !slices.Equal(got, []Span{{300, 400}}) {
		t.Errorf("Uncaptured = %v, want [{300 400}]", got)
	}
}

// stablePerm, cut into any number of parts, equals a serial stable counting of the rows by
// group: each row's destination, the groups rewritten in order, and nil when no row moves.
func TestStablePermParts(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 77))
	for _, n := range []int{0, 1, 5, 1 << 16, 1<<16 + 7, 200_003} {
		for _, shape := range []string{"random", "sorted", "one group", "wide range"} {
			g := make([]int32, n)
			for i := range g {
				switch shape {
				case "random":
					g[i] = int32(rng.IntN(4) - 1)
				case "sorted":
					g[i] = int32(i * 3 / max(n, 1))
				case "wide range":
					g[i] = int32(rng.IntN(3)*50 - 2)
				}
			}
			order := make([]int, n)
			for i := range order {
				order[i] = i
			}
			slices.SortStableFunc(order, func(a, b int) int { return int(g[a]) - int(g[b]) })
			want := make([]int32, n)
			moved := false
			for to, from := range order {
				want[from] = int32(to)
				moved = moved || to != from
			}
			wantGroups := slices.Clone(g)
			slices.Sort(wantGroups)
			for _, parts := range []int{1, 2, 3, 8, 16} {
				got := slices.Clone(g)
				dst, _ := stablePerm(got, parts)
				if !moved {
					if dst != nil || !slices.Equal(got, g) {
						t.Fatalf("n=%d %s parts=%d: rows in order moved or groups changed", n, shape, parts)
					}
					continue
				}
				if !slices.Equal(dst, want) || !slices.Equal(got, wantGroups) {
					t.Fatalf("n=%d %s parts=%d: destinations or groups differ from a stable sort", n, shape, parts)
				}
			}
		}
	}
}
