package stage

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/omnistat/omnistat/trace"
)

// Explained is one process of the automatic stage finding, for --explain-stages.
type Explained struct {
	PID        int64    `json:"pid"`
	Title      string   `json:"title"`       // PROCESSES.name (at most 15 characters on Linux)
	Thread     string   `json:"main_thread"` // the name of its main thread
	Role       string   `json:"role"`        // "" when neither says what it does
	RoleFrom   string   `json:"role_from"`   // title, main thread, or ""
	GPUs       []int64  `json:"gpus"`
	Kernels    []string `json:"kernel_families"` // "gemm 71%", by time
	Ranges     []string `json:"ranges"`          // its NVTX range families by time
	Stage      string   `json:"stage"`
	Replica    int      `json:"replica"`
	NamedBy    string   `json:"named_by"` // how the stage got its name
	Comparison []Peer   `json:"compared_with"`
}

// Peer is the comparison of a process with the first process of another stage of its role.
type Peer struct {
	PID     int64   `json:"pid"`
	Stage   string  `json:"stage"`
	Kernels float64 `json:"kernel_overlap"` // -1: one of them ran no kernel
	Ranges  float64 `json:"range_jaccard"`  // -1: one of them has no range
	Alike   bool    `json:"alike"`
}

type pending struct {
	gpid           int64
	title, thread  string
	role, roleFrom string
	order, replica int
	sig            *Signature
}

type cluster struct {
	role   string
	order  int
	procs  []*pending
	name   string
	source string
	first  int64 // first GPU activity of its processes
}

// autoStages groups the processes no rule took into stages (the rules of docs/summarize.md):
// a role from the title (else the main thread's name); processes of one role, or of none, with
// alike behaviour (Alike) are replicas of one stage, unlike ones separate stages; each stage is
// named by its role when that is unique, else by what tells it apart (an NVTX range prefix or
// family only it has, its dominant kernel family), else stage<N> in order of first GPU activity.
func autoStages(tr *trace.Trace, procs []int64, names map[int64]string, rangeNames map[int64]map[string]int64, explain *[]Explained) []*cluster {
	threads := map[int64]string{}
	for _, t := range tr.Threads {
		threads[t.GlobalTID] = t.Name
	}
	sigs := signatures(tr, procs)
	var ps []*pending
	for _, g := range procs {
		p := &pending{gpid: g, title: names[g], thread: threads[g|trace.PID(g)], order: -1, replica: -1, sig: sigs[g]}
		if key, order, rep, ok := fromTitle(p.title); ok {
			p.role, p.roleFrom, p.order, p.replica = key, "title", order, rep
		} else if r := Role(p.title); r != "" {
			p.role, p.roleFrom = r, "title"
		} else if r := Role(p.thread); r != "" {
			p.role, p.roleFrom = r, "main thread"
		}
		ps = append(ps, p)
	}
	var cs []*cluster
	peers := map[*pending][]Peer{}
	for _, p := range ps {
		var into *cluster
		for _, c := range cs {
			if c.role != p.role || c.order != p.order {
				continue
			}
			q := c.procs[0]
			k, kok := KernelOverlap(p.sig, q.sig)
			r, rok := RangeJaccard(p.sig, q.sig)
			alike := Alike(p.sig, q.sig)
			if !kok {
				k = -1
			}
			if !rok {
				r = -1
			}
			peers[p] = append(peers[p], Peer{PID: trace.PID(q.gpid), Kernels: round2(k), Ranges: round2(r), Alike: alike})
			if alike && into == nil {
				into = c
			}
		}
		if into == nil {
			into = &cluster{role: p.role, order: p.order, first: 1<<63 - 1}
			cs = append(cs, into)
		}
		into.procs = append(into.procs, p)
		into.first = min(into.first, p.sig.FirstGPU)
	}
	// stage order: numbered stages first (stage0, stage1, …), then by first GPU activity;
	// replicas by their title's replica number, else by PID
	slices.SortStableFunc(cs, func(x, y *cluster) int {
		if (x.order >= 0) != (y.order >= 0) {
			if x.order >= 0 {
				return -1
			}
			return 1
		}
		if x.order != y.order {
			return x.order - y.order
		}
		if x.first != y.first {
			if x.first < y.first {
				return -1
			}
			return 1
		}
		return int(trace.PID(x.procs[0].gpid) - trace.PID(y.procs[0].gpid))
	})
	for _, c := range cs {
		slices.SortStableFunc(c.procs, func(x, y *pending) int { return x.replica - y.replica })
	}
	nameClusters(cs, rangeNames)
	stageOf := map[int64]string{} // by PID: the first stage holding one, as the explanation prints PIDs
	for _, c := range cs {
		for _, p := range c.procs {
			if _, ok := stageOf[trace.PID(p.gpid)]; !ok {
				stageOf[trace.PID(p.gpid)] = c.name
			}
		}
	}
	for _, c := range cs {
		for i, p := range c.procs {
			e := Explained{PID: trace.PID(p.gpid), Title: p.title, Thread: p.thread, Role: p.role, RoleFrom: p.roleFrom,
				GPUs: p.sig.GPUs, Ranges: top(p.sig.Ranges, 4), Stage: c.name, Replica: i, NamedBy: c.source}
			if e.GPUs == nil {
				e.GPUs = []int64{}
			}
			for _, f := range top(p.sig.Families, 3) {
				e.Kernels = append(e.Kernels, fmt.Sprintf("%s %.0f%%", f, 100*float64(p.sig.Families[f])/float64(max(1, p.sig.KernelNs))))
			}
			for _, pr := range peers[p] {
				pr.Stage = stageOf[pr.PID]
				e.Comparison = append(e.Comparison, pr)
			}
			*explain = append(*explain, e)
		}
	}
	return cs
}

