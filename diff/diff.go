package diff

import (
	"fmt"
	"github.com/omnistat/omnistat/reports"
	"github.com/omnistat/omnistat/summary"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/omnistat/omnistat/reports/stat"
	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/trace"
)

// Options tune Diff.
type Options struct {
	// Per normalises per instance of this NVTX range (message, or domain:message); "auto" picks
	// each stage's step range family (summary.StepFamily) when both runs have the same one;
	// "none" compares raw totals.
	Per string
	Top int // rows per table
}

// Stage compares one stage (matched by its key) of two traces.
// Figure is one stage figure in both runs (wall, GPU busy, …), scaled per step when the stage
// has steps.
type Figure struct {
	Metric    string   `json:"metric"` // the gate metric: wall, gpu_time, …
	Label     string   `json:"-"`      // "wall (ns)"
	Base      float64  `json:"base"`   // rounded to 0.1
	New       float64  `json:"new"`
	Change    float64  `json:"change"`     // New − Base
	ChangePct *float64 `json:"change_pct"` // nil when Base is 0
}

// TableChange is one report compared between the runs (CUDA APIs, kernels, NVTX ranges,
// memory operations), largest change first, cut to the top rows.
type TableChange struct {
	Report   string   `json:"report"` // cuda_api_sum, cuda_gpu_kern_sum, nvtx_sum, cuda_gpu_mem_time_sum
	Rows     []Change `json:"rows"`
	MoreRows int      `json:"more_rows"` // rows left out by --top
}

// Change is one entry of a report in both runs: time in ns and a count, per step or totals as
// the stage's Per says.
type Change struct {
	Name      string   `json:"name"`
	Status    string   `json:"status"` // new, gone, changed, same
	BaseNs    float64  `json:"base_ns"`
	NewNs     float64  `json:"new_ns"`
	ChangeNs  float64  `json:"change_ns"`
	ChangePct *float64 `json:"change_pct"` // nil when the base has none
	BaseCount float64  `json:"base_count"`
	NewCount  float64  `json:"new_count"`
}

// FindingChange is a finding of either run: new, gone, kept or changed.
type FindingChange struct {
	Status  string `json:"status"`  // new, gone, kept, changed (the same finding about another subject)
	Finding string `json:"finding"` // "scope id"
	Base    string `json:"base"`    // the finding's message in each run ("" when absent)
	New     string `json:"new"`
}

type Stage struct {
	Stage      string         `json:"stage"`
	InBase     bool           `json:"in_base"`
	InNew      bool           `json:"in_new"`
	Per        string         `json:"per"`                  // the step range family the values are divided by ("" for totals)
	PerReason  string         `json:"per_reason,omitempty"` // why totals are compared, when they are
	StepsBase  int64          `json:"steps_base"`
	StepsNew   int64          `json:"steps_new"`
	Figures    []Figure       `json:"figures"` // the stage figures, also the rows of Overview
	Changes    []TableChange  `json:"tables"`  // the reports compared, also Tables
	Overview   *table.Table   `json:"-"`
	Tables     []*table.Table `json:"-"`
	Verdict    string         `json:"verdict"`
	WallChange float64        `json:"wall_change_pct"`
	// apiAll is the CUDA API table with every row, whatever --top shows: the verdict's
	// biggest change and the change that offsets it are looked for in all of them
	apiAll *table.Table
}

// Result compares two traces stage by stage.
type Result struct {
	Base, New string
	Stages    []Stage
	Changes   []FindingChange // the findings of both runs
	// Note warns about the comparison as a whole: no stage in common (unrelated programs, or a
	// stage renamed), so every stage is new or gone and only whole-trace gates compare.
	Note string
	// Unlike: both runs have stages and none in common (Note says so); gates fail then
	// (CheckAll) unless asked to compare anyway.
	Unlike bool
	// Kernels are the signatures of every kernel of both runs' stages, sorted, once each, not
	// only the rows the kernel tables show: the text views name kernels over them, so a kernel
	// reads the same in every table on both sides.
	Kernels []string `json:"-"`
}

// stageSubsets maps stage keys to their subset of tr.
func stageSubsets(tr *trace.Trace, a *stage.Assignment) (map[string]*trace.Trace, []string, error) {
	g, err := stage.Group(tr, stage.ByStage, a)
	if err != nil {
		return nil, nil, err
	}
	out := map[string]*trace.Trace{}
	var order []string
	for i, l := range g.Labels {
		if l == stage.Other {
			continue
		}
		out[l] = tr.Subset(g.Keep[i])
		order = append(order, l)
	}
	return out, order, nil
}

