package trace

import "testing"

func TestMergeKeepsBothCopies(t *testing.T) {
	pid := int64(0x1_000064_000000)
	mk := func(name string) *Trace {
		return &Trace{
			Path:      name,
			Strings:   NewStrings([]int64{0, 1}, []string{"cudaLaunchKernel_v7000", "k_" + name}),
			Processes: []Process{{GlobalPID: pid, PID: 100, Name: "stage0_talker"}},
			Runtime:   APICalls{Start: []int64{1}, End: []int64{3}, GlobalTID: CodesOf([]int64{pid | 100}), CorrID: CorrIDs{5}, NameID: StrIDs{0}},
			Kernels: Kernels{Start: []int64{4}, End: []int64{9}, GlobalPID: CodesOf([]int64{pid}), CorrID: CorrIDs{5}, Device: CodesOf([]int64{0}),
				Demangled: StrIDs{1}, Short: StrIDs{1}, Mangled: StrIDs{Null32}, GraphNodeID: []int64{Null}},
			NVTX: NVTX{Start: []int64{0}, End: []int64{10}, EventType: []int64{NVTXPushPopRange}, RangeID: []int64{Null}, Category: []int64{Null},
				Color: []int64{Null}, GlobalTID: []int64{pid | 100}, EndGlobalTID: []int64{Null}, TextID: []int64{Null}, Text: []int32{0},
				DomainID: []int64{0}, Payload: []int64{Null}, Texts: []string{"step " + name}},
		}
	}
	m, err := Merge([]*Trace{mk("a"), mk("b")})
	if err != nil {
		t.Fatal(err)
	}
	if m.Runtime.Len() != 2 || m.Kernels.Len() != 2 || len(m.Processes) != 2 || m.NVTX.Len() != 2 {
		t.Fatalf("rows: %d %d %d %d", m.Runtime.Len(), m.Kernels.Len(), len(m.Processes), m.NVTX.Len())
	}
	// same PID in both: the second moved to another machine part, PID unchanged
	if m.Processes[0].GlobalPID == m.Processes[1].GlobalPID || PID(m.Processes[1].GlobalPID) != 100 {
		t.Errorf("processes %x %x", m.Processes[0].GlobalPID, m.Processes[1].GlobalPID)
	}
	// names re-interned; each kernel still finds its own launch
	if m.Strings.Get(int64(m.Kernels.Demangled[1])) != "k_b" || m.Strings.Get(int64(m.Runtime.NameID[1])) != "cudaLaunchKernel_v7000" {
		t.Errorf("strings %q %q", m.Strings.Get(int64(m.Kernels.Demangled[1])), m.Strings.Get(int64(m.Runtime.NameID[1])))
	}
	if c := m.Calls().Call(m.Kernels.GlobalPID.At(1), 5); c != 1 {
		t.Errorf("call of the second kernel: %d", c)
	}
	if msg, _ := m.NVTX.Message(&m.Strings, 1); msg != "step b" {
		t.Errorf("nvtx text %q", msg)
	}
}
