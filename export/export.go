// Package export writes a trace's events as Parquet files with their stage, replica, process,
// thread, device and step (omnistat export --format parquet), so that DuckDB, Spark or Trino
// compute the per-stage summaries over many exports at once (the SQL is docs/export.sql). Rows
// go to the stage summarize gives them (stage.Group: GPU work with the thread that launched
// it); every number is the model's own, unrounded. It writes to the writers it is given and
// refuses to name or open files (cmd/omnistat does, through internal/safefs).
package export

import (
	"fmt"
	"io"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"

	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/trace"
)

// rowGroup is the most rows per Parquet row group (and so what a writer holds in memory).
const rowGroup = 1 << 20

// batch is how many rows are handed to a Parquet writer at once.
const batch = 4096

// zstdFastest compresses the columns: at zstd's fastest level the files are a few percent larger
// than at its default and the export takes a third less time.
var zstdFastest = zstd.Codec{Level: zstd.SpeedFastest}

// table buffers rows of one file and writes them in batches.
type table[T any] struct {
	w   *parquet.GenericWriter[T]
	buf []T
	err error
}

func newTable[T any](w io.Writer) *table[T] {
	return &table[T]{w: parquet.NewGenericWriter[T](w, parquet.Compression(&zstdFastest),
		parquet.MaxRowsPerRowGroup(rowGroup), parquet.CreatedBy("omnistat", "", "")), buf: make([]T, 0, batch)}
}

func (t *table[T]) add(r T) {
	t.buf = append(t.buf, r)
	if len(t.buf) == batch {
		t.flush()
	}
}

func (t *table[T]) flush() {
	if t.err == nil && len(t.buf) > 0 {
		_, t.err = t.w.Write(t.buf)
	}
	clear(t.buf)
	t.buf = t.buf[:0]
}

func (t *table[T]) close() error {
	t.flush()
	if err := t.w.Close(); t.err == nil {
		t.err = err
	}
	return t.err
}

// Write writes tr's files (Files) to out(name), with the stages of a; file is the value of every
// row's file column (the input's path). The trace's rows are reordered stage by stage (their order
// carries no meaning in the model), as summary.Build does.
func Write(tr *trace.Trace, a *stage.Assignment, file string, out func(name string) io.Writer) error {
	tr.Launches() // found once, shared by the stages' subsets
	g, err := stage.GroupContiguous(tr, a)
	if err != nil {
		return err
	}
	w := &writer{tr: tr, a: a, file: file, nvtxNames: map[nvtxKey]nvtxName{},
		stages: newTable[Stage](out("stages.parquet")), steps: newTable[Step](out("steps.parquet")),
		kernels: newTable[Kernel](out("kernels.parquet")), api: newTable[API](out("api.parquet")),
		memops: newTable[MemOp](out("memops.parquet")), nvtx: newTable[Range](out("nvtx.parquet"))}
	first, last := int64(1<<63-1), int64(-1<<63)
	type stageRows struct {
		label string
		sub   *trace.Trace
		steps *stepIndex
	}
	var all []stageRows
	for i, label := range g.Labels {
		sub := tr.Subset(g.Keep[i])
		sub.Launches()
		steps := &stepIndex{}
		if label != stage.Other {
			steps = stepsOf(sub)
		}
		all = append(all, stageRows{label, sub, steps})
		f, l := w.events(label, sub, steps)
		first, last = min(first, f), max(last, l)
	}
	if last < first {
		first, last = 0, 0
	}
	for i, st := range a.Stages {
		w.stageRows(i, st, all[i].steps, first, last)
	}
	var errs []error
	for _, c := range []interface{ close() error }{w.stages, w.steps, w.kernels, w.api, w.memops, w.nvtx} {
		if err := c.close(); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("write parquet: %w", errs[0])
	}
	return nil
}

