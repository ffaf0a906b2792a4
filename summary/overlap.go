package summary

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/omnistat/omnistat/reports/stat"
	"github.com/omnistat/omnistat/trace"
)

// devSpans lists the spans of operations by device (sorted and disjoint per device); runs calls
// its function for each run of rows [lo, hi) of one device d, in order.
func devSpans(start, end []int64, runs func(f func(lo, hi int, d int64))) map[int64][]trace.Span {
	n := map[int64]int{} // the maps are consulted once per run
	runs(func(lo, hi int, d int64) { n[d] += hi - lo })
	if len(n) == 1 { // one device: its spans are those of every row, made in parallel parts
		for d := range n {
			return map[int64][]trace.Span{d: trace.TableSpans(start, end)}
		}
	}
	by := make(map[int64][]trace.Span, len(n))
	for d, c := range n {
		by[d] = make([]trace.Span, 0, c)
	}
	runs(func(lo, hi int, d int64) {
		sp := by[d]
		for k := lo; k < hi; k++ {
			sp = append(sp, trace.Span{Start: start[k], End: end[k]})
		}
		by[d] = sp
	})
	for d, sp := range by {
		byStart := func(a, b trace.Span) int { return cmp.Compare(a.Start, b.Start) }
		if !slices.IsSortedFunc(sp, byStart) {
			slices.SortFunc(sp, byStart)
		}
		by[d] = joinInPlace(sp)
	}
	return by
}

// joinInPlace is disjoint for spans the caller owns: the joined spans overwrite the front of
// spans, no second slice is made.
func joinInPlace(spans []trace.Span) []trace.Span {
	out := spans[:0]
	for _, s := range spans {
		if n := len(out); n > 0 && s.Start <= out[n-1].End {
			out[n-1].End = max(out[n-1].End, s.End)
			continue
		}
		out = append(out, s)
	}
	return out
}

// bridge joins spans (sorted, disjoint) less than gap apart: the periods a stage is active.
func bridge(spans []trace.Span, gap int64) []trace.Span {
	var out []trace.Span
	for _, s := range spans {
		if n := len(out); n > 0 && s.Start-out[n-1].End < gap {
			out[n-1].End = max(out[n-1].End, s.End)
			continue
		}
		out = append(out, s)
	}
	return out
}

// intersectSpans is the spans covered by both a and b (each sorted and disjoint).
func intersectSpans(a, b []trace.Span) []trace.Span {
	var out []trace.Span
	for i, j := 0, 0; i < len(a) && j < len(b); {
		s, e := max(a[i].Start, b[j].Start), min(a[i].End, b[j].End)
		if e > s {
			out = append(out, trace.Span{Start: s, End: e})
		}
		if a[i].End < b[j].End {
			i++
		} else {
			j++
		}
	}
	return out
}

func spanLen(spans []trace.Span) (t int64) {
	for _, s := range spans {
		t += s.End - s.Start
	}
	return t
}

// pairOverlap is what two stages' GPU work does in time: active (operations less than
// activityBridge apart) at the same time, and running kernels at the same time.
type pairOverlap struct {
	shared           []int64 // the GPUs both use
	active, together int64   // time both are active; time both run kernels (shared GPUs only)
	actA, actB       int64   // each one's active time
	kernA, kernB     int64   // each one's kernel time on the shared GPUs
	busyInA, busyInB int64   // each one's GPU busy time while both are active
}

func overlapOf(a, b *StageOverview) pairOverlap {
	var p pairOverlap
	for _, d := range a.devices {
		if slices.Contains(b.devices, d) {
			p.shared = append(p.shared, d)
		}
	}
	add := func(oa, ob []trace.Span) {
		ba, bb := bridge(oa, activityBridge), bridge(ob, activityBridge)
		both := intersectSpans(ba, bb)
		p.active += spanLen(both)
		p.actA, p.actB = p.actA+spanLen(ba), p.actB+spanLen(bb)
		p.busyInA += trace.Intersect(oa, both)
		p.busyInB += trace.Intersect(ob, both)
	}
	if len(p.shared) == 0 {
		add(a.Spans, b.Spans)
		return p
	}
	for _, d := range p.shared {
		add(a.devOps[d], b.devOps[d])
		// the stage with more kernels is walked (kernelTimes), the other's spans are made
		if a.kernels() >= b.kernels() {
			kb := b.kernelSpans()[d]
			ka, together := a.kernelTimes(d, kb)
			p.together, p.kernA, p.kernB = p.together+together, p.kernA+ka, p.kernB+spanLen(kb)
		} else {
			ka := a.kernelSpans()[d]
			kb, together := b.kernelTimes(d, ka)
			p.together, p.kernA, p.kernB = p.together+together, p.kernA+spanLen(ka), p.kernB+kb
		}
	}
	return p
}

