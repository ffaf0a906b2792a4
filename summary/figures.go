package summary

import (
	"github.com/omnistat/omnistat/internal/hugepage"
	"github.com/omnistat/omnistat/internal/par"
	"github.com/omnistat/omnistat/reports"
	"github.com/omnistat/omnistat/trace"
)

// figures are the counts a scope's findings make by walking its rows that add up over the
// stages: the CUDA API totals, the copies nsys's copy rules select, and the launches and kernel
// durations of the steady window. A stage keeps them (judge.own); the trace, when each of its
// rows is one stage's, takes the stages' sums (judge.parts) instead of walking 3 M calls, the
// copies' joins and 1.5 M kernels a second time. Each family of findings fills and reads its
// own field only: the families run concurrently.
type figures struct {
	tr     *trace.Trace // the rows counted
	api    *apiFigures
	copies *copyCounts
	launch *launchFigures
}

// apiFigures are the calls' totals by name id and of all of them (apiTotals).
type apiFigures struct {
	byID map[int64]*apiAcc
	all  int64
}

// copyCounts are the copies the copy rules select (copyFindings): how many, their calls' time,
// and how many of them went through the driver API.
type copyCounts struct {
	asyncN, syncN, asyncDrv, syncDrv int
	asyncT, syncT                    int64
}

// launchFigures are the launches outside CUDA graphs that start at or after from, their time,
// and the durations (kd, summing to kernT) of the kernels outside graphs that start there;
// kd is nil until a finding needs it (launches under minLaunches never do).
type launchFigures struct {
	from     int64
	launches int
	launchT  int64
	kd       []int64
	kernT    int64
	kdDone   bool
}

// apiTotals are the scope's CUDA API totals by name id, and of all calls: the stages' sums for
// a trace made of stages.
func (j *judge) apiTotals() (map[int64]*apiAcc, int64) {
	if j.parts == nil {
		byID, all := apiTotals(j.tr)
		if j.own != nil {
			j.own.api = &apiFigures{byID, all}
		}
		return byID, all
	}
	sum, all := map[int64]*apiAcc{}, int64(0)
	for _, p := range j.parts {
		if p.api == nil {
			byID, a := apiTotals(p.tr)
			p.api = &apiFigures{byID, a}
		}
		for id, a := range p.api.byID {
			s := sum[id]
			if s == nil {
				s = &apiAcc{}
				sum[id] = s
			}
			s.total += a.total
			s.n += a.n
		}
		all += p.api.all
	}
	return sum, all
}

// copyCounts are the scope's copies selected by the copy rules: the stages' sums for a trace
// made of stages.
func (j *judge) copyCounts() copyCounts {
	if j.parts == nil {
		c := copyCountsOf(j.tr)
		if j.own != nil {
			j.own.copies = &c
		}
		return c
	}
	var sum copyCounts
	for _, p := range j.parts {
		if p.copies == nil {
			c := copyCountsOf(p.tr)
			p.copies = &c
		}
		c := p.copies
		sum.asyncN += c.asyncN
		sum.syncN += c.syncN
		sum.asyncDrv += c.asyncDrv
		sum.syncDrv += c.syncDrv
		sum.asyncT += c.asyncT
		sum.syncT += c.syncT
	}
	return sum
}

// copyCountsOf walks tr's copies joined to their calls (within their process) and counts those
// nsys analyze's cuda_memcpy_async and cuda_memcpy_sync rules select (reports.CopyRules), and
// the same selections over the driver API's copy calls.
func copyCountsOf(tr *trace.Trace) copyCounts {
	launch := tr.Launches()
	async, sync, asyncD, syncD := reports.CopyRules(tr)
	var c copyCounts
	in2 := func(id int32, a, b reports.CopyRule) (rule, driver bool) {
		_, rule = a.Names[id]
		_, driver = b.Names[id]
		return rule, driver
	}
	m := &tr.Memcpy
	for i := range m.Start {
		call := launch.Memcpy(i)
		if call < 0 {
			continue
		}
		id, d := tr.Runtime.NameID[call], tr.Runtime.End[call]-tr.Runtime.Start[call]
		if rule, driver := in2(id, async, asyncD); (rule || driver) && async.Keep(i) {
			c.asyncN++
			c.asyncT += d
			if driver {
				c.asyncDrv++
			}
		} else if rule, driver := in2(id, sync, syncD); (rule || driver) && sync.Keep(i) {
			c.syncN++
			c.syncT += d
			if driver {
				c.syncDrv++
			}
		}
	}
	return c
}

// launchCounts are the launches outside CUDA graphs in the steady window and their CPU time:
// the stages' sums for a trace made of stages (a stage whose steady window starts elsewhere is
// counted again from the trace's).
func (j *judge) launchCounts() (int, int64) {
	if j.parts == nil {
		n, t := launchesFrom(j.tr, j.from)
		if j.own != nil {
			j.own.launch = &launchFigures{from: j.from, launches: n, launchT: t}
		}
		return n, t
	}
	var n int
	var t int64
	for _, p := range j.parts {
		l := p.launchFrom(j.from)
		n += l.launches
		t += l.launchT
	}
	return n, t
}

// launchFrom is the part's launch figures from that steady start: kept when its own findings
// counted from there, counted now otherwise.
func (p *figures) launchFrom(from int64) *launchFigures {
	if p.launch == nil || p.launch.from != from {
		n, t := launchesFrom(p.tr, from)
		p.launch = &launchFigures{from: from, launches: n, launchT: t}
	}
	return p.launch
}

// launchesFrom counts tr's launches outside CUDA graphs that start at or after from, and sums
// their time.
func launchesFrom(tr *trace.Trace, from int64) (int, int64) {
	var t int64
	var n int
	launch := ByName(tr, func(n string) bool { return isLaunch(n) && !isGraphLaunch(n) })
	for i := range tr.Runtime.Start {
		if tr.Runtime.Start[i] >= from && launch(int64(tr.Runtime.NameID[i])) {
			t += tr.Runtime.End[i] - tr.Runtime.Start[i]
			n++
		}
	}
	return n, t
}

// kernelFigures are the durations of the kernels outside CUDA graphs in the steady window and
// their sum (kernelDurations): for a trace made of stages, the stages' durations one after the
// other (a stage's own slice when it is the only one with any).
func (j *judge) kernelFigures() ([]int64, int64) {
	if j.parts == nil {
		kd, sum := kernelDurationsFrom(j.tr, j.from)
		if j.own != nil && j.own.launch != nil {
			j.own.launch.kd, j.own.launch.kernT, j.own.launch.kdDone = kd, sum, true
		}
		return kd, sum
	}
	var kds [][]int64
	var sum int64
	n := 0
	for _, p := range j.parts {
		l := p.launchFrom(j.from)
		if !l.kdDone {
			l.kd, l.kernT = kernelDurationsFrom(p.tr, j.from)
			l.kdDone = true
		}
		if len(l.kd) > 0 {
			kds = append(kds, l.kd)
		}
		sum += l.kernT
		n += len(l.kd)
	}
	if len(kds) == 1 {
		return kds[0], sum
	}
	kd := make([]int64, n) // the stages' durations side by side, each copied in parts
	hugepage.Hint(kd)
	at := 0
	for _, d := range kds {
		par.For(len(d), func(lo, hi int) { copy(kd[at+lo:], d[lo:hi]) })
		at += len(d)
	}
	return kd, sum
}
