package diff

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/omnistat/omnistat/reports"
	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/summary"
	"github.com/omnistat/omnistat/trace"
)

// value is a gate's metric on one run, with the run's step range.
type value struct {
	value   float64
	found   bool
	inScope bool   // the gate's stage is in the run (always for a whole-trace gate)
	step    string // the step range family ("" without steps)
	steps   int64
}

// scope is tr cut to the gate's stage, or nil when the stage is not in tr.
func (g Gate) scope(tr *trace.Trace, a *stage.Assignment) *trace.Trace {
	if g.Stage == "" {
		return tr
	}
	gr, err := stage.Group(tr, stage.ByStage, a)
	if err != nil {
		return nil
	}
	for i, l := range gr.Labels {
		if l == g.Stage {
			return tr.Subset(gr.Keep[i])
		}
	}
	return nil
}

func (g Gate) values(tr *trace.Trace, a *stage.Assignment) value {
	tr = g.scope(tr, a)
	if tr == nil {
		return value{}
	}
	v := value{inScope: true}
	v.step, v.steps = summary.StepFamily(tr)
	v.value, v.found = g.Value(tr)
	return v
}

func sum(start, end []int64, keep func(i int) bool) (t int64) {
	for i := range start {
		if keep == nil || keep(i) {
			t += end[i] - start[i]
		}
	}
	return t
}

// Value is the gate's metric on tr (already cut to the gate's stage): ns, a count or a share,
// and whether tr has it.
func (g Gate) Value(tr *trace.Trace) (float64, bool) {
	switch g.Metric {
	case "wall":
		first, last := int64(1<<63-1), int64(-1<<63)
		for _, sp := range trace.GPUSpans(tr) {
			first, last = min(first, sp.Start), max(last, sp.End)
		}
		for i := range tr.Runtime.Start {
			first, last = min(first, tr.Runtime.Start[i]), max(last, tr.Runtime.End[i])
		}
		if last < first {
			return 0, false
		}
		return float64(last - first - tr.UncapturedIn(first, last)), true // time between merged windows was not recorded
	case "gpu_time":
		busy, _ := trace.BusyTime(tr, trace.GPUSpans(tr))
		return float64(busy), true
	case "kernel_time":
		return float64(sum(tr.Kernels.Start, tr.Kernels.End, nil)), true
	case "memcpy_time":
		return float64(sum(tr.Memcpy.Start, tr.Memcpy.End, nil) + sum(tr.Memset.Start, tr.Memset.End, nil)), true
	case "api_time":
		return float64(sum(tr.Runtime.Start, tr.Runtime.End, nil)), true
	case "api_calls":
		return float64(tr.Runtime.Len()), true
	case "kernels":
		return float64(tr.Kernels.Len()), true
	case "steps":
		_, n := summary.StepFamily(tr)
		return float64(n), n > 0
	case "api":
		is := summary.ByName(tr, func(n string) bool { return reports.APIName(n) == g.Arg || n == g.Arg })
		n := 0
		t := sum(tr.Runtime.Start, tr.Runtime.End, func(i int) bool {
			ok := is(int64(tr.Runtime.NameID[i]))
			if ok {
				n++
			}
			return ok
		})
		if g.Share {
			all := sum(tr.Runtime.Start, tr.Runtime.End, nil)
			return share(t, all), n > 0
		}
		return float64(t), n > 0
	case "kernel":
		names := map[int32]bool{}
		n := 0
		t := sum(tr.Kernels.Start, tr.Kernels.End, func(i int) bool {
			id := tr.Kernels.Demangled[i]
			ok, seen := names[id]
			if !seen {
				ok = g.re.MatchString(tr.Strings.Get(int64(id)))
				names[id] = ok
			}
			if ok {
				n++
			}
			return ok
		})
		if g.Share {
			return share(t, sum(tr.Kernels.Start, tr.Kernels.End, nil)), n > 0
		}
		return float64(t), n > 0
	case "range": // mean duration of the range (name as nvtx_sum prints it, or the message alone)
		names := reports.NewNVTXNames(tr)
		maxTS, _ := tr.NVTX.MaxTimestamp()
		var t, n int64
		for i := range tr.NVTX.Start {
			if !trace.IsRange(tr.NVTX.EventType[i]) {
				continue
			}
			if full := names.Name(i); full == g.Arg || strings.SplitN(full, ":", 2)[1] == g.Arg {
				t += reports.RangeEnd(&tr.NVTX, i, maxTS) - tr.NVTX.Start[i]
				n++
			}
		}
		if n == 0 {
			return 0, false
		}
		return float64(t) / float64(n), true
	}
	return 0, false
}

