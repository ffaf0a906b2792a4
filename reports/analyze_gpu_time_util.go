package reports

import (
	"math"
	"sort"

	"github.com/omnistat/omnistat/reports/stat"
	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/trace"
)

func init() {
	registerRule(Rule{
		Name: "gpu_time_util", Title: "GPU Time Utilization", Opts: map[string]int{"threshold": 50, "chunks": 30},
		Needs: trace.KernelTable | trace.MemcpyTable | trace.MemsetTable | trace.OverheadTable,
		Skip: func(tr *trace.Trace) string {
			if !hasGPUOps(tr) {
				return skipNoGPUOps
			}
			return ""
		},
		Run: GPUTimeUtil,
	})
}

// GPUTimeUtil is nsys analyze's gpu_time_util: per (process, device), the span from its first
// GPU operation's start to its last one's end (gpuOps) is cut into `chunks` chunks of
// ceil(span/chunks) ns (the last one clipped, chunks past the end dropped); a chunk's use is the
// sum of each operation's overlap with it over its length, × 100 (concurrent operations add
// up); chunks used below `threshold` % are kept, and runs of consecutive kept chunks are merged
// into one row whose use is the length-weighted mean, rounded to one decimal. The arithmetic is
// SQLite's: chunk bounds are doubles, sums are Kahan–Babuška–Neumaier sums. Like nsys, the row
// limit is applied to the runs in (run, device, process) order, then to the rows ordered by use
// and duration.
func GPUTimeUtil(tr *trace.Trace, opt RuleOptions) *table.Table {
	n, thr := opt.Values["chunks"], float64(opt.Values["threshold"])
	ops, keys := gpuOps(tr)
	type run struct {
		group      int
		key        gpuKey
		context    int64
		start, end float64
		wsum, size kbn
	}
	var runs []*run
	for _, key := range keys {
		o := ops[key]
		lo, hi := o[0].start, o[0].end
		for _, op := range o {
			lo, hi = min(lo, op.start), max(hi, op.end)
		}
		if n <= 0 {
			continue
		}
		size := math.Ceil(float64(hi-lo) / float64(n))
		kept := 0 // ROW_NUMBER over the kept chunks of this pair
		var cur *run
		for c := 0; c < n; c++ {
			cstart := float64(c)*size + float64(lo)
			cend := math.Min(float64(c)*size+float64(lo)+size, float64(hi))
			if !(cstart < cend) {
				continue
			}
			var used kbn
			for _, op := range o {
				if float64(op.start) < cend && float64(op.end) > cstart {
					used.add(math.Min(float64(op.end), cend) - math.Max(float64(op.start), cstart))
				}
			}
			pct := used.sum() / (cend - cstart) * 100
			if !(pct < thr) {
				continue
			}
			kept++
			g := c - kept
			if cur == nil || cur.group != g {
				cur = &run{group: g, key: key, context: pairContext(o), start: cstart}
				runs = append(runs, cur)
			}
			cur.end = cend
			cur.wsum.add((cend - cstart) * pct)
			cur.size.add(cend - cstart)
		}
	}
	sort.SliceStable(runs, func(a, b int) bool {
		x, y := runs[a], runs[b]
		if x.group != y.group {
			return x.group < y.group
		}
		if x.key.device != y.key.device {
			return x.key.device < y.key.device
		}
		return x.key.pid < y.key.pid
	})
	runs = limit(runs, opt.Rows)
	avg := make([]float64, len(runs))
	for i, r := range runs {
		avg[i] = stat.Round(r.wsum.sum()/r.size.sum(), 1)
	}
	order := make([]int, len(runs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		x, y := order[a], order[b]
		if avg[x] != avg[y] {
			return avg[x] < avg[y]
		}
		return runs[x].end-runs[x].start < runs[y].end-runs[y].start
	})
	t := &table.Table{
		Name: "gpu_time_util", Title: "GPU Time Utilization", Notes: otherGPUNote(tr),
		Columns: []table.Column{{Name: "Row#", Unit: table.ID}, {Name: "In-Use", Unit: table.Percent},
			{Name: "Duration", Unit: table.Ns}, {Name: "Start", Unit: table.Ns},
			{Name: "PID", Unit: table.ID}, {Name: "Device ID", Unit: table.ID}, {Name: "Context ID", Unit: table.ID}},
	}
	for i, x := range limit(order, opt.Rows) {
		r := runs[x]
		t.Rows = append(t.Rows, []table.Value{table.I64(int64(i + 1)), table.F64(avg[x]),
			table.I64(int64(r.end - r.start)), table.I64(int64(r.start)),
			idVal(r.key.pid), idVal(r.key.device), idVal(r.context)})
	}
	return t
}

// kbn is SQLite's sum() of doubles: a Kahan–Babuška–Neumaier compensated sum.
type kbn struct{ s, err float64 }

func (k *kbn) add(r float64) {
	t := k.s + r
	if math.Abs(k.s) > math.Abs(r) {
		k.err += (k.s - t) + r
	} else {
		k.err += (r - t) + k.s
	}
	k.s = t
}

func (k *kbn) sum() float64 { return k.s + k.err }
