package reports

import (
	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/trace"
)

func init() {
	skip := func(tr *trace.Trace) string {
		if tr.NVTX.Len() == 0 {
			return "does not contain NV Tools Extension (NVTX) data."
		}
		return ""
	}
	register(Report{Name: "nvtx_sum", Title: "NVTX Range Summary", Skip: skip, Needs: trace.NVTXTable,
		Run: func(tr *trace.Trace, _ Options) *table.Table { return NVTXSum(tr, NVTXAll) }})
	register(Report{Name: "nvtx_pushpop_sum", Title: "NVTX Push/Pop Range Summary", Skip: skip, Needs: trace.NVTXTable,
		Run: func(tr *trace.Trace, _ Options) *table.Table { return NVTXSum(tr, NVTXPushPop) }})
	register(Report{Name: "nvtx_startend_sum", Title: "NVTX Start/End Range Summary", Skip: skip, Needs: trace.NVTXTable,
		Run: func(tr *trace.Trace, _ Options) *table.Table { return NVTXSum(tr, NVTXStartEnd) }})
}

// NVTXKind selects which ranges an NVTX summary covers.
type NVTXKind int

const (
	NVTXAll NVTXKind = iota
	NVTXPushPop
	NVTXStartEnd
)

// Style is nsys's Style column for a range event type: "PushPop" or "StartEnd".
func Style(eventType int64) string {
	if trace.IsPushPop(eventType) {
		return "PushPop"
	}
	return "StartEnd"
}

// NVTXNames resolves range names the way nsys 2024+ does: "domain:message", with an empty
// domain for the default one (":step"). Domains are matched by id within the same process.
type NVTXNames struct {
	tr      *trace.Trace
	domains map[[2]int64]string
}

// NewNVTXNames indexes the domain declarations of tr.
func NewNVTXNames(tr *trace.Trace) *NVTXNames {
	n := &tr.NVTX
	d := map[[2]int64]string{}
	for i := range n.Start {
		if n.EventType[i] != trace.NVTXDomainCreate {
			continue
		}
		key := [2]int64{trace.ProcessKey(n.GlobalTID[i]), n.DomainID[i]}
		if _, ok := d[key]; !ok {
			msg, _ := n.Message(&tr.Strings, i)
			d[key] = msg
		}
	}
	return &NVTXNames{tr: tr, domains: d}
}

// Domain is the domain name of event i ("" for the default domain).
func (r *NVTXNames) Domain(i int) string {
	n := &r.tr.NVTX
	return r.domains[[2]int64{trace.ProcessKey(n.GlobalTID[i]), n.DomainID[i]}]
}

// Name is event i's full range name, "domain:message".
func (r *NVTXNames) Name(i int) string {
	msg, _ := r.tr.NVTX.Message(&r.tr.Strings, i)
	return r.Domain(i) + ":" + msg
}

// RangeEnd is the end nsys uses for range i: its end, or the largest NVTX timestamp when the
// range was never closed.
func RangeEnd(n *trace.NVTX, i int, maxTS int64) int64 {
	if e := n.End[i]; e != trace.Null {
		return e
	}
	return maxTS
}

// NVTXSum is nvtx_sum (all ranges, with a Style column), nvtx_pushpop_sum or
// nvtx_startend_sum.
func NVTXSum(tr *trace.Trace, kind NVTXKind) *table.Table {
	n := &tr.NVTX
	names := NewNVTXNames(tr)
	maxTS, _ := n.MaxTimestamp()
	g := newGrouper()
	for i := range n.Start {
		t := n.EventType[i]
		switch kind {
		case NVTXAll:
			if !trace.IsRange(t) {
				continue
			}
		case NVTXPushPop:
			if !trace.IsPushPop(t) {
				continue
			}
		case NVTXStartEnd:
			if !trace.IsStartEnd(t) {
				continue
			}
		}
		name := names.Name(i)
		d := RangeEnd(n, i, maxTS) - n.Start[i]
		if kind == NVTXAll {
			style := Style(t)
			g.add(style+"\x00"+name, func() []string { return []string{style, name} }, d)
		} else {
			g.add(name, func() []string { return []string{name} }, d)
		}
	}
	t := &table.Table{Columns: timeColumns("Instances", "Style", "Range"), Rows: timeRowsBy(g.list, lessFromLast)}
	switch kind {
	case NVTXAll:
		t.Name, t.Title = "nvtx_sum", "NVTX Range Summary"
	case NVTXPushPop:
		t.Name, t.Title = "nvtx_pushpop_sum", "NVTX Push/Pop Range Summary"
		t.Columns = timeColumns("Instances", "Range")
	case NVTXStartEnd:
		t.Name, t.Title = "nvtx_startend_sum", "NVTX Start/End Range Summary"
		t.Columns = timeColumns("Instances", "Range")
	}
	return t
}
