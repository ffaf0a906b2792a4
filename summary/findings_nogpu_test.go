package summary

import (
	"strings"
	"testing"

	"github.com/omnistat/omnistat/trace"
)

// A scope that only waits (synchronize calls, no GPU work recorded): the dominant API's advice
// says no GPU work of this scope was recorded, never "keeps it no GPU work".
func TestSyncAdviceWithoutGPUWork(t *testing.T) {
	tid := int64(0x1_000064_000064)
	tr := &trace.Trace{Strings: trace.NewStrings([]int64{0}, []string{"cudaDeviceSynchronize_v3020"})}
	rt := &tr.Runtime
	for i := range 20 {
		s := int64(i) * 10_000_000
		rt.Start, rt.End = append(rt.Start, s), append(rt.End, s+5_000_000)
		rt.GlobalTID, rt.CorrID, rt.NameID = rt.GlobalTID.Append(tid), append(rt.CorrID, int32(i+1)), append(rt.NameID, 0)
	}
	f := findingByID(Findings(tr, "trace", DefaultFindingOptions), "dominant_api")
	if f == nil {
		t.Fatal("no dominant_api finding")
	}
	if strings.Contains(f.Advice, "keeps it no GPU work") || !strings.Contains(f.Advice, "no GPU work of this scope was recorded") {
		t.Errorf("advice: %q", f.Advice)
	}
}
