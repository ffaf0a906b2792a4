package summary

import (
	"slices"
	"strconv"
	"testing"

	"github.com/omnistat/omnistat/trace"
)

// nvtxEvent appends an NVTX event of type typ on thread gtid in domain dom.
func (s *synth) nvtxEvent(typ, gtid, dom int64, name string, start, end int64) {
	n, null := &s.tr.NVTX, trace.Null
	n.Start, n.End, n.EventType = append(n.Start, start), append(n.End, end), append(n.EventType, typ)
	n.GlobalTID, n.EndGlobalTID = append(n.GlobalTID, gtid), append(n.EndGlobalTID, null)
	n.RangeID, n.Category, n.Color = append(n.RangeID, null), append(n.Category, null), append(n.Color, null)
	n.TextID, n.Text, n.DomainID, n.Payload = append(n.TextID, s.str(name)), append(n.Text, -1), append(n.DomainID, dom), append(n.Payload, null)
}

// steps adds n ranges of family name on pid's main thread, 1,000 ns apart from at, the first
// driving of them each launching a kernel inside it.
func (s *synth) steps(pid int64, name string, at int64, n, driving int) {
	for i := range n {
		t := at + int64(i)*1000
		s.rng(pid, name+"_"+strconv.Itoa(i), t, 500)
		if i < driving {
			s.kernel(pid, "void k()", t+100, 50, 0)
		}
	}
}

// The step family counts the families that drive GPU work in at least half of their instances
// (exactly half is enough, one under it is not), the most instances winning, ties to the
// smaller name, 2 instances at least; map order must not matter, so each case runs 30 times.
func TestMutStepFamilyRule(t *testing.T) {
	for _, c := range []struct {
		name string
		add  func(s *synth)
		fam  string
		n    int64
	}{
		{"exactly half", func(s *synth) { s.steps(10, "step", 0, 4, 2); s.steps(10, "other", 100_000, 3, 3) }, "step_N", 4},
		{"under half", func(s *synth) { s.steps(10, "step", 0, 5, 2); s.steps(10, "other", 100_000, 3, 3) }, "other_N", 3},
		{"tie", func(s *synth) { s.steps(10, "bb", 0, 3, 3); s.steps(10, "aa", 100_000, 3, 3) }, "aa_N", 3},
		{"more beats the name", func(s *synth) {
			s.steps(10, "aa", 0, 3, 3)
			s.steps(10, "zz", 100_000, 4, 4)
			s.steps(10, "mm", 200_000, 2, 2)
		}, "zz_N", 4},
		{"two instances", func(s *synth) { s.steps(10, "step", 0, 2, 2) }, "step_N", 2},
		{"one instance", func(s *synth) { s.steps(10, "step", 0, 1, 1) }, "", 0},
	} {
		s := newSynth()
		s.proc(10, "python3")
		c.add(s)
		tr := s.done()
		for range 30 {
			if f, n := StepFamily(tr); f != c.fam || n != c.n {
				t.Errorf("%s: StepFamily = %q (%d), want %q (%d)", c.name, f, n, c.fam, c.n)
				break
			}
		}
	}
}

// A call that starts exactly at the range's end is inside it (the range's end is inclusive, as
// the brute force of TestStepFamilyInPartsEqualsBruteForce counts); one a ns later is not.
func TestMutStepFamilyCallAtRangeEnd(t *testing.T) {
	for _, c := range []struct {
		after int64 // the launch call's start after the range's end
		fam   string
	}{{0, "step_N"}, {1, ""}} {
		s := newSynth()
		s.proc(10, "python3")
		for i := range int64(3) {
			at := i * 1000
			s.rng(10, "step_"+strconv.FormatInt(i, 10), at, 500)
			s.kernel(10, "void k()", at+500+c.after+5, 50, 0) // its call starts 5 ns before it
		}
		if f, _ := StepFamily(s.done()); f != c.fam {
			t.Errorf("call %d ns after the range's end: %q, want %q", c.after, f, c.fam)
		}
	}
}

// Ranges of nsys's MPI domain (created by a domain-create event named "MPI") are no steps,
// even when they drive GPU work and outnumber the step ranges.
func TestMutStepFamilySkipsMPIDomain(t *testing.T) {
	s := newSynth()
	s.proc(10, "python3")
	g := synthGPID(10) | 10
	s.nvtxEvent(trace.NVTXDomainCreate, g, 1, "MPI", 0, trace.Null)
	for i := range int64(6) {
		at := 10_000 + i*1000
		s.nvtxEvent(trace.NVTXPushPopRange, g, 1, "MPI_Sendrecv", at, at+500)
		s.kernel(10, "void halo()", at+100, 50, 0)
	}
	s.steps(10, "step", 100_000, 3, 3)
	if f, n := StepFamily(s.done()); f != "step_N" || n != 3 {
		t.Errorf("StepFamily = %q (%d), want step_N (3): the MPI domain's ranges are not steps", f, n)
	}
}

// LaunchedGPUWork marks exactly the calls a kernel joins (by process and correlation id), the
// first row included.
func TestMutLaunchedGPUWorkFirstRow(t *testing.T) {
	s := newSynth()
	s.proc(10, "python3")
	s.kernel(10, "void k()", 100, 10, 0) // row 0 launches
	s.call(10, "cudaMalloc_v3020", 200, 10)
	s.kernel(10, "void k()", 300, 10, 0) // row 2 launches
	tr := s.done()
	if got, want := LaunchedGPUWork(tr), []bool{true, false, true}; !slices.Equal(got, want) {
		t.Errorf("launched %v, want %v", got, want)
	}
}

// Rows whose thread nsys left out (globalTid null) are one thread like any other: its ranges
// drive GPU work through its calls, the first row of the calls included. Two ranges, the first
// around the one call (row 0), which launched a kernel: half of them drive GPU work.
func TestMutStepFamilyNullThread(t *testing.T) {
	s := newSynth()
	null := trace.Null
	s.nvtxEvent(trace.NVTXPushPopRange, null, 0, "step_0", 1000, 1500)
	s.nvtxEvent(trace.NVTXPushPopRange, null, 0, "step_1", 2000, 2500)
	s.corr++
	r := &s.tr.Runtime
	r.Start, r.End, r.GlobalTID, r.CorrID, r.NameID = append(r.Start, 1010), append(r.End, 1020), r.GlobalTID.Append(null), append(r.CorrID, int32(s.corr)), append(r.NameID, int32(s.str("cudaLaunchKernel")))
	k := &s.tr.Kernels
	k.Start, k.End, k.GlobalPID, k.CorrID, k.Device = append(k.Start, 1030), append(k.End, 1040), k.GlobalPID.Append(trace.ProcessOf(null)), append(k.CorrID, int32(s.corr)), k.Device.Append(0)
	tr := s.done()
	if l := LaunchedGPUWork(tr); !slices.Equal(l, []bool{true}) {
		t.Fatalf("launched %v", l)
	}
	if f, n := StepFamily(tr); f != "step_N" || n != 2 {
		t.Errorf("StepFamily = %q (%d), want step_N (2)", f, n)
	}
}
