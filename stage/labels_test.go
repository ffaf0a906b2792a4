package stage

import (
	"slices"
	"testing"

	"github.com/omnistat/omnistat/trace"
)

// Two processes of two machines (a merged trace of two hosts) with the same name and PID are two
// groups by process and by thread, their labels naming the machine; a PID alone on its machine
// keeps the plain label.
func TestGroupLabelsTellMachinesApart(t *testing.T) {
	pid, other := int64(42)<<24, int64(43)<<24
	host2 := int64(1) << 56
	tr := &trace.Trace{Strings: trace.NewStrings(nil, nil),
		Processes: []trace.Process{{GlobalPID: pid, PID: 42, Name: "worker"}, {GlobalPID: host2 | pid, PID: 42, Name: "worker"},
			{GlobalPID: other, PID: 43, Name: "worker"}},
		Threads: []trace.Thread{{GlobalTID: pid | 42, Name: "main"}, {GlobalTID: host2 | pid | 42, Name: "main"}, {GlobalTID: other | 43, Name: "main"}}}
	a := &tr.Runtime
	for i, g := range []int64{pid | 42, host2 | pid | 42, other | 43} {
		a.Start, a.End = append(a.Start, int64(i)), append(a.End, int64(i+1))
		a.GlobalTID = a.GlobalTID.Append(g)
		a.CorrID, a.NameID = append(a.CorrID, int32(i+1)), append(a.NameID, trace.Null32)
	}
	for by, want := range map[By][]string{
		ByProcess: {"worker (42, machine 1)", "worker (42, machine 2)", "worker (43)"},
		ByThread:  {"main (42/42, machine 1)", "main (42/42, machine 2)", "main (43/43)"},
	} {
		g, err := Group(tr, by, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := slices.Sorted(slices.Values(g.Labels)); !slices.Equal(got, want) {
			t.Errorf("by %s: groups %q, want %q", by, got, want)
		}
	}
}
