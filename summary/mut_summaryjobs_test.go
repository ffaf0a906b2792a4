package summary

import (
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/trace"
)

func tableNames(ts []*table.Table) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Name)
	}
	return out
}

func hasTable(ts []*table.Table, name string) *table.Table {
	for _, t := range ts {
		if t.Name == name {
			return t
		}
	}
	return nil
}

func buildSynth(t *testing.T, tr *trace.Trace) *Summary {
	t.Helper()
	sum, err := Build(tr, stage.Assign(tr, nil), Options{Findings: DefaultFindingOptions})
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func stageNamed(t *testing.T, s *Summary, key string) StageSummary {
	t.Helper()
	for _, st := range s.Stages {
		if st.Stage == key {
			return st
		}
	}
	t.Fatalf("no stage %q in %v", key, s.Stages)
	return StageSummary{}
}

// A stage's section: the stage with NVTX ranges (four "step" ranges, each around a kernel
// launch) has its steps, its top range and its NVTX table; the stage without ranges, in the
// same trace, has none of them, and its tables are the ones it has rows for, each titled with
// its stage. The same on one CPU and on all of them (the jobs only split the work).
func TestMutStageSections(t *testing.T) {
	s := newSynth()
	s.proc(10, "alpha")
	s.proc(20, "beta")
	for i := range int64(4) {
		at := 1_000_000 + i*10_000
		s.rng(10, "step", at, 500)
		s.kernel(10, "ka", at+100, 100, 0)
		s.kernel(20, "kb", at+5000, 100, 1)
	}
	tr := s.done()
	for _, procs := range []int{1, runtime.GOMAXPROCS(0)} {
		old := runtime.GOMAXPROCS(procs)
		sum := buildSynth(t, tr)
		runtime.GOMAXPROCS(old)
		if len(sum.Stages) != 2 {
			t.Fatalf("stages %+v", sum.Stages)
		}
		a, b := stageNamed(t, sum, "alpha"), stageNamed(t, sum, "beta")
		if a.Steps == nil || a.Steps.Count != 4 || hasTable(a.Tables, "stage_steps") == nil {
			t.Errorf("alpha: steps %+v, tables %v", a.Steps, tableNames(a.Tables))
		}
		if !strings.HasSuffix(a.TopRange, "step") {
			t.Errorf("alpha: top range %q, want its only range, step", a.TopRange)
		}
		if nv := hasTable(a.Tables, "nvtx_sum"); nv == nil || !strings.HasPrefix(nv.Title, "alpha: ") {
			t.Errorf("alpha: no NVTX table titled for the stage in %v", tableNames(a.Tables))
		}
		if b.Steps != nil || hasTable(b.Tables, "stage_steps") != nil || b.TopRange != "" {
			t.Errorf("beta: steps %+v, top range %q, tables %v", b.Steps, b.TopRange, tableNames(b.Tables))
		}
		for _, st := range []StageSummary{a, b} {
			k := hasTable(st.Tables, "cuda_gpu_kern_sum")
			if k == nil || len(k.Rows) != 1 || !strings.HasPrefix(k.Title, st.Stage+": ") {
				t.Errorf("%s: kernel table %+v in %v", st.Stage, k, tableNames(st.Tables))
			}
			if hasTable(st.Tables, "stage_replicas") != nil {
				t.Errorf("%s: a replica table for one process", st.Stage)
			}
		}
	}
}

// A trace without NVTX: no step range, no top range, no NVTX table.
func TestMutStageSectionWithoutNVTX(t *testing.T) {
	s := newSynth()
	s.proc(10, "alpha")
	s.kernel(10, "ka", 1000, 100, 0)
	s.kernel(10, "ka", 2000, 100, 0)
	sum := buildSynth(t, s.done())
	if len(sum.Stages) != 1 {
		t.Fatalf("stages %+v", sum.Stages)
	}
	st := sum.Stages[0]
	if st.Steps != nil || st.TopRange != "" || hasTable(st.Tables, "nvtx_sum") != nil || hasTable(st.Tables, "stage_steps") != nil {
		t.Errorf("steps %+v, top range %q, tables %v", st.Steps, st.TopRange, tableNames(st.Tables))
	}
	if hasTable(st.Tables, "cuda_gpu_kern_sum") == nil {
		t.Errorf("no kernel table in %v", tableNames(st.Tables))
	}
}

// Two processes of one stage of which only one has CUDA work: one replica, so no replica table
// (and no replica finding).
func TestMutOneReplicaNoTable(t *testing.T) {
	s := newSynth()
	s.proc(10, "worker")
	s.proc(20, "worker")
	for i := range int64(4) {
		at := 1_000_000 + i*10_000
		s.rng(10, "step_"+strconv.FormatInt(i, 10), at, 500)
		s.kernel(10, "ka", at+100, 100, 0)
		s.rng(20, "step_"+strconv.FormatInt(i, 10), at, 500)
	}
	sum := buildSynth(t, s.done())
	if len(sum.Stages) != 1 || len(sum.Stages[0].PIDs) != 2 {
		t.Fatalf("stages %+v: want one stage of two processes", sum.Stages)
	}
	st := sum.Stages[0]
	if hasTable(st.Tables, "stage_replicas") != nil {
		t.Errorf("a replica table for one replica with work: %v", tableNames(st.Tables))
	}
	for _, f := range st.Findings {
		if strings.HasPrefix(f.ID, "replica_") {
			t.Errorf("finding %+v", f)
		}
	}
}

// The Steps table's note names the warm-up rule only when there are warm-up steps.
func TestMutStepsTableWarmupNote(t *testing.T) {
	for _, w := range []int{0, 1, 2} {
		tb := stepsTable("s", Steps{Range: ":step", Style: "PushPop", Count: 8, Warmup: w})
		note := strings.Join(tb.Notes, " ")
		if got := strings.Contains(note, "warm-up: leading steps over 5× the median"); got != (w > 0) {
			t.Errorf("%d warm-up steps: notes %q", w, tb.Notes)
		}
		if n := tb.Rows[0][tb.Col("Warm-up Steps")].I; n != int64(w) {
			t.Errorf("%d warm-up steps: column %d", w, n)
		}
	}
}
