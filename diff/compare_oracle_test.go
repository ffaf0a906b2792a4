package diff

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/internal/testtrace"
	"github.com/omnistat/omnistat/reports"
	"github.com/omnistat/omnistat/reports/stat"
	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/summary"
	"github.com/omnistat/omnistat/trace"
)

// oracleStage is what a stage comparison must hold, computed here from the stage's rows and the
// nsys reports (each held to nsys's goldens elsewhere), not by Compare's own code.
type oracleStage struct {
	figures map[string][2]float64 // metric → base, new (scaled, rounded to 0.1)
	tables  map[string][]Change   // report → every row, largest |change| first
}

// stageRows cuts tr to each stage (stage.Group, checked to add up by stage's tests).
func stageRows(t *testing.T, tr *trace.Trace, a *stage.Assignment) map[string]*trace.Trace {
	g, err := stage.Group(tr, stage.ByStage, a)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*trace.Trace{}
	for i, l := range g.Labels {
		if l != stage.Other {
			out[l] = tr.Subset(g.Keep[i])
		}
	}
	return out
}

func spanSum(s, e []int64) (t int64) {
	for i := range s {
		t += e[i] - s[i]
	}
	return t
}

// oracleFigures computes the stage figures of one run from its rows.
func oracleFigures(tr *trace.Trace) map[string]float64 {
	first, last := int64(math.MaxInt64), int64(math.MinInt64)
	for _, c := range [][2][]int64{{tr.Kernels.Start, tr.Kernels.End}, {tr.Memcpy.Start, tr.Memcpy.End}, {tr.Memset.Start, tr.Memset.End}, {tr.Runtime.Start, tr.Runtime.End}} {
		for i := range c[0] {
			first, last = min(first, c[0][i]), max(last, c[1][i])
		}
	}
	wall := 0.0
	if last >= first { // the time between the windows of merged exports was not recorded
		wall = float64(last - first - tr.UncapturedIn(first, last))
	}
	busy, _ := trace.BusyTime(tr, trace.GPUSpans(tr))
	return map[string]float64{
		"wall": wall, "gpu_time": float64(busy), "kernel_time": float64(spanSum(tr.Kernels.Start, tr.Kernels.End)),
		"memcpy_time": float64(spanSum(tr.Memcpy.Start, tr.Memcpy.End) + spanSum(tr.Memset.Start, tr.Memset.End)),
		"api_time":    float64(spanSum(tr.Runtime.Start, tr.Runtime.End)), "api_calls": float64(tr.Runtime.Len()), "kernels": float64(tr.Kernels.Len()),
	}
}

// oracleJoin joins two report tables on their label columns, scaled, every row, sorted by the
// size of the change (then label), with the status of each.
func oracleJoin(tb, tn *table.Table, labels []string, count string, sb, sn float64) []Change {
	type side struct{ ns, n float64 }
	read := func(t *table.Table, s float64) map[string]side {
		out := map[string]side{}
		for _, r := range t.Rows {
			var k []string
			for _, l := range labels {
				k = append(k, r[t.Col(l)].S)
			}
			x := out[strings.Join(k, " ")] // rows printed alike are one row (cudaMemcpy, cudaMemcpy_v3020)
			x.ns += float64(r[t.Col("Total Time")].I) * s
			x.n += float64(r[t.Col(count)].I) * s
			out[strings.Join(k, " ")] = x
		}
		return out
	}
	b, n := read(tb, sb), read(tn, sn)
	var out []Change
	var delta []float64 // |new − base| unrounded: the order's key
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		seen := map[string]bool{}
		for _, m := range []map[string]side{b, n} {
			for k := range m {
				if !seen[k] {
					seen[k] = true
					if !yield(k) {
						return
					}
				}
			}
		}
	}) {
		x, inB := b[k]
		y, inN := n[k]
		st := "changed"
		switch {
		case !inB:
			st = "new"
		case !inN:
			st = "gone"
		case x == y:
			st = "same"
		}
		c := Change{Name: k, Status: st, BaseNs: stat.Round(x.ns, 1), NewNs: stat.Round(y.ns, 1), ChangeNs: stat.Round(y.ns-x.ns, 1),
			BaseCount: stat.Round(x.n, 2), NewCount: stat.Round(y.n, 2)}
		if x.ns != 0 {
			p := stat.Round((y.ns-x.ns)*100/x.ns, 1)
			c.ChangePct = &p
		}
		out = append(out, c)
		delta = append(delta, math.Abs(y.ns-x.ns))
	}
	idx := make([]int, len(out))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(i, j int) bool { return delta[idx[i]] > delta[idx[j]] }) // names sorted above: ties keep that order
	sorted := make([]Change, len(out))
	for i, j := range idx {
		sorted[i] = out[j]
	}
	return sorted
}

