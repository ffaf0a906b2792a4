package summary

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/omnistat/omnistat/reports"
	"github.com/omnistat/omnistat/reports/stat"
	"github.com/omnistat/omnistat/trace"
)

// copyFindings reports async copies touching pageable memory and synchronous copies — the
// copies nsys analyze's cuda_memcpy_async and cuda_memcpy_sync rules select, with the rules'
// own selection (reports.MemcpyAsyncRule, MemcpySyncRule) — and copies that fill the GPU's busy
// time. A copy is joined to its call within its process (nsys's rules join on the correlation
// id alone, which can pair a copy with another process's call).
func (j *judge) copyFindings() []Finding {
	scope, in := j.scope, j.in
	c := j.copyCounts()
	asyncN, syncN, asyncDrv, syncDrv, asyncT, syncT := c.asyncN, c.syncN, c.asyncDrv, c.syncDrv, c.asyncT, c.syncT
	// viaDriver says how many of all the copies went through the driver API, which nsys's rule
	// does not look at; merged into another finding, the brief keeps it
	viaDriver := func(n, all int, rule string) string {
		switch {
		case n == 0:
			return ""
		case n == 1 && all == 1:
			return fmt.Sprintf(" (through the driver API, cuMemcpy…, which nsys's %s rule does not list)", rule)
		}
		return fmt.Sprintf(" (%s of them through the driver API, cuMemcpy…, which nsys's %s rule does not list)", WithSep(int64(n)), rule)
	}
	var out []Finding
	if asyncN > 0 {
		copies, use, their, each, briefTheir := count(asyncN, "asynchronous copy", "asynchronous copies"), "use", "their API calls take", "each blocks", "their calls take"
		if asyncN == 1 {
			use, their, each, briefTheir = "uses", "its API call takes", "it blocks", "its call takes"
		}
		drv := viaDriver(asyncDrv, asyncN, reports.MemcpyAsyncName)
		out = append(out, Finding{Scope: scope, ID: "pageable_async_memcpy", Value: float64(asyncN), ImpactNs: asyncT, cause: "copies",
			Message: fmt.Sprintf("%s%s %s pageable host memory; %s %s ns%s", copies, in, use, their, WithSep(asyncT), drv),
			brief:   fmt.Sprintf("%s %s pageable host memory, so %s the CPU; %s %s ns%s (pageable_async_memcpy)", copies, use, each, briefTheir, WithSep(asyncT), drv),
			Advice:  "an async copy to or from pageable memory is synchronous for the host: allocate the host buffer pinned (cudaHostAlloc, pin_memory=True)"})
	}
	if syncN > 0 {
		copies, take := count(syncN, "synchronous copy", "synchronous copies"), "take"
		if syncN == 1 {
			take = "takes"
		}
		drv := viaDriver(syncDrv, syncN, reports.MemcpySyncName)
		out = append(out, Finding{Scope: scope, ID: "sync_memcpy", Value: float64(syncN), ImpactNs: syncT, cause: "copies",
			Message: fmt.Sprintf("%s%s (cudaMemcpy without Async) %s %s ns of API time%s", copies, in, take, WithSep(syncT), drv),
			brief:   fmt.Sprintf("%s %s %s ns of API time%s (sync_memcpy)", copies, take, WithSep(syncT), drv),
			Advice:  "use cudaMemcpyAsync on a stream with pinned host memory so the copy overlaps other work"})
	}
	return append(out, j.copyBound()...)
}

// direction is the copies of one kind (Host-to-Device, …) in the steady window.
type direction struct {
	label         string
	n, pageable   int
	bytes, timeNs int64
}

// copyBound reports copies whose GPU time (their union, per GPU) is at least CopyShare percent
// of the GPU's busy time in the steady window, with the bytes and bandwidth of each direction.
func (j *judge) copyBound() []Finding {
	m := &j.tr.Memcpy
	if m.Len() == 0 || j.sBusy == 0 {
		return nil
	}
	byDev := map[int64][]trace.Span{}
	byKind := map[int64]*direction{}
	for i := range m.Start {
		if m.End[i] <= j.from {
			continue
		}
		byDev[m.Device.At(i)] = append(byDev[m.Device.At(i)], trace.Span{Start: max(m.Start[i], j.from), End: m.End[i]})
		d := byKind[m.CopyKind[i]]
		if d == nil {
			d = &direction{label: j.tr.MemcpyKinds[m.CopyKind[i]]}
			if d.label == "" {
				d.label = fmt.Sprintf("copy kind %d", m.CopyKind[i])
			}
			byKind[m.CopyKind[i]] = d
		}
		d.n++
		d.bytes += m.Bytes[i]
		d.timeNs += m.End[i] - m.Start[i]
		if m.SrcKind[i] == 0 || m.DstKind[i] == 0 {
			d.pageable++
		}
	}
	var copyT int64
	for _, sp := range byDev {
		b, _ := trace.Union(sp, 1<<62)
		copyT += b
	}
	share := stat.Percent(copyT, j.sBusy)
	if share < j.o.CopyShare || copyT < j.o.GapFloorNs {
		return nil
	}
	var dirs []*direction
	for _, d := range byKind {
		dirs = append(dirs, d)
	}
	slices.SortFunc(dirs, func(a, b *direction) int {
		return cmp.Or(cmp.Compare(b.timeNs, a.timeNs), strings.Compare(a.label, b.label))
	})
	var parts []string
	for i, d := range dirs {
		if i == 2 {
			break
		}
		p := fmt.Sprintf("%s %.1f MB in %s at %.1f GB/s", d.label, float64(d.bytes)/1e6, count(d.n, "copy", "copies"), float64(d.bytes)/float64(max(d.timeNs, 1)))
		if d.pageable > 0 {
			p += fmt.Sprintf(" (%s from or to pageable memory)", WithSep(int64(d.pageable)))
		}
		parts = append(parts, p)
	}
	where := ""
	if j.warm() {
		where = fmt.Sprintf(" in steady state (after %s)", plural(j.steps.Warmup, "warm-up step"))
	}
	f := Finding{Scope: j.scope, ID: "memcpy_bound", Value: share, ImpactNs: copyT, cause: "copies",
		Message: fmt.Sprintf("copies fill %.1f%% of the GPU's busy time%s%s (%s of %s ns): %s", share, j.in, where, WithSep(copyT), WithSep(j.sBusy), strings.Join(parts, "; ")),
		Advice:  "copy less or hide the copies: keep the data on the GPU, batch small copies, and overlap copies with compute on another stream"}
	if dirs[0].pageable*2 >= dirs[0].n && strings.Contains(dirs[0].label, "Host") {
		f.Advice = "copy from pinned host memory (cudaHostAlloc, pin_memory=True): pageable copies go through a staging buffer at a fraction of the link's bandwidth and block the CPU; then overlap them with compute on another stream, or keep the data on the GPU"
	}
	return []Finding{f}
}
