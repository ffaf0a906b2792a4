package reports

import (
	"math"
	"runtime"
	"sort"

	"github.com/omnistat/omnistat/internal/par"
	"github.com/omnistat/omnistat/reports/stat"
	"github.com/omnistat/omnistat/reports/table"
)

// group collects the durations (or sizes) of one row of a *_sum report: in vals, or in vals32
// when the table's values all fit in 32 bits (groupByID's durations, most often).
type group struct {
	labels []string
	vals   []int64
	vals32 []int32
}

// n is the number of values.
func (g *group) n() int { return len(g.vals) + len(g.vals32) }

// summarize is stat.Summarize of the group's values (sorted in place).
func (g *group) summarize() stat.Summary {
	if g.vals32 != nil {
		return stat.Summarize(g.vals32)
	}
	return stat.Summarize(g.vals)
}

// grouper groups values by a label tuple, keeping first-seen order.
type grouper struct {
	idx  map[string]*group
	list []*group
}

func newGrouper() *grouper { return &grouper{idx: map[string]*group{}} }

// add appends v to the group of labels (key is the labels joined, unique per tuple).
func (g *grouper) add(key string, labels func() []string, v int64) {
	gr, ok := g.idx[key]
	if !ok {
		gr = &group{labels: labels()}
		g.idx[key] = gr
		g.list = append(g.list, gr)
	}
	gr.vals = append(gr.vals, v)
}

// intGrouper is values grouped by an integer id, for the hot tables: ids in first-seen order,
// and each group's values contiguous in one exactly sized backing array, of 32-bit values
// (vals32) when every value fits (durations under 2.1 s), else 64-bit (vals).
type intGrouper struct {
	ids    []int64
	vals   [][]int64
	vals32 [][]int32
}

// group is group j as a *_sum row's group with labels.
func (g *intGrouper) group(j int, labels []string) *group {
	if g.vals32 != nil {
		return &group{labels: labels, vals32: g.vals32[j]}
	}
	return &group{labels: labels, vals: g.vals[j]}
}

// values is group j's values at 64 bits.
func (g *intGrouper) values(j int) []int64 {
	if g.vals32 == nil {
		return g.vals[j]
	}
	out := make([]int64, len(g.vals32[j]))
	for i, v := range g.vals32[j] {
		out[i] = int64(v)
	}
	return out
}

// addTo appends intGrouper group j's values to gr (another id of the same name).
func (g *intGrouper) addTo(gr *group, j int) {
	if g.vals32 != nil {
		gr.vals32 = append(gr.vals32, g.vals32[j]...)
		return
	}
	gr.vals = append(gr.vals, g.vals[j]...)
}

// groupByID groups rows [0, n) by id(i), leaving out rows where keep is false, and places val(i)
// of each row into its group: a counting pass (one lookup per row: a dense slice for ids under
// bound, a map above; it also sees whether every value fits in 32 bits), then a second pass that
// looks each row's group up again and writes its value straight into place, so neither the
// values in row order nor the rows' groups are kept (4 bytes a row at the peak, 8 when a value
// needs 64 bits).
func groupByID(n, bound int, id func(i int) (int64, bool), val func(i int) int64) *intGrouper {
	g := &intGrouper{}
	dense := make([]int32, min(bound, 1<<22))
	for i := range dense {
		dense[i] = -1
	}
	sparse := map[int64]int32{}
	groupOf := func(v int64) (int32, bool) {
		if v >= 0 && v < int64(len(dense)) {
			return dense[v], dense[v] >= 0
		}
		gi, ok := sparse[v]
		return gi, ok
	}
	var counts []int
	fits := true
	for i := range n {
		v, ok := id(i)
		if !ok {
			continue
		}
		if x := val(i); x < math.MinInt32 || x > math.MaxInt32 {
			fits = false
		}
		gi, seen := groupOf(v)
		if !seen {
			gi = int32(len(g.ids))
			g.ids = append(g.ids, v)
			counts = append(counts, 0)
			if v >= 0 && v < int64(len(dense)) {
				dense[v] = gi
			} else {
				sparse[v] = gi
			}
		}
		counts[gi]++
	}
	total := 0
	pos := make([]int, len(counts))
	for gi, c := range counts {
		pos[gi] = total
		total += c
	}
	if fits {
		g.vals32 = place(n, total, counts, pos, id, groupOf, func(i int) int32 { return int32(val(i)) })
	} else {
		g.vals = place(n, total, counts, pos, id, groupOf, val)
	}
	return g
}