// writer is one trace's export while it is written.
type writer struct {
	tr        *trace.Trace
	a         *stage.Assignment
	file      string
	nvtxNames map[nvtxKey]nvtxName
	stages    *table[Stage]
	steps     *table[Step]
	kernels   *table[Kernel]
	api       *table[API]
	memops    *table[MemOp]
	nvtx      *table[Range]
}

// cursor is what one goroutine writing rows keeps: the backing store of nullable columns'
// values, and the last process looked up (rows come in runs of one process).
type cursor struct {
	w           *writer
	ints        []int64
	small       []int32
	lastProc    int64
	lastReplica int32
	lastSet     bool
	stepProc    int64
	steps       *procSteps
}

// i64 and i32 return pointers to v for nullable columns without an allocation per row (i32
// gives nil for a negative v).
func (c *cursor) i64(v int64) *int64 {
	if len(c.ints) == cap(c.ints) {
		c.ints = make([]int64, 0, 4*batch)
	}
	c.ints = append(c.ints, v)
	return &c.ints[len(c.ints)-1]
}

func (c *cursor) i32(v int32) *int32 {
	if v < 0 {
		return nil
	}
	if len(c.small) == cap(c.small) {
		c.small = make([]int32, 0, 4*batch)
	}
	c.small = append(c.small, v)
	return &c.small[len(c.small)-1]
}

// corr is a correlation id for its nullable column: nil for a NULL id (trace.Null32).
func (c *cursor) corr(v int32) *int64 {
	if v == trace.Null32 {
		return nil
	}
	return c.i64(int64(v))
}

// replica is the replica number of a process in its stage, or nil.
func (c *cursor) replica(gpid int64) *int32 {
	if gpid != c.lastProc || !c.lastSet {
		c.lastProc, c.lastReplica, c.lastSet = gpid, int32(c.w.a.Replica(gpid)), true
		c.steps = nil
	}
	return c.i32(c.lastReplica)
}

// step is the step of x that process proc is in at time t, or nil.
func (c *cursor) step(x *stepIndex, proc, t int64) *int32 {
	if len(x.steps) == 0 {
		return nil
	}
	if c.steps == nil || c.stepProc != proc {
		c.stepProc, c.steps = proc, x.byProc[proc]
		if c.steps == nil {
			c.steps = &procSteps{}
		}
	}
	return c.i32(x.at(c.steps, t))
}

func str(s string) *string { return &s }

// stageRows writes stage i's rows of stages.parquet and its steps.
func (w *writer) stageRows(i int, st stage.Stage, x *stepIndex, first, last int64) {
	c := &cursor{w: w}
	procs := map[int64]string{}
	for _, p := range w.tr.Processes {
		procs[p.GlobalPID] = p.Name
	}
	row := Stage{File: w.file, NsysVersion: w.tr.Product, Host: w.tr.Host, SessionStartNs: w.tr.SessionStartNs,
		WindowStart: first, WindowEnd: last, Stage: st.Key, StageIndex: int32(i), FoundBy: st.Source,
		Replicas: int32(len(st.Procs)), Steps: int32(len(x.steps)), WarmupSteps: int32(x.warmup)}
	if x.rangeName != "" {
		row.StepRange = str(x.rangeName)
	}
	if len(st.Procs) == 0 {
		w.stages.add(row)
	}
	for r, p := range st.Procs {
		row.Replica, row.PID, row.Process = c.i32(int32(r)), c.i64(trace.PID(p)), str(procs[p])
		w.stages.add(row)
	}
	for k, in := range x.steps {
		s := Step{File: w.file, Stage: st.Key, Replica: c.replica(in.proc), PID: trace.PID(in.proc), TID: trace.TID(in.tid),
			Step: int32(k), Start: in.start, End: in.end, Duration: in.end - in.start, Warmup: k < x.warmup}
		s.Name = x.names[k]
		if x.phased {
			p := in.prefill
			s.Prefill = &p
		}
		w.steps.add(s)
	}
}