// steps picks what a stage is compared per: the range per asks for, or with "auto" the step
// range of each run (summary.StepFamily, the rule summarize uses) when both have the same one;
// otherwise totals, with the reason.
func steps(per string, b, n *trace.Trace) (name string, sb, sn int64, reason string) {
	switch per {
	case "none":
		return "", 0, 0, "--per none"
	case "auto", "":
		fb, cb := summary.StepFamily(b)
		fn, cn := summary.StepFamily(n)
		switch {
		case fb == "" && fn == "":
			return "", 0, 0, "no step range (no range with 2 or more instances) in either run"
		case fb == "":
			return "", 0, 0, "no step range in the base run"
		case fn == "":
			return "", 0, 0, "no step range in the new run"
		case fb != fn:
			return "", 0, 0, fmt.Sprintf("the runs' step ranges differ (%s, %s)", fb, fn)
		}
		return fb, cb, cn, ""
	}
	sb, sn = summary.CountFamily(b, per), summary.CountFamily(n, per)
	if sb == 0 || sn == 0 {
		return "", 0, 0, fmt.Sprintf("--per %s: %d instances in the base run, %d in the new", per, sb, sn)
	}
	return per, sb, sn, ""
}

// Compare compares base and new, stage by stage (stages are matched by key, so reruns with other
// PIDs compare), normalised per step where the stage has per-step ranges.
func Compare(base, nw *trace.Trace, ab, an *stage.Assignment, o Options) (*Result, error) {
	if o.Top <= 0 {
		o.Top = 10
	}
	sb, ob, err := stageSubsets(base, ab)
	if err != nil {
		return nil, err
	}
	sn, on, err := stageSubsets(nw, an)
	if err != nil {
		return nil, err
	}
	keys := append([]string(nil), ob...)
	for _, k := range on {
		if sb[k] == nil {
			keys = append(keys, k)
		}
	}
	res := &Result{Base: base.Path, New: nw.Path}
	common := 0
	for _, k := range ob {
		if sn[k] != nil {
			common++
		}
	}
	if common == 0 && len(ob) > 0 && len(on) > 0 {
		res.Unlike = true
		res.Note = fmt.Sprintf("no stage in common (base: %s; new: %s): the runs may be different programs, or a stage was renamed (--stage rules can name them alike)", strings.Join(ob, ", "), strings.Join(on, ", "))
	}
	for _, k := range keys {
		b, n := sb[k], sn[k]
		d := Stage{Stage: k, InBase: b != nil, InNew: n != nil}
		if b == nil {
			b = base.Subset(trace.Keep{Runtime: []bool{}, OSRT: []bool{}, Kernels: []bool{}, Memcpy: []bool{}, Memset: []bool{}, NVTX: make([]bool, base.NVTX.Len())})
		}
		if n == nil {
			n = nw.Subset(trace.Keep{Runtime: []bool{}, OSRT: []bool{}, Kernels: []bool{}, Memcpy: []bool{}, Memset: []bool{}, NVTX: make([]bool, nw.NVTX.Len())})
		}
		if d.InBase && d.InNew {
			d.Per, d.StepsBase, d.StepsNew, d.PerReason = steps(o.Per, b, n)
		}
		scaleB, scaleN := 1.0, 1.0
		if d.Per != "" {
			scaleB, scaleN = 1/float64(d.StepsBase), 1/float64(d.StepsNew)
		}
		d.Figures = figures(b, n, scaleB, scaleN)
		d.Overview = overviewTable(d.Figures, d.Per)
		for _, spec := range []struct {
			r      func(*trace.Trace) *table.Table
			labels []string
			count  string
		}{
			{func(t *trace.Trace) *table.Table { return reports.CUDAAPISum(t) }, []string{"Name"}, "Num Calls"},
			{func(t *trace.Trace) *table.Table { return reports.CUDAGPUKernSum(t, reports.Options{}) }, []string{"Name"}, "Instances"},
			{func(t *trace.Trace) *table.Table { return reports.NVTXSum(t, reports.NVTXAll) }, []string{"Style", "Range"}, "Instances"},
			{func(t *trace.Trace) *table.Table { return reports.CUDAGPUMemTimeSum(t) }, []string{"Operation"}, "Count"},
		} {
			tb, tn := spec.r(b), spec.r(n)
			if tb.Name == "cuda_gpu_kern_sum" {
				for _, x := range []*table.Table{tb, tn} {
					for _, r := range x.Rows {
						res.Kernels = append(res.Kernels, r[x.Col("Name")].S)
					}
				}
			}
			t, tc := tableDiff(tb, tn, spec.labels, spec.count, scaleB, scaleN, d.Per, o.Top, k)
			d.Tables, d.Changes = append(d.Tables, t), append(d.Changes, tc)
			if tb.Name == "cuda_api_sum" {
				d.apiAll, _ = tableDiff(tb, tn, spec.labels, spec.count, scaleB, scaleN, d.Per, math.MaxInt32, k)
			}
		}
		d.Verdict, d.WallChange = verdict(d)
		res.Stages = append(res.Stages, d)
	}
	slices.Sort(res.Kernels)
	res.Kernels = slices.Compact(res.Kernels)
	res.Changes = findingChanges(base, nw, ab, an)
	return res, nil
}

