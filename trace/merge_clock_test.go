package trace

import (
	"slices"
	"testing"
)

// mergeInput is a small export: one process of pid 100 (or pid), a launch, a kernel, a memcpy,
// a memset, a push/pop range with an interned text and a start/end range with an inline text.
func mergeInput(path, host string, session, pid int64, kernel string) *Trace {
	gp := int64(0x1_000000_000000) | pid<<24
	return &Trace{
		Path: path, Host: host, SessionStartNs: session, EnumTables: true,
		Tables:    map[string]bool{"T_" + path: true},
		Notes:     []string{"note"},
		Strings:   NewStrings([]int64{3, 7, 9}, []string{"cudaLaunchKernel_v7000", kernel, "shared range"}),
		Processes: []Process{{GlobalPID: gp, PID: pid, Name: "p" + path}},
		Threads:   []Thread{{GlobalTID: gp | pid, Name: "main"}},
		GPUs:      []GPU{{ID: 0, Name: "H200"}},
		Runtime:   APICalls{Start: []int64{10}, End: []int64{20}, GlobalTID: CodesOf([]int64{gp | pid}), CorrID: CorrIDs{1}, NameID: StrIDs{3}},
		Kernels: Kernels{Start: []int64{30}, End: []int64{40}, GlobalPID: CodesOf([]int64{gp}), CorrID: CorrIDs{1}, Device: CodesOf([]int64{0}),
			Demangled: StrIDs{7}, Short: StrIDs{7}, Mangled: StrIDs{Null32}, GraphNodeID: []int64{Null}},
		Memcpy: Memcpy{Start: []int64{41}, End: []int64{45}, GlobalPID: CodesOf([]int64{gp}), CorrID: CorrIDs{2}, Device: CodesOf([]int64{0}), Bytes: []int64{64},
			CopyKind: []int64{1}, SrcKind: []int64{0}, DstKind: []int64{1}, GraphNodeID: []int64{Null}},
		Memset: Memset{Start: []int64{46}, End: []int64{48}, GlobalPID: CodesOf([]int64{gp}), CorrID: CorrIDs{3}, Device: CodesOf([]int64{0}), Bytes: []int64{8},
			MemKind: []int64{1}, GraphNodeID: []int64{Null}},
		NVTX: NVTX{Start: []int64{5, 50}, End: []int64{60, Null}, EventType: []int64{NVTXPushPopRange, NVTXStartEndRange},
			RangeID: []int64{Null, 1}, Category: []int64{Null, Null}, Color: []int64{Null, Null},
			GlobalTID: []int64{gp | pid, gp | pid}, EndGlobalTID: []int64{Null, gp | pid}, TextID: []int64{9, Null}, Text: []int32{-1, 0},
			DomainID: []int64{0, 0}, Payload: []int64{Null, Null}, Texts: []string{"inline " + path}},
	}
}

// Two windows of one host on one clock: timestamps move by the difference of the session
// starts (Null ends stay Null), strings common to both are interned once, inline NVTX texts of
// the second point past the first's, the process is listed once, windows and uncaptured time.
func TestMergeOneHostOneClock(t *testing.T) {
	a := mergeInput("a", "h", 1000, 100, "k_a")
	b := mergeInput("b", "h", 1500, 100, "k_b")
	m, err := Merge([]*Trace{a, b})
	if err != nil {
		t.Fatal(err)
	}
	if m.SessionStartNs != 1000 || m.Host != "h" || m.Path != "a+b" || len(m.Notes) != 2 || m.Notes[1] != "b: note" {
		t.Fatalf("merged header: %d %q %q %q", m.SessionStartNs, m.Host, m.Path, m.Notes)
	}
	if !m.Tables["T_a"] || !m.Tables["T_b"] || !m.EnumTables {
		t.Errorf("tables %v enum %v", m.Tables, m.EnumTables)
	}
	if !slices.Equal(m.Runtime.Start, []int64{10, 510}) || !slices.Equal(m.Kernels.End, []int64{40, 540}) ||
		!slices.Equal(m.Memcpy.Start, []int64{41, 541}) || !slices.Equal(m.Memset.End, []int64{48, 548}) ||
		!slices.Equal(m.NVTX.Start, []int64{5, 50, 505, 550}) || !slices.Equal(m.NVTX.End, []int64{60, Null, 560, Null}) {
		t.Errorf("clock: runtime %v kernels %v memcpy %v memset %v nvtx %v-%v", m.Runtime.Start, m.Kernels.End, m.Memcpy.Start,
			m.Memset.End, m.NVTX.Start, m.NVTX.End)
	}
	// one run: the same pid is one process, global ids unchanged
	if len(m.Processes) != 1 || len(m.Threads) != 1 || len(m.GPUs) != 1 || m.Kernels.GlobalPID.At(0) != m.Kernels.GlobalPID.At(1) {
		t.Errorf("one run: %v %v %v %x", m.Processes, m.Threads, m.GPUs, m.Kernels.GlobalPID)
	}
	// interning: "cudaLaunchKernel_v7000" and "shared range" once, k_a and k_b apart: 4 strings
	if m.Strings.Len() != 4 || m.Runtime.NameID[0] != m.Runtime.NameID[1] || m.NVTX.TextID[0] != m.NVTX.TextID[2] ||
		m.Kernels.Demangled[0] == m.Kernels.Demangled[1] {
		t.Errorf("interning: %d strings, names %v texts %v kernels %v", m.Strings.Len(), m.Runtime.NameID, m.NVTX.TextID, m.Kernels.Demangled)
	}
	for i, want := range []string{"shared range", "inline a", "shared range", "inline b"} {
		if got, ok := m.NVTX.Message(&m.Strings, i); !ok || got != want {
			t.Errorf("nvtx %d: %q, want %q", i, got, want)
		}
	}
	if got := m.Strings.Get(int64(m.Kernels.Short[1])); got != "k_b" || m.Kernels.Mangled[1] != Null32 {
		t.Errorf("kernel 1 short %q mangled %d", got, m.Kernels.Mangled[1])
	}
	if want := []Window{{"a", 0, 5, 60}, {"b", 500, 505, 560}}; !slices.Equal(m.Windows, want) {
		t.Errorf("windows %v, want %v", m.Windows, want)
	}
	if got := m.Uncaptured(); !slices.Equal(got, []Span{{60, 505}}) {
		t.Errorf("uncaptured %v", got)
	}
	if got := m.UncapturedIn(100, 200); got != 100 {
		t.Errorf("UncapturedIn(100, 200) = %d", got)
	}
	if got := m.UncapturedIn(0, 70); got != 10 {
		t.Errorf("UncapturedIn(0, 70) = %d", got)
	}
}

