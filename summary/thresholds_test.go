package summary

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/internal/testtrace"
	"github.com/omnistat/omnistat/reports"
	"github.com/omnistat/omnistat/reports/stat"
	"github.com/omnistat/omnistat/trace"
)

func findingByID(fs []Finding, id string) *Finding {
	for i := range fs {
		if fs[i].ID == id {
			return &fs[i]
		}
		// a finding merged into another (the same cause) lives on in its Also
		if slices.Contains(fs[i].Also, id) {
			return &fs[i]
		}
	}
	return nil
}

// dominantShare is the largest CUDA API's share of API time (by the name nsys prints), rounded to
// 0.1 as findings print it, computed from the rows.
func dominantShare(tr *trace.Trace) (string, float64) {
	by := map[string]int64{}
	var all int64
	for i := range tr.Runtime.Start {
		d := tr.Runtime.End[i] - tr.Runtime.Start[i]
		by[reports.APIName(tr.Strings.Get(int64(tr.Runtime.NameID[i])))] += d
		all += d
	}
	best, bt := "", int64(-1)
	for n, t := range by {
		if t > bt || t == bt && n < best {
			best, bt = n, t
		}
	}
	return best, stat.Round(float64(bt)*100/float64(all), 1)
}

// Thresholds at exactly their value: a dominant API at exactly --dominant-api percent is
// reported, one 0.1 point under it is not; a GPU busy exactly --low-util percent is not low, one
// busy 0.1 point less is; a copy share at exactly the copy threshold is reported, 0.1 point
// over it is not. The shares are computed from the rows where the finding reports them.
func TestFindingThresholdsExactly(t *testing.T) {
	lowUtilSeen := 0
	for _, name := range []string{"go_tts_pageable", "tts_pageable", "foreign_tts_a", "go_diffusion", "diffusion", "foreign_graphs_timeslice"} {
		tr := testtrace.Read(t, name)
		at := func(o FindingOptions) []Finding { return Findings(tr, "trace", o) }
		o := DefaultFindingOptions
		o.DominantAPI = 1 // every trace has a dominant API at 1%
		api, share := dominantShare(tr)
		f := findingByID(at(o), "dominant_api")
		if f == nil {
			t.Fatalf("%s: no dominant_api at 1%%", name)
		}
		o.DominantAPI = share
		if f = findingByID(at(o), "dominant_api"); f == nil {
			t.Errorf("%s: %s at exactly %.1f%%: no dominant_api", name, api, share)
		}
		o.DominantAPI = share + 0.1
		if f = findingByID(at(o), "dominant_api"); f != nil {
			t.Errorf("%s: %s at %.1f%%, threshold %.1f%%: dominant_api %q", name, api, share, o.DominantAPI, f.Message)
		}
		// low utilisation: the finding's value is the busy share it judged (unless the finding
		// was merged into another, whose value is that one's)
		o = DefaultFindingOptions
		o.LowUtil = 100
		lu := findingByID(at(o), "low_gpu_util")
		if lu == nil {
			t.Fatalf("%s: no low_gpu_util under 100%%", name)
		}
		if lu.ID != "low_gpu_util" {
			continue
		}
		lowUtilSeen++
		u := lu.Value
		for _, c := range []struct {
			limit float64
			want  bool
		}{{u, false}, {u + 0.1, true}} {
			o.LowUtil = c.limit
			if got := findingByID(at(o), "low_gpu_util") != nil; got != c.want {
				t.Errorf("%s: busy %.1f%%, --low-util %.1f: low_gpu_util %v, want %v", name, u, c.limit, got, c.want)
			}
		}
	}
	if lowUtilSeen == 0 {
		t.Error("no trace had a low_gpu_util finding of its own")
	}
	// the copy share, on a copy-bound trace
	tr := testtrace.Read(t, "foreign_graphs_timeslice")
	o := DefaultFindingOptions
	o.CopyShare, o.GapFloorNs = 0.1, 1
	f := findingByID(Findings(tr, "trace", o), "memcpy_bound")
	if f == nil || f.ID != "memcpy_bound" {
		t.Fatal("foreign_graphs_timeslice: no memcpy_bound of its own at 0.1%")
	}
	share := f.Value
	for _, c := range []struct {
		limit float64
		want  bool
	}{{share, true}, {share + 0.1, false}, {math.Nextafter(share, 0), true}} {
		o.CopyShare = c.limit
		if got := findingByID(Findings(tr, "trace", o), "memcpy_bound") != nil; got != c.want {
			t.Errorf("copy share %.1f%%, threshold %v: memcpy_bound %v, want %v", share, c.limit, got, c.want)
		}
	}
}