func pct(b, n float64) (float64, bool) {
	if b == 0 {
		return 0, false
	}
	return stat.Round((n-b)*100/b, 1), true
}

// overviewDiff compares the stage's main figures.
func figures(b, n *trace.Trace, sb, sn float64) []Figure {
	var out []Figure
	for _, m := range []struct{ metric, label string }{
		{"wall", "wall (ns)"}, {"gpu_time", "GPU busy (ns)"}, {"kernel_time", "kernel time (ns)"},
		{"memcpy_time", "memory op time (ns)"}, {"api_time", "CUDA API time (ns)"}, {"api_calls", "CUDA API calls"}, {"kernels", "kernels"},
	} {
		g := Gate{Metric: m.metric}
		vb, _ := g.Value(b)
		vn, _ := g.Value(n)
		vb, vn = stat.Round(vb*sb, 1), stat.Round(vn*sn, 1)
		f := Figure{Metric: m.metric, Label: m.label, Base: vb, New: vn, Change: stat.Round(vn-vb, 1)}
		if p, ok := pct(vb, vn); ok {
			f.ChangePct = &p
		}
		out = append(out, f)
	}
	return out
}

// overviewTable is the stage figures as a table, per step when per names the step range.
func overviewTable(figs []Figure, per string) *table.Table {
	unit := ""
	if per != "" {
		unit = " per " + per
	}
	t := &table.Table{Name: "stage_diff", Title: "Stage figures" + unit,
		Columns: []table.Column{{Name: "Metric"}, {Name: "Base", Unit: table.Ratio}, {Name: "New", Unit: table.Ratio},
			{Name: "Change", Unit: table.Ratio}, {Name: "Change", Unit: table.Percent}}}
	for _, f := range figs {
		row := []table.Value{table.Str(f.Label), table.F64(f.Base), table.F64(f.New), table.F64(f.Change), {}}
		if f.ChangePct != nil {
			row[4] = table.F64(*f.ChangePct)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// tableDiff joins two report tables on their label columns and ranks the rows by the size of
// the change in total time.
func tableDiff(tb, tn *table.Table, labels []string, count string, sb, sn float64, per string, top int, stageKey string) (*table.Table, TableChange) {
	tc := TableChange{Report: tb.Name, Rows: []Change{}}
	type row struct {
		label          string
		tb, tn, cb, cn float64
		inBase, inNew  bool
	}
	key := func(t *table.Table, r []table.Value) string {
		s := ""
		for i, l := range labels {
			if i > 0 {
				s += " "
			}
			s += r[t.Col(l)].S
		}
		return s
	}
	rows := map[string]*row{}
	var order []string
	get := func(k string) *row {
		if rows[k] == nil {
			rows[k] = &row{label: k}
			order = append(order, k)
		}
		return rows[k]
	}
	// rows that print the same name (cudaMemcpy and cudaMemcpy_v3020 are both cudaMemcpy in
	// cuda_api_sum) are one row: their times and counts add up, as a gate on the name adds them
	for _, r := range tb.Rows {
		x := get(key(tb, r))
		x.tb += float64(r[tb.Col("Total Time")].I) * sb
		x.cb += float64(r[tb.Col(count)].I) * sb
		x.inBase = true
	}
	for _, r := range tn.Rows {
		x := get(key(tn, r))
		x.tn += float64(r[tn.Col("Total Time")].I) * sn
		x.cn += float64(r[tn.Col(count)].I) * sn
		x.inNew = true
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := rows[order[i]], rows[order[j]]
		da, db := math.Abs(a.tn-a.tb), math.Abs(b.tn-b.tb)
		if da != db {
			return da > db
		}
		return a.label < b.label
	})
	unit := "Total"
	cu := count
	if per != "" {
		unit, cu = "Per Step", count+"/Step"
	}
	t := &table.Table{Name: tb.Name + "_diff", Title: stageKey + ": " + tb.Title + " (base → new)",
		Columns: []table.Column{{Name: "Base " + unit, Unit: table.Ns}, {Name: "New " + unit, Unit: table.Ns}, {Name: "Change", Unit: table.Ns},
			{Name: "Change", Unit: table.Percent}, {Name: "Base " + cu, Unit: table.Ratio}, {Name: "New " + cu, Unit: table.Ratio}, {Name: "Status"}, {Name: labels[len(labels)-1]}}}
	if len(labels) > 1 {
		t.Columns[len(t.Columns)-1].Name = "Name"
	}
	if len(order) == top+1 { // a note for one hidden row takes a line as well: show the row
		top++
	}
	for i, k := range order {
		if i == top {
			t.Notes = append(t.Notes, summary.MoreRows(len(order)-top))
			tc.MoreRows = len(order) - top
			break
		}
		x := rows[k]
		status := "changed"
		switch {
		case !x.inBase:
			status = "new"
		case !x.inNew:
			status = "gone"
		case x.tb == x.tn && x.cb == x.cn:
			status = "same"
		}
		p := table.Value{}
		c := Change{Name: x.label, Status: status, BaseNs: stat.Round(x.tb, 1), NewNs: stat.Round(x.tn, 1), ChangeNs: stat.Round(x.tn-x.tb, 1),
			BaseCount: stat.Round(x.cb, 2), NewCount: stat.Round(x.cn, 2)}
		if v, ok := pct(x.tb, x.tn); ok {
			p = table.F64(v)
			c.ChangePct = &v
		}
		tc.Rows = append(tc.Rows, c)
		t.Rows = append(t.Rows, []table.Value{table.F64(stat.Round(x.tb, 1)), table.F64(stat.Round(x.tn, 1)), table.F64(stat.Round(x.tn-x.tb, 1)), p,
			table.F64(stat.Round(x.cb, 2)), table.F64(stat.Round(x.cn, 2)), table.Str(status), table.Str(x.label)})
	}
	return t, tc
}

// findingChanges lists the findings of both traces: new, gone, kept or changed. A finding of
// one run matches one of the other in the same scope when they share an id, counting the ids
// merged into each (a dominant_api in one run may be merged into memcpy_bound in the other); a
// match about another subject (a different dominant API) is "changed".
func findingChanges(base, nw *trace.Trace, ab, an *stage.Assignment) []FindingChange {
	all := func(tr *trace.Trace, a *stage.Assignment) []summary.Finding {
		s, err := summary.Build(tr, a, summary.Options{Top: 1, Findings: summary.DefaultFindingOptions})
		if err != nil {
			return nil
		}
		out := append([]summary.Finding(nil), s.Findings...)
		for _, st := range s.Stages {
			out = append(out, st.Findings...)
		}
		return slices.DeleteFunc(out, func(f summary.Finding) bool { return f.ID == "cuda_graphs" || f.ID == "stage_overlap" })
	}
	ids := func(f summary.Finding) []string { return append([]string{f.ID}, f.Also...) }
	matches := func(x, y summary.Finding) bool {
		return x.Scope == y.Scope && slices.ContainsFunc(ids(x), func(id string) bool { return slices.Contains(ids(y), id) })
	}
	b, n := all(base, ab), all(nw, an)
	used := make([]bool, len(n))
	var out []FindingChange
	for _, fb := range b {
		c := FindingChange{Status: "gone", Finding: fb.Scope + " " + fb.ID, Base: fb.Message}
		for j, fn := range n {
			if !used[j] && matches(fb, fn) {
				used[j] = true
				c.New, c.Status = fn.Message, "kept"
				if fb.Subject != fn.Subject {
					c.Status = "changed"
				}
				break
			}
		}
		out = append(out, c)
	}
	for j, fn := range n {
		if !used[j] {
			out = append(out, FindingChange{Status: "new", Finding: fn.Scope + " " + fn.ID, New: fn.Message})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Finding < out[j].Finding })
	return out
}
