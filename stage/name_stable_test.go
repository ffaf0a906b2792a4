package stage

import (
	"slices"
	"testing"
)

// A stage without a role that no other roleless stage needs telling apart from is named by its
// process, the same in every capture window whatever ranges fall in it: python3 workers with
// PyTorch's per-op ranges are "python" (not "item," in one window and "einsum," in another), an
// MPI rank started by nsys-launcher is named by its main thread ("MPI Rank 3" → mpi), not by its
// top range ("Jacobi solve" in the whole trace, "MPI" in a window without the solve range).
func TestLoneStageNamedByItsProcess(t *testing.T) {
	for _, c := range []struct {
		title, thread string
		windows       [][]string // each window's ranges, the first with the most time
		want, from    string
	}{
		{"python3", "python3", [][]string{{"aten::item, op_id = 7", "aten::einsum, op_id = 9"}, {"aten::is_nonzero, op_id = 3"}, {"aten::einsum, op_id = 12", "aten::bmm, op_id = 13"}}, "python", "title"},
		{"nsys-launcher", "MPI Rank 3", [][]string{{"Jacobi solve", "MPI"}, {"MPI"}}, "mpi", "main thread"},
		{"./build/bin/jacobi_cuda", "jacobi_cuda", [][]string{{"Jacobi solve"}, {}}, "jacobi_cuda", "title"},
	} {
		for w, ranges := range c.windows {
			s := newSynth()
			s.proc(10, c.title, c.thread)
			for i, r := range ranges {
				s.rng(10, 0, r, int64(100*i), int64(1000-100*i))
			}
			s.kernel(10, 0, "void jacobi_kernel<float>()", 50, 10, 0)
			s.proc(20, "stage1_vocoder", "python3") // a stage with a role beside it changes nothing
			s.kernel(20, 0, "void conv_kernel<float>()", 60, 10, 0)
			a := Assign(s.done(), nil)
			if got := stageKeys(a); !slices.Equal(got, []string{"vocoder(20)", c.want + "(10)"}) && !slices.Equal(got, []string{c.want + "(10)", "vocoder(20)"}) {
				t.Errorf("%s/%s window %d (ranges %q): stages %q, want %s", c.title, c.thread, w, ranges, got, c.want)
			}
			for _, e := range a.Explained {
				if e.PID == 10 && e.NamedBy != c.from {
					t.Errorf("%s: named by %q, want %q", c.title, e.NamedBy, c.from)
				}
			}
		}
	}
}

// Stages that must be told apart by their ranges are never named after a framework op's range
// ("aten::item, op_id = N": they fall to their kernels), and a range name loses the punctuation
// at its ends ("warmup," → warmup).
func TestRangeNamesAreNotPerOp(t *testing.T) {
	s := newSynth()
	s.proc(10, "python3", "python3")
	s.proc(20, "python3", "python3")
	for i := int64(0); i < 3; i++ {
		s.rng(10, 0, "aten::item, op_id = 5", 1000*i, 500)
		s.rng(10, 0, "step", 1000*i, 600)
		s.kernel(10, 0, "void ampere_sgemm_kernel<float>()", 1000*i+10, 300, 0)
		s.rng(20, 0, "warmup,", 1000*i+50, 700)
		s.rng(20, 0, "step", 1000*i+50, 600)
		s.kernel(20, 0, "void cudnn::conv2d_fprop_kernel<float>()", 1000*i+60, 200, 1)
	}
	a := Assign(s.done(), nil)
	if got, want := stageKeys(a), []string{"gemm(10)", "warmup(20)"}; !slices.Equal(got, want) {
		t.Errorf("stages %q, want %q", got, want)
	}
}

func TestProcessNameAndRangeWords(t *testing.T) {
	for _, c := range [][4]string{
		{"python3", "python3", "python", "title"},
		{"python3.11", "", "python", "title"},
		{"nsys-launcher", "MPI Rank 3", "mpi", "main thread"},
		{"mpirun", "rank-2", "", ""}, // nothing but a decoration
		{"", "tts_worker_7", "tts", "main thread"},
		{"bash", "bash", "", ""},
		{"ray::IDLE", "", "idle", "title"},
		{"123", "", "", ""},
	} {
		if n, from := processName(c[0], c[1]); n != c[2] || from != c[3] {
			t.Errorf("processName(%q, %q) = %q, %q; want %q, %q", c[0], c[1], n, from, c[2], c[3])
		}
	}
	for r, want := range map[string]bool{
		"aten::item, op_id = 12": true, "aten::linear": true, "conv1, seq = 4": true, "op_id 3": true,
		"Jacobi solve": false, "talker.decode_step": false, "execute_context_1(5)_generation_0(0)": false, "MPI": false,
	} {
		if perOpRange(r) != want {
			t.Errorf("perOpRange(%q) = %v", r, !want)
		}
	}
	for in, want := range map[string]string{"item,": "item", "(x)": "x", " a ": "a", "a.b": "a.b", ",;": "", "décode:": "décode"} {
		if got := tidyName(in); got != want {
			t.Errorf("tidyName(%q) = %q, want %q", in, got, want)
		}
	}
}

// Processes of two hosts of a merged trace may share a PID: Active orders them by their whole
// id after the PID, so the stages found, their names and their replicas' order do not change
// from run to run with the order of a map.
func TestActiveOrdersSharedPIDs(t *testing.T) {
	tr := newSynth().tr
	pid := int64(42) << 24
	hosts := []int64{3 << 56, 0, 1 << 56, 2 << 56}
	for i, h := range hosts {
		tr.Kernels.Start, tr.Kernels.End = append(tr.Kernels.Start, int64(i)), append(tr.Kernels.End, int64(i+1))
		tr.Kernels.GlobalPID = tr.Kernels.GlobalPID.Append(h | pid)
		tr.Kernels.Device = tr.Kernels.Device.Append(0)
	}
	want := []int64{pid, 1<<56 | pid, 2<<56 | pid, 3<<56 | pid}
	for range 20 { // a map's order changes from one iteration to the next
		if got := Active(tr); !slices.Equal(got, want) {
			t.Fatalf("Active = %x, want %x", got, want)
		}
	}
}