// synthAPI is a trace of CUDA calls only (name, duration), one after another on one thread.
func synthAPI(calls []struct {
	name string
	d    int64
}) *trace.Trace {
	names := map[string]int64{}
	var ids []int64
	var vals []string
	tr := &trace.Trace{}
	r := &tr.Runtime
	at := int64(1000)
	for i, c := range calls {
		id, ok := names[c.name]
		if !ok {
			id = int64(len(names))
			names[c.name] = id
			ids, vals = append(ids, id), append(vals, c.name)
		}
		r.Start, r.End, r.GlobalTID, r.CorrID, r.NameID = append(r.Start, at), append(r.End, at+c.d), r.GlobalTID.Append(0x1_000064_000064), append(r.CorrID, int32(i+1)), append(r.NameID, int32(id))
		at += c.d + 10
	}
	tr.Strings = trace.NewStrings(ids, vals)
	return tr
}

// sync_api at exactly 10% of CUDA API time is reported, at 9.9% it is not.
func TestSyncAPIThreshold(t *testing.T) {
	type call = struct {
		name string
		d    int64
	}
	for _, c := range []struct {
		sync int64
		want bool
	}{{100, true}, {99, false}, {101, true}} {
		tr := synthAPI([]call{{"cudaMalloc", 450}, {"cudaFree", 1000 - 450 - c.sync}, {"cudaStreamSynchronize", c.sync / 2}, {"cudaDeviceSynchronize", c.sync - c.sync/2}})
		f := findingByID(Findings(tr, "trace", DefaultFindingOptions), "sync_api")
		if (f != nil) != c.want {
			t.Errorf("sync calls %d of 1000 ns: sync_api %v, want %v", c.sync, f != nil, c.want)
		}
		if f != nil && f.Value != stat.Round(float64(c.sync)/10, 1) {
			t.Errorf("sync calls %d of 1000 ns: value %v", c.sync, f.Value)
		}
	}
}

// Replicas at exactly their thresholds: a slowest replica exactly 5% over the median (its GPU
// busy time per step as much over) is not "balanced", 4.9% over is; a split of exactly 1.25× is uneven, 1.249× is not; the kernels that
// differ most come by the size of the difference, then name, three of them; the time at stake is
// the difference per step times the slow replica's steps.
func TestReplicaThresholdsExactly(t *testing.T) {
	rep := func(i int, stepNs float64, steps int64, busy int64, kernels map[string]float64) Replica {
		r := Replica{Index: i, PID: int64(10 + i), Devices: []int64{0}, Steps: steps, StepNs: stepNs, kernels: kernels}
		r.GPUBusy = busy
		return r
	}
	k := func(a, b, c, d float64) map[string]float64 {
		return map[string]float64{"ka": a, "kb": b, "kc": c, "kd": d}
	}
	for _, c := range []struct {
		slow     float64
		balanced bool
	}{{105, false}, {104.9, true}, {200, false}, {100, true}} {
		reps := []Replica{rep(0, 100, 10, 1000, k(10, 10, 10, 10)), rep(1, c.slow, 10, int64(c.slow*10), k(10, 10, 10, 10))}
		fs := replicaFinding("s", reps, "step")
		if len(fs) == 0 || fs[0].ID != "replica_balance" {
			t.Fatalf("slow %v: %+v", c.slow, fs)
		}
		if got := strings.HasPrefix(fs[0].Advice, "balanced"); got != c.balanced {
			t.Errorf("slowest %v per step against 100: balanced %v, want %v (%q)", c.slow, got, c.balanced, fs[0].Advice)
		}
		if want := int64((c.slow - 100) * 10); fs[0].ImpactNs != want {
			t.Errorf("slowest %v: impact %d, want %d", c.slow, fs[0].ImpactNs, want)
		}
	}
	for _, c := range []struct {
		steps  int64
		uneven bool
	}{{125, true}, {124, false}, {126, true}} {
		reps := []Replica{rep(0, 100, 100, 1000, k(1, 1, 1, 1)), rep(1, 100, c.steps, 1000, k(1, 1, 1, 1))}
		fs := replicaFinding("s", reps, "step")
		if got := len(fs) == 2 && fs[1].ID == "replica_split"; got != c.uneven {
			t.Errorf("%d steps against 100: uneven %v, want %v", c.steps, got, c.uneven)
		}
	}
	// kernels: differences +30, −30 (a tie, by name), +5, and one only the median ran (−20)
	reps := []Replica{rep(0, 100, 10, 1000, map[string]float64{"kb": 40, "kc": 10, "kd": 20, "ke": 5}), rep(1, 200, 10, 2000, map[string]float64{"kb": 10, "kc": 40, "ke": 10, "ka": 0})}
	fs := replicaFinding("s", reps, "step")
	if want := "kernels that differ most: kb (-30.0 ns per step), kc (+30.0 ns per step), kd (-20.0 ns per step)"; !strings.HasSuffix(fs[0].Message, want) {
		t.Errorf("kernels: %q, want %q", fs[0].Message, want)
	}
}