func fmtChange(c Change) string {
	p := "nil"
	if c.ChangePct != nil {
		p = fmt.Sprint(*c.ChangePct)
	}
	return fmt.Sprintf("%s %s %v→%v (%v, %s%%) n %v→%v", c.Name, c.Status, c.BaseNs, c.NewNs, c.ChangeNs, p, c.BaseCount, c.NewCount)
}

// TestCompareAgainstOracle: for pairs of runs (equal and unequal step counts: a run against two
// captures of it merged; other builds; other programs), per step and in totals, with --top
// cuts of 0 (the default, 10), 1, 2 and 50, every stage's figures, table rows (values, counts,
// statuses, order), the cut and its note, the verdict's word and the findings' order equal what
// is computed here from the stages' rows and nsys's reports.
func TestCompareAgainstOracle(t *testing.T) {
	merged := func(names ...string) *trace.Trace {
		var ts []*trace.Trace
		for _, n := range names {
			ts = append(ts, testtrace.Read(t, n))
		}
		m, err := trace.Merge(ts)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	pairs := []struct {
		name      string
		base, new *trace.Trace
	}{
		{"one capture → two merged (twice the steps)", testtrace.Read(t, "foreign_repeat.1"), merged("foreign_repeat.1", "foreign_repeat.2")},
		{"two merged → one capture", merged("foreign_repeat.1", "foreign_repeat.2"), testtrace.Read(t, "foreign_repeat.2")},
		{"slower build", testtrace.Read(t, "foreign_tts_a"), testtrace.Read(t, "foreign_tts_slow")},
		{"pageable → graphs", testtrace.Read(t, "go_tts_pageable"), testtrace.Read(t, "go_tts_graphs")},
		{"one diffusion worker → two", testtrace.Read(t, "go_diffusion"), testtrace.Read(t, "go_diffusion_w2_uneven")},
	}
	unequal := false
	for _, pr := range pairs {
		ab, an := stage.Assign(pr.base, nil), stage.Assign(pr.new, nil)
		for _, per := range []string{"auto", "none"} {
			for _, top := range []int{0, 1, 2, 50} { // 0: the default, 10
				res, err := Compare(pr.base, pr.new, ab, an, Options{Per: per, Top: top})
				if err != nil {
					t.Fatal(err)
				}
				// cut after Compare: grouping a trace again reorders its rows in place, and a
				// subset taken before (which shares them) would then hold another stage's rows
				rb, rn := stageRows(t, pr.base, ab), stageRows(t, pr.new, an)
				where := fmt.Sprintf("%s, --per %s --top %d", pr.name, per, top)
				if !slices.IsSortedFunc(res.Changes, func(a, b FindingChange) int { return strings.Compare(a.Finding, b.Finding) }) {
					t.Errorf("%s: findings not in order: %v", where, res.Changes)
				}
				for _, d := range res.Stages {
					b, n := rb[d.Stage], rn[d.Stage]
					if (b != nil) != d.InBase || (n != nil) != d.InNew {
						t.Fatalf("%s: stage %s in base %v, in new %v", where, d.Stage, d.InBase, d.InNew)
					}
					if b == nil || n == nil {
						continue
					}
					sb, sn := 1.0, 1.0
					if per == "none" && d.Per != "" {
						t.Errorf("%s: %s compared per %s under --per none", where, d.Stage, d.Per)
					}
					if d.Per != "" {
						cb, cn := summary.CountFamily(b, d.Per), summary.CountFamily(n, d.Per)
						if cb != d.StepsBase || cn != d.StepsNew || cb == 0 || cn == 0 {
							t.Fatalf("%s: %s steps %d, %d; %s counts %d, %d", where, d.Stage, d.StepsBase, d.StepsNew, d.Per, cb, cn)
						}
						unequal = unequal || cb != cn
						sb, sn = 1/float64(cb), 1/float64(cn)
					}
					fb, fn := oracleFigures(b), oracleFigures(n)
					if len(d.Figures) != len(fb) {
						t.Fatalf("%s: %s has %d figures", where, d.Stage, len(d.Figures))
					}
					for _, f := range d.Figures {
						vb, vn := stat.Round(fb[f.Metric]*sb, 1), stat.Round(fn[f.Metric]*sn, 1)
						ok := f.Base == vb && f.New == vn && f.Change == stat.Round(vn-vb, 1)
						if vb == 0 {
							ok = ok && f.ChangePct == nil
						} else {
							ok = ok && f.ChangePct != nil && *f.ChangePct == stat.Round((vn-vb)*100/vb, 1)
						}
						if !ok {
							t.Errorf("%s: %s %s = %+v, want base %v new %v", where, d.Stage, f.Metric, f, vb, vn)
						}
					}
					// overview table rows carry the same numbers, under a title that says per what
					if title := map[bool]string{true: "Stage figures per " + d.Per, false: "Stage figures"}[d.Per != ""]; d.Overview.Title != title {
						t.Errorf("%s: %s overview %q, want %q", where, d.Stage, d.Overview.Title, title)
					}
					for i, f := range d.Figures {
						r := d.Overview.Rows[i]
						if r[1].F != f.Base || r[2].F != f.New || r[3].F != f.Change {
							t.Errorf("%s: %s overview row %d %v, figure %+v", where, d.Stage, i, r, f)
						}
					}
					// the verdict word, from the wall change
					wall := d.Figures[0]
					p := 0.0
					if wall.ChangePct != nil {
						p = *wall.ChangePct
					}
					word := "no change"
					if p <= -2 {
						word = fmt.Sprintf("%.1f%% faster", -p)
					} else if p >= 2 {
						word = fmt.Sprintf("%.1f%% slower", p)
					}
					if d.WallChange != p || !strings.HasPrefix(d.Verdict, d.Stage+": "+word) {
						t.Errorf("%s: %s verdict %q (%v), want %q (%v)", where, d.Stage, d.Verdict, d.WallChange, word, p)
					}
					specs := []struct {
						run    func(*trace.Trace) *table.Table
						labels []string
						count  string
					}{
						{reports.CUDAAPISum, []string{"Name"}, "Num Calls"},
						{func(t *trace.Trace) *table.Table { return reports.CUDAGPUKernSum(t, reports.Options{}) }, []string{"Name"}, "Instances"},
						{func(t *trace.Trace) *table.Table { return reports.NVTXSum(t, reports.NVTXAll) }, []string{"Style", "Range"}, "Instances"},
						{reports.CUDAGPUMemTimeSum, []string{"Operation"}, "Count"},
					}
					if len(d.Changes) != len(specs) {
						t.Fatalf("%s: %s has %d tables", where, d.Stage, len(d.Changes))
					}
					for i, sp := range specs {
						want := oracleJoin(sp.run(b), sp.run(n), sp.labels, sp.count, sb, sn)
						shown := top
						if top == 0 {
							shown = 10
						}
						if len(want) == shown+1 {
							shown++ // a note for one row would take a line: the row is shown
						}
						more := max(len(want)-shown, 0)
						want = want[:min(shown, len(want))]
						got := d.Changes[i]
						var g, w []string
						for _, c := range got.Rows {
							g = append(g, fmtChange(c))
						}
						for _, c := range want {
							w = append(w, fmtChange(c))
						}
						if !slices.Equal(g, w) || got.MoreRows != more {
							t.Errorf("%s: %s %s:\n got  %q (+%d)\n want %q (+%d)", where, d.Stage, got.Report, g, got.MoreRows, w, more)
						}
						tb := d.Tables[i]
						if len(tb.Rows) != len(want) || (more > 0) != (len(tb.Notes) > 0) || more > 0 && tb.Notes[0] != summary.MoreRows(more) {
							t.Errorf("%s: %s %s table: %d rows, notes %q, want %d more", where, d.Stage, tb.Name, len(tb.Rows), tb.Notes, more)
						}
						unit, cu := "Total", sp.count
						if d.Per != "" {
							unit, cu = "Per Step", sp.count+"/Step"
						}
						last := sp.labels[len(sp.labels)-1]
						if len(sp.labels) > 1 {
							last = "Name"
						}
						var cols []string
						for _, c := range tb.Columns {
							cols = append(cols, c.Name)
						}
						if wantCols := []string{"Base " + unit, "New " + unit, "Change", "Change", "Base " + cu, "New " + cu, "Status", last}; !slices.Equal(cols, wantCols) {
							t.Errorf("%s: %s columns %q, want %q", where, tb.Name, cols, wantCols)
						}
						for r, c := range want {
							row := tb.Rows[r]
							if row[0].F != c.BaseNs || row[1].F != c.NewNs || row[2].F != c.ChangeNs || row[4].F != c.BaseCount || row[5].F != c.NewCount ||
								row[6].S != c.Status || row[7].S != c.Name || (c.ChangePct == nil) != (row[3].Kind != table.Float) ||
								(c.ChangePct != nil && row[3].F != *c.ChangePct) {
								t.Errorf("%s: %s row %d %v, want %s", where, tb.Name, r, row, fmtChange(c))
							}
						}
					}
				}
			}
		}
	}
	if !unequal {
		t.Error("no pair compared stages with unequal step counts")
	}
}

// A run with no stage at all against one with stages: every stage is new, and no note claims
// the runs have no stage in common (one side has none to have in common).
func TestCompareEmptySide(t *testing.T) {
	tr := testtrace.Read(t, "go_tts_pageable")
	empty := tr.Subset(trace.Keep{Runtime: []bool{}, OSRT: []bool{}, Kernels: []bool{}, Memcpy: []bool{}, Memset: []bool{}, NVTX: make([]bool, tr.NVTX.Len())})
	for _, c := range [][2]*trace.Trace{{empty, tr}, {tr, empty}} {
		res, err := Compare(c[0], c[1], stage.Assign(c[0], nil), stage.Assign(c[1], nil), Options{Per: "auto"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Note != "" || len(res.Stages) != 2 {
			t.Errorf("note %q, %d stages", res.Note, len(res.Stages))
		}
	}
}

// verdict's words at exactly ±2% (the limits count as a change) and just inside.
func TestVerdictAtItsLimits(t *testing.T) {
	for _, c := range []struct {
		pct  float64
		word string
	}{{2, "2.0% slower"}, {1.9, "no change"}, {-2, "2.0% faster"}, {-1.9, "no change"}, {0, "no change"}, {35.5, "35.5% slower"}} {
		p := c.pct
		d := Stage{Stage: "s", InBase: true, InNew: true, Figures: []Figure{{Metric: "wall", Base: 100, New: 100 + p, ChangePct: &p}}}
		if v, w := verdict(d); !strings.HasPrefix(v, "s: "+c.word+" (") || w != p {
			t.Errorf("%v%%: %q %v, want %q", p, v, w, c.word)
		}
	}
	// a stage without CUDA API calls in either run: an empty API table names no biggest change
	p := 0.0
	empty := Stage{Stage: "s", InBase: true, InNew: true, Figures: []Figure{{Metric: "wall", Base: 1, New: 1, ChangePct: &p}},
		Tables: []*table.Table{{Name: "cuda_api_sum_diff"}}}
	if v, _ := verdict(empty); strings.Contains(v, "biggest") || !strings.HasPrefix(v, "s: no change") {
		t.Errorf("no API calls: %q", v)
	}
	if v, _ := verdict(Stage{Stage: "s", InBase: true, InNew: false}); v != "s: stage gone" {
		t.Errorf("gone: %q", v)
	}
	if v, _ := verdict(Stage{Stage: "s", InBase: false, InNew: true}); v != "s: new stage" {
		t.Errorf("new: %q", v)
	}
}