// round2 rounds to two decimals, halves away from zero: the -1 that says "not comparable" stays
// -1 (truncating x*100+0.5 made it -0.99 in summarize --explain-stages' JSON).
func round2(x float64) float64 { return math.Round(x*100) / 100 }

// nameClusters gives every stage its name and says how it got it.
func nameClusters(cs []*cluster, rangeNames map[int64]map[string]int64) {
	perRole := map[string]int{}
	for _, c := range cs {
		if c.role != "" {
			perRole[c.role]++
		}
	}
	ranges := func(c *cluster) map[string]int64 {
		m := map[string]int64{}
		for _, p := range c.procs {
			for r, d := range p.sig.Ranges {
				m[r] += d
			}
		}
		return m
	}
	families := func(c *cluster) map[string]int64 {
		m := map[string]int64{}
		for _, p := range c.procs {
			for f, d := range p.sig.Families {
				m[f] += d
			}
		}
		return m
	}
	prefix := func(c *cluster) string {
		m := map[string]int64{}
		for _, p := range c.procs {
			for n, d := range rangeNames[p.gpid] {
				m[n] += d
			}
		}
		return dominantPrefix(m)
	}
	// others are the stages a name must tell c apart from: those of its role (of no role: every
	// other stage without one)
	others := func(c *cluster) []*cluster {
		var out []*cluster
		for _, o := range cs {
			if o != c && o.role == c.role {
				out = append(out, o)
			}
		}
		return out
	}
	label := func(c *cluster) (string, string) {
		os := others(c)
		if c.role == "" {
			if p := prefix(c); p != "" && !slices.ContainsFunc(os, func(o *cluster) bool { return prefix(o) == p }) {
				return p, "nvtx prefix"
			}
		}
		mine := ranges(c)
		for _, r := range top(mine, len(mine)) {
			name := tidyName(cleanRange(r))
			if name == "" || perOpRange(r) {
				continue // a framework op's range ("aten::item, op_id = N") is no stage name
			}
			if !slices.ContainsFunc(os, func(o *cluster) bool { _, ok := ranges(o)[r]; return ok }) {
				return name, "nvtx range"
			}
		}
		if f := topKnown(families(c)); f != "" && !slices.ContainsFunc(os, func(o *cluster) bool { return topKnown(families(o)) == f }) {
			return f, "kernels"
		}
		return "", ""
	}
	used := map[string]bool{}
	nth := map[string]int{} // stages of a role numbered in order
	for i, c := range cs {
		// a stage without a role that no other roleless stage needs telling apart from is named
		// by its process (title, else main thread), never by the ranges a window happens to hold
		lone := ""
		if c.role == "" && len(others(c)) == 0 {
			lone, c.source = processName(c.procs[0].title, c.procs[0].thread)
		}
		switch {
		case c.role != "" && perRole[c.role] == 1:
			c.name, c.source = c.role, c.procs[0].roleFrom
		case lone != "":
			c.name = lone
		default:
			l, src := label(c)
			switch {
			case l != "" && c.role != "":
				c.name, c.source = c.role+"."+l, c.procs[0].roleFrom+" and "+src
			case l != "":
				c.name, c.source = l, src
			case c.role != "":
				c.name, c.source = fmt.Sprintf("%s%d", c.role, nth[c.role]), c.procs[0].roleFrom+" and order"
			default:
				c.name, c.source = fmt.Sprintf("stage%d", i), "order"
			}
		}
		nth[c.role]++
		base := c.name
		for n := 2; used[c.name]; n++ {
			c.name = fmt.Sprintf("%s-%d", base, n)
		}
		used[c.name] = true
	}
}

// topKnown is the known kernel family (see KernelFamily) with the most time in m, or "".
func topKnown(m map[string]int64) string {
	for _, f := range top(m, len(m)) {
		if knownFamily(f) {
			return f
		}
	}
	return ""
}

// cleanRange is a range family as a stage name: without its domain prefix and arguments.
func cleanRange(r string) string {
	if i := strings.LastIndex(r, ":"); i >= 0 && i < len(r)-1 {
		r = r[i+1:]
	}
	if i := strings.IndexAny(r, "( "); i > 0 {
		r = r[:i]
	}
	return r
}
