package reports

import (
	"sort"
	"strings"

	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/trace"
)

func init() {
	registerRule(Rule{
		Name: "cuda_api_sync", Title: "CUDA Synchronization APIs", Needs: trace.RuntimeTable,
		Skip: func(tr *trace.Trace) string {
			if !tr.Has("CUPTI_ACTIVITY_KIND_RUNTIME") {
				return skipNoRuntime
			}
			return ""
		},
		Run: CUDAAPISync,
	})
}

// CUDAAPISync is nsys analyze's cuda_api_sync: the CUDA calls named cudaDeviceSynchronize… or
// cudaStreamSynchronize… (ASCII case ignored, as SQL LIKE), longest first, with the name as
// StringIds holds it (version suffix kept). Equal durations keep the calls' table order (nsys's
// plan scans the runtime table and sorts stably under its LIMIT).
func CUDAAPISync(tr *trace.Trace, opt RuleOptions) *table.Table {
	a := &tr.Runtime
	names := SyncAPIRule(tr)
	var idx []int
	for i, id := range a.NameID {
		if _, ok := names[id]; ok {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(x, y int) bool {
		return a.End[idx[x]]-a.Start[idx[x]] > a.End[idx[y]]-a.Start[idx[y]]
	})
	t := &table.Table{
		Name: "cuda_api_sync", Title: "CUDA Synchronization APIs",
		Columns: []table.Column{{Name: "Duration", Unit: table.Ns}, {Name: "Start", Unit: table.Ns},
			{Name: "PID", Unit: table.ID}, {Name: "TID", Unit: table.ID}, {Name: "API Name"}},
	}
	for _, i := range limit(idx, opt.Rows) {
		g := a.GlobalTID.At(i)
		tid := trace.Null
		if g != trace.Null {
			tid = g & 0xFFFFFF
		}
		t.Rows = append(t.Rows, []table.Value{table.I64(a.End[i] - a.Start[i]), table.I64(a.Start[i]),
			idVal(pidOf(g)), idVal(tid), table.Str(names[a.NameID[i]])})
	}
	return t
}

// SyncAPIName says whether an API name (any case) is one cuda_api_sync lists
// (cudaDeviceSynchronize…, cudaStreamSynchronize…) or the driver API's counterpart, which the
// rule does not list (cuCtxSynchronize…, cuStreamSynchronize…). The summary's sync finding
// selects calls with it.
func SyncAPIName(name string) (rule, driver bool) {
	s := lowerASCII(name)
	rule = strings.HasPrefix(s, "cudadevicesynchronize") || strings.HasPrefix(s, "cudastreamsynchronize")
	driver = strings.HasPrefix(s, "cuctxsynchronize") || strings.HasPrefix(s, "custreamsynchronize")
	return rule, driver
}

// SyncAPIRule is cuda_api_sync's selection: the API names (by string id) it lists.
func SyncAPIRule(tr *trace.Trace) map[int32]string {
	return matchingAPIs(tr, func(s string) bool { r, _ := SyncAPIName(s); return r })
}
