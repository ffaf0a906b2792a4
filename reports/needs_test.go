package reports

import (
	"testing"

	"github.com/omnistat/omnistat/trace"
)

// TestGPUTraceNeeds: cuda_gpu_trace reads NVTX ranges (and the API calls they are projected
// through) only with :nvtx-name.
func TestGPUTraceNeeds(t *testing.T) {
	r, _, err := Lookup("cuda_gpu_trace")
	if err != nil {
		t.Fatal(err)
	}
	if r.Needs&(trace.NVTXTable|trace.RuntimeTable) != 0 || r.Needs&trace.KernelTable == 0 {
		t.Errorf("cuda_gpu_trace needs %b: NVTX or API calls without nvtx-name", r.Needs)
	}
	r, _, err = Lookup("cuda_gpu_trace:nvtx-name")
	if err != nil {
		t.Fatal(err)
	}
	if r.Needs&trace.NVTXTable == 0 || r.Needs&trace.RuntimeTable == 0 {
		t.Errorf("cuda_gpu_trace:nvtx-name needs %b: no NVTX or API calls", r.Needs)
	}
}