// Exports of two hosts sharing a pid: the later one's processes move to another machine part
// (PID as printed unchanged); a missing session start keeps each clock and says so.
func TestMergeTwoHostsNoClock(t *testing.T) {
	a := mergeInput("a", "h1", 1000, 100, "k_a")
	b := mergeInput("b", "h2", 0, 100, "k_b")
	c := mergeInput("c", "h2", 900, 200, "k_c")
	m, err := Merge([]*Trace{a, b, c})
	if err != nil {
		t.Fatal(err)
	}
	if m.SessionStartNs != 0 || m.Host != "" || len(m.Notes) != 4 {
		t.Fatalf("header %d %q notes %q", m.SessionStartNs, m.Host, m.Notes)
	}
	if !slices.Equal(m.Runtime.Start, []int64{10, 10, 10}) {
		t.Errorf("own clocks: %v", m.Runtime.Start)
	}
	if len(m.Processes) != 3 || m.Processes[0].GlobalPID == m.Processes[1].GlobalPID ||
		PID(m.Processes[1].GlobalPID) != 100 || m.Processes[1].GlobalPID-m.Processes[0].GlobalPID != 1<<56 {
		t.Errorf("processes %x", []int64{m.Processes[0].GlobalPID, m.Processes[1].GlobalPID})
	}
	if m.Processes[2].GlobalPID != c.Processes[0].GlobalPID || m.NVTX.EndGlobalTID[5] != c.NVTX.EndGlobalTID[1] || m.NVTX.EndGlobalTID[2] != Null {
		t.Errorf("a new pid keeps its ids: %x", m.Processes[2].GlobalPID)
	}
	if m.Kernels.GlobalPID.At(1) != m.Processes[1].GlobalPID || m.Runtime.GlobalTID.At(1) != m.Threads[1].GlobalTID {
		t.Errorf("rows follow their process: %x %x", m.Kernels.GlobalPID, m.Runtime.GlobalTID)
	}
	one, _ := Merge([]*Trace{a})
	if one != a {
		t.Error("a single trace is returned as it is")
	}
	if _, err := Merge(nil); err == nil {
		t.Error("no traces: no error")
	}
}

// A merge keeps the kernels' graph node ids of the exports that have them and gives the others'
// kernels Null; exports without a graph make no column at all.
func TestMergeGraphNodes(t *testing.T) {
	a, b := mergeInput("a", "h", 1000, 100, "k_a"), mergeInput("b", "h", 1500, 100, "k_b")
	a.Kernels.GraphNodeID, b.Kernels.GraphNodeID = nil, []int64{42}
	m, err := Merge([]*Trace{a, b})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.Kernels.GraphNodeID, []int64{Null, 42}) || m.Kernels.GraphNode(0) != Null || m.Kernels.GraphNode(1) != 42 {
		t.Errorf("graph nodes %v", m.Kernels.GraphNodeID)
	}
	b.Kernels.GraphNodeID = []int64{Null}
	if m, err = Merge([]*Trace{a, b}); err != nil || m.Kernels.GraphNodeID != nil || m.Kernels.GraphNode(1) != Null {
		t.Errorf("no graph in either export: column %v (%v)", m.Kernels.GraphNodeID, err)
	}
}
