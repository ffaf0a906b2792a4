package summary

import (
	"cmp"
	"slices"
	"strings"
)

// primaryOrder ranks the findings that restate one cause, in tiers: the first present keeps
// its id and advice (within a tier, the one with more time at stake), the others join its
// message (their brief clause) and its Also list. launch_bound and gpu_gap share a tier: each
// explains part of a GPU's idle time (between kernels inside steps; long gaps), and the larger
// part leads, and only when it explains at least half of the idle time low_gpu_util reports.
var primaryOrder = [][]string{{"warmup"}, {"launch_bound", "gpu_gap"}, {"memcpy_bound"}, {"low_gpu_util"}, {"dominant_api"},
	{"pageable_async_memcpy"}, {"sync_memcpy"}, {"sync_api"}, {"cuda_graphs"}}

// Causes (Finding.cause) that findings share:
//   - "warmup": the warm-up, and a dominant API whose time is mostly spent in it;
//   - "copies": memcpy_bound, a dominant copy API, pageable_async_memcpy, sync_memcpy;
//   - "wait": a dominant synchronize API and sync_api;
//   - "idle:<GPU>": launch_bound, low_gpu_util and gpu_gap of that GPU, and, when launch_bound
//     fires, a dominant launch API ("launch") and the CUDA graph share ("graphs").

// verdict merges the findings that restate one cause into one finding (its time at stake the
// largest of theirs: they describe the same time) and orders the result by time at stake.
func verdict(fs []Finding) []Finding {
	for _, f := range fs {
		if f.ID == "launch_bound" {
			for i := range fs {
				if fs[i].cause == "launch" || fs[i].cause == "graphs" {
					fs[i].cause = f.cause
				}
			}
		}
	}
	rank := func(id string) int {
		for i, tier := range primaryOrder {
			if slices.Contains(tier, id) {
				return i
			}
		}
		return len(primaryOrder)
	}
	var out []Finding
	done := map[string]bool{}
	for _, f := range fs {
		if f.cause == "" {
			out = append(out, f)
			continue
		}
		if done[f.cause] {
			continue
		}
		done[f.cause] = true
		var group []Finding
		for _, g := range fs {
			if g.cause == f.cause {
				group = append(group, g)
			}
		}
		slices.SortStableFunc(group, func(a, b Finding) int {
			return cmp.Or(cmp.Compare(rank(a.ID), rank(b.ID)), cmp.Compare(b.ImpactNs, a.ImpactNs))
		})
		// launch_bound or gpu_gap leads only when it explains at least half of the idle time
		if u := slices.IndexFunc(group, func(g Finding) bool { return g.ID == "low_gpu_util" }); u > 0 &&
			(group[0].ID == "launch_bound" || group[0].ID == "gpu_gap") && 2*group[0].ImpactNs < group[u].ImpactNs {
			group = append(append([]Finding{group[u]}, group[:u]...), group[u+1:]...)
		}
		m := group[0]
		var briefs []string
		for _, g := range group[1:] {
			m.Also = append(m.Also, g.ID)
			m.ImpactNs = max(m.ImpactNs, g.ImpactNs)
			b := g.brief
			if b == "" {
				b = g.Message + " (" + g.ID + ")"
			}
			briefs = append(briefs, b)
		}
		if len(briefs) > 0 {
			m.Message += "; also: " + strings.Join(briefs, "; ")
		}
		out = append(out, m)
	}
	return byImpact(out)
}

// byImpact orders findings by time at stake, largest first (ties keep their order).
func byImpact(fs []Finding) []Finding {
	slices.SortStableFunc(fs, func(a, b Finding) int { return cmp.Compare(b.ImpactNs, a.ImpactNs) })
	return fs
}