// kernels is the number of the stage's kernels (0 when its rows are not kept).
func (o *StageOverview) kernels() int {
	if o.sub == nil {
		return 0
	}
	return o.sub.Kernels.Len()
}

// kernelTimes is the time the stage's kernels on GPU d cover (their spans' length, as
// kernelSpans makes them) and the part of it inside spans (sorted and disjoint): measured in a
// walk of the kernels' rows when they all run on d and come by start, without making their
// spans (3 M of them for a TTS talker: the spans and their memory are the cost); else from
// kernelSpans.
func (o *StageOverview) kernelTimes(d int64, spans []trace.Span) (busy, shared int64) {
	if o.sub != nil && o.devKernels == nil {
		k := &o.sub.Kernels
		if only, ok := k.Device.Only(); ok && only == d {
			if busy, shared, ok := trace.UnionWith(k.Start, k.End, o.clip, spans); ok {
				return busy, shared
			}
		}
	}
	ks := o.kernelSpans()[d]
	return spanLen(ks), trace.Intersect(ks, spans)
}

func gpuList(ds []int64) string {
	var s []string
	for _, d := range ds {
		s = append(s, strconv.FormatInt(d, 10))
	}
	if len(s) == 1 {
		return "GPU " + s[0]
	}
	return "GPUs " + strings.Join(s, ",")
}

// overlapFindings says, for each pair of stages with GPU work, whether they run at once on
// different GPUs (a pipeline, or data parallel), share one GPU that time-slices them, run
// kernels concurrently on one GPU, or take turns (serialise); see docs/summarize.md.
func overlapFindings(stages []*StageOverview) []Finding {
	var out []Finding
	for i := 0; i < len(stages); i++ {
		for k := i + 1; k < len(stages); k++ {
			a, b := stages[i], stages[k]
			if len(a.Spans) == 0 || len(b.Spans) == 0 {
				continue
			}
			p := overlapOf(a, b)
			share := stat.Percent(p.active, min(p.actA, p.actB))
			f := Finding{Scope: a.Stage + "+" + b.Stage, ID: "stage_overlap", Value: share}
			names := fmt.Sprintf("the %s and %s stages", a.Stage, b.Stage)
			conc := stat.Percent(p.together, min(p.kernA, p.kernB)) // without MPS, time-slicing: spans overlap
			switch {
			case len(p.shared) == 0 && share >= overlapShare:
				f.Message = fmt.Sprintf("%s run at the same time on different GPUs (%s; %s) for %s ns, %.1f%% of the shorter one's active time: a pipeline (or data parallel)",
					names, gpuList(a.devices), gpuList(b.devices), WithSep(p.active), share)
				f.Advice = "as intended: each stage has its own GPU"
			case len(p.shared) > 0 && (share >= overlapShare || conc >= overlapShare):
				// kernels' spans that overlap are not kernels running at once: without MPS a
				// kernel's span includes the time it is switched out; none overlapping means
				// the GPU alternates between the stages' kernels
				kernels := "no kernel of one overlaps a kernel of the other: the GPU alternates between them"
				if p.together > 0 {
					kernels = fmt.Sprintf("their kernels' spans overlap for %s ns: a kernel's span includes the time it is switched out", WithSep(p.together))
				}
				f.Message = fmt.Sprintf("%s share one GPU (%s): the driver time-slices them; their GPU work interleaves for %s ns, %.1f%% of the shorter one's active time (%s)",
					names, gpuList(p.shared), WithSep(p.active), share, kernels)
				f.Advice = "while one stage's kernels run the other's wait, so each stretches the other's steps: give each stage its own GPU, or run them under MPS so their kernels can run at once"
				f.ImpactNs = p.busyInA // the lighter stage's GPU time while both are active: what it can delay the other by
				if b.GPUBusy < a.GPUBusy {
					f.ImpactNs = p.busyInB
				}
			default:
				where := "on different GPUs"
				if len(p.shared) > 0 {
					where = "on " + gpuList(p.shared)
				}
				f.Message = fmt.Sprintf("%s take turns %s: they are active at the same time for only %.1f%% of the shorter one's active time (%s ns): they serialise",
					names, where, share, WithSep(p.active))
				f.Advice = "stream work between the stages in smaller chunks so the later stage starts while the earlier one runs"
				f.ImpactNs = max(min(a.GPUBusy, b.GPUBusy)-min(p.busyInA, p.busyInB), 0)
			}
			out = append(out, f)
		}
	}
	return out
}