func share(part, all int64) float64 {
	if all <= 0 {
		return 0
	}
	return float64(part) * 100 / float64(all)
}

// Validate checks the gate's stage, range, API or kernel against both runs: one that matches in
// neither is a mistake (a typo would pass silently), reported with the closest names there are.
func (g Gate) Validate(base, nw *trace.Trace, ab, an *stage.Assignment) error {
	var stages []string
	for _, a := range []*stage.Assignment{ab, an} {
		for _, s := range a.Stages {
			stages = append(stages, s.Key)
		}
	}
	if g.Stage != "" && !slices.Contains(stages, g.Stage) {
		return fmt.Errorf("gate %q: no stage %q in either trace%s", g.Text, g.Stage, Suggest(g.Stage, stages))
	}
	if g.Metric != "range" && g.Metric != "api" && g.Metric != "kernel" {
		return nil
	}
	var names []string
	for _, p := range [][2]any{{base, ab}, {nw, an}} {
		tr := g.scope(p[0].(*trace.Trace), p[1].(*stage.Assignment))
		if tr == nil {
			continue
		}
		if _, ok := g.Value(tr); ok {
			return nil
		}
		names = append(names, candidates(tr, g.Metric)...)
	}
	what := map[string]string{"range": "NVTX range", "api": "CUDA API", "kernel": "kernel matching"}[g.Metric]
	in := "either trace"
	if g.Stage != "" {
		in = "stage " + g.Stage + " of either trace"
	}
	return fmt.Errorf("gate %q: no %s %q in %s%s", g.Text, what, g.Arg, in, Suggest(g.Arg, names))
}

// candidates lists the names a gate's argument could mean in tr.
func candidates(tr *trace.Trace, metric string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	switch metric {
	case "range":
		names := reports.NewNVTXNames(tr)
		for i := range tr.NVTX.Start {
			if trace.IsRange(tr.NVTX.EventType[i]) {
				full := names.Name(i)
				add(full)
				add(strings.SplitN(full, ":", 2)[1])
			}
		}
	case "api":
		ids := map[int32]bool{}
		for _, id := range tr.Runtime.NameID {
			ids[id] = true
		}
		for id := range ids {
			add(reports.APIName(tr.Strings.Get(int64(id))))
		}
	case "kernel":
		ids := map[int32]bool{}
		for _, id := range tr.Kernels.Short {
			ids[id] = true
		}
		for id := range ids {
			add(tr.Strings.Get(int64(id)))
		}
	}
	return out
}

// Suggest is ": did you mean a, b?" with the names closest to s (the same but for case, one
// containing the other, or a few edits away), or a list of a few names when none is close.
func Suggest(s string, names []string) string {
	type cand struct {
		name string
		d    int
	}
	var cs []cand
	seen := map[string]bool{}
	ls := strings.ToLower(s)
	for _, n := range names {
		if seen[n] {
			continue
		}
		seen[n] = true
		ln := strings.ToLower(n)
		d := editDistance(ls, ln)
		switch {
		case ln == ls:
			d = 0
		case strings.Contains(ln, ls) || strings.Contains(ls, ln):
			d = min(d, 1)
		}
		if d <= max(2, len(s)/4) {
			cs = append(cs, cand{n, d})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].d != cs[j].d {
			return cs[i].d < cs[j].d
		}
		return cs[i].name < cs[j].name
	})
	var out []string
	for _, c := range cs[:min(3, len(cs))] {
		if c.d > cs[0].d && cs[0].d == 0 {
			break // the same name but for case says it all
		}
		out = append(out, c.name)
	}
	if len(out) > 0 {
		return ": did you mean " + strings.Join(out, ", ") + "?"
	}
	all := slices.Sorted(func(yield func(string) bool) {
		for n := range seen {
			if !yield(n) {
				return
			}
		}
	})
	if len(all) == 0 {
		return ""
	}
	if len(all) > 6 {
		all = append(all[:6], "…")
	}
	return " (there are: " + strings.Join(all, ", ") + ")"
}

// editDistance is the Levenshtein distance of a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
