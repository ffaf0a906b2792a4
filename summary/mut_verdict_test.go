package summary

import (
	"slices"
	"testing"
)

// low_gpu_util leads its cause when the gap finding explains under half of its idle time: the
// gap joins it once (its Also and its message), nothing is repeated.
func TestMutVerdictLowUtilLeads(t *testing.T) {
	fs := verdict([]Finding{
		{ID: "gpu_gap", cause: "idle:GPU 0", ImpactNs: 10, Message: "gap", brief: "a gap"},
		{ID: "low_gpu_util", cause: "idle:GPU 0", ImpactNs: 100, Message: "low"},
	})
	if len(fs) != 1 || fs[0].ID != "low_gpu_util" || !slices.Equal(fs[0].Also, []string{"gpu_gap"}) || fs[0].Message != "low; also: a gap" || fs[0].ImpactNs != 100 {
		t.Errorf("%+v", fs)
	}
}

// A finding alone in its cause keeps its message.
func TestMutVerdictAloneUnchanged(t *testing.T) {
	fs := verdict([]Finding{{ID: "sync_memcpy", cause: "copies", ImpactNs: 5, Message: "copies"}, {ID: "cuda_graphs", Message: "graphs"}})
	if len(fs) != 2 || fs[0].Message != "copies" || len(fs[0].Also) != 0 || fs[1].Message != "graphs" {
		t.Errorf("%+v", fs)
	}
}