// place is groupByID's second pass: each kept row's value written at its group's next place,
// in one backing array of total values cut into the groups.
func place[T int32 | int64](n, total int, counts, pos []int, id func(i int) (int64, bool), groupOf func(int64) (int32, bool), val func(i int) T) [][]T {
	all := make([]T, total)
	out := make([][]T, len(counts))
	for gi, c := range counts {
		out[gi] = all[pos[gi] : pos[gi]+c : pos[gi]+c]
	}
	for i := range n {
		if v, ok := id(i); ok {
			gi, _ := groupOf(v)
			all[pos[gi]] = val(i)
			pos[gi]++
		}
	}
	return out
}

// summarizeGroups is stat.Summarize of each group's values; the groups of a large table are
// summarized concurrently, the largest first (each sorts its own values).
func summarizeGroups(groups []*group) []stat.Summary {
	sums := make([]stat.Summary, len(groups))
	n := 0
	for _, g := range groups {
		n += g.n()
	}
	if n < 1<<16 || len(groups) < 2 {
		for i, g := range groups {
			sums[i] = g.summarize()
		}
		return sums
	}
	order := make([]int, len(groups))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return groups[order[a]].n() > groups[order[b]].n() })
	next := make(chan int, len(order))
	for _, i := range order {
		next <- i
	}
	close(next)
	var w par.Group
	for range min(runtime.GOMAXPROCS(0), len(groups)) {
		w.Go(func() {
			for i := range next {
				sums[i] = groups[i].summarize()
			}
		})
	}
	w.Wait()
	return sums
}

// timeColumns are the leading columns of every time summary; countName is "Num Calls",
// "Instances" or "Count".
func timeColumns(countName string, labels ...string) []table.Column {
	cols := []table.Column{
		{Name: "Time", Unit: table.Percent}, {Name: "Total Time", Unit: table.Ns}, {Name: countName, Unit: table.Count},
		{Name: "Avg", Unit: table.Ns}, {Name: "Med", Unit: table.Ns}, {Name: "Min", Unit: table.Ns},
		{Name: "Max", Unit: table.Ns}, {Name: "StdDev", Unit: table.Ns},
	}
	for _, l := range labels {
		cols = append(cols, table.Column{Name: l})
	}
	return cols
}

// timeRows turns groups into time-summary rows sorted by total time, largest first; ties go
// to the smaller count, then to the labels (cuda_gpu_kern_sum's ORDER BY 2 DESC, 3, Name).
func timeRows(groups []*group) [][]table.Value { return timeRowsBy(groups, nil) }

// timeRowsBy is timeRows with ties ordered by the labels compared with tie (nil: the count,
// then the labels).
func timeRowsBy(groups []*group, tie func(a, b []string) bool) [][]table.Value {
	sums := summarizeGroups(groups)
	var all int64
	for _, s := range sums {
		all += s.Total
	}
	order := byTotal(sums, func(a, b int) bool {
		if tie != nil {
			return tie(groups[a].labels, groups[b].labels)
		}
		if sums[a].Count != sums[b].Count {
			return sums[a].Count < sums[b].Count
		}
		return lessLabels(groups[a].labels, groups[b].labels)
	})
	rows := make([][]table.Value, 0, len(groups))
	for _, i := range order {
		s := sums[i]
		row := []table.Value{
			table.F64(stat.Percent(s.Total, all)), table.I64(s.Total), table.I64(s.Count),
			table.F64(stat.Round(s.Avg, 1)), table.F64(stat.Round(s.Med, 1)), table.I64(s.Min),
			table.I64(s.Max), table.F64(stat.Round(s.StdDev, 1)),
		}
		for _, l := range groups[i].labels {
			row = append(row, table.Str(l))
		}
		rows = append(rows, row)
	}
	return rows
}

// lessFromLast compares labels from the last one back: the name, then the style or category
// before it. nsys's nvtx_sum, cuda_gpu_sum and cuda_api_gpu_sum sort by total only, and rows of
// equal total come in the order of their GROUP BY on the name (nsys 2025.3.1's CSVs of filtered
// windows, where such ties are many).
func lessFromLast(a, b []string) bool {
	for i, j := len(a)-1, len(b)-1; i >= 0 && j >= 0; i, j = i-1, j-1 {
		if a[i] != b[j] {
			return a[i] < b[j]
		}
	}
	return len(a) < len(b)
}

func lessLabels(a, b []string) bool {
	for i := range a {
		if i >= len(b) {
			return false
		}
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return len(a) < len(b)
}

// byTotal orders the indices of sums by total, largest first; tie orders the indices of equal
// totals (nsys's ORDER BY total DESC, then the report's own keys).
func byTotal(sums []stat.Summary, tie func(a, b int) bool) []int {
	order := make([]int, len(sums))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		ia, ib := order[a], order[b]
		if sums[ia].Total != sums[ib].Total {
			return sums[ia].Total > sums[ib].Total
		}
		return tie(ia, ib)
	})
	return order
}
