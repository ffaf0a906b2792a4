package summary

import (
	"fmt"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/reports"
	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/trace"
)

// groupTotals sums the count and total columns of t per label (the text columns past the first
// skip, joined), as stage's TestGroupedTotalsAddUp does.
func groupTotals(t *table.Table, skip int) map[string][2]int64 {
	out := map[string][2]int64{}
	ti, ci := -1, -1
	for i, c := range t.Columns {
		if i < skip {
			continue
		}
		switch {
		case ti < 0 && (c.Name == "Total Time" || c.Name == "Total" || c.Name == "Total Proj Time"):
			ti = i
		case ci < 0 && c.Unit == table.Count:
			ci = i
		}
	}
	if ti < 0 || ci < 0 {
		return nil
	}
	for _, r := range t.Rows {
		var label []string
		for i, v := range r {
			if i >= skip && v.Kind == table.Text {
				label = append(label, v.S)
			}
		}
		k := strings.Join(label, "|")
		x := out[k]
		x[0] += r[ti].I
		x[1] += r[ci].I
		out[k] = x
	}
	return out
}

// groupDims are the --by dimensions checkGroupedTotals cuts by.
var groupDims = []stage.By{stage.ByStage, stage.ByProcess, stage.ByThread, stage.ByDevice}

// checkGroupedTotals: on whatever the reader made of a file, every summed report cut by each of
// dims adds up to the ungrouped report, total and count per row label (the projection, whose
// ranges are host rows, is not cut by device).
func checkGroupedTotals(t *testing.T, tr *trace.Trace, a *stage.Assignment, dims ...stage.By) {
	t.Helper()
	for _, dim := range dims {
		g, err := stage.Group(tr, dim, a)
		if err != nil {
			t.Fatalf("--by %s: %v", dim, err)
		}
		for _, rn := range []string{"cuda_api_sum", "cuda_gpu_kern_sum", "cuda_gpu_mem_time_sum", "cuda_gpu_mem_size_sum", "cuda_gpu_sum", "nvtx_sum", "osrt_sum", "nvtx_gpu_proj_sum"} {
			if dim == stage.ByDevice && rn == "nvtx_gpu_proj_sum" {
				continue
			}
			r, opt, err := reports.Lookup(rn)
			if err != nil {
				t.Fatal(err)
			}
			if r.Skip(tr) != "" {
				continue
			}
			whole := groupTotals(r.Run(tr, opt), 0)
			grouped := groupTotals(reports.RunGrouped(r, opt, tr, g), 1)
			if fmt.Sprint(whole) != fmt.Sprint(grouped) {
				t.Fatalf("--by %s %s: grouped totals differ\n whole   %v\n grouped %v", dim, rn, whole, grouped)
			}
		}
	}
}
