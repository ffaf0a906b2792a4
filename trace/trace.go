// Package trace is omnistat's typed, immutable model of one nsys export: processes, threads,
// CUDA API calls, GPU kernels, memory operations, NVTX events, OS runtime calls and GPUs.
//
// Hot tables are columnar (parallel slices indexed by row), so millions of rows cost a few
// slices, not millions of structs. It owns the interval algebra on GPU time (spans.go: unions,
// gaps, intersections, busy time per device) and row groupings (grouping.go, made by package
// stage). The package knows nothing about SQLite or nsys report semantics: it refuses to read
// files (see package sqlite) and to compute report statistics (see reports).
package trace

import "sort"

// Null marks a missing integer value (an SQL NULL) in the columnar slices.
const Null int64 = -1 << 63

// Null32 marks a missing value (an SQL NULL) in the 32-bit id columns (StrIDs, CorrIDs).
const Null32 int32 = -1 << 31

// StrIDs is a column of StringIds ids, 32 bits each: nsys numbers its strings from 0, so the ids
// of any export fit; a reader refuses an id outside [-2³¹+1, 2³¹-1] (see package sqlite).
type StrIDs = []int32

// Wide is a 32-bit id as the export holds it: Null32 is Null.
func Wide(v int32) int64 {
	if v == Null32 {
		return Null
	}
	return int64(v)
}

// CorrIDs is a column of correlation ids, 32 bits each: CUPTI numbers the calls of a process
// from 1, so a capture would need two billion calls to pass 2³¹-1; a reader refuses such an id
// as it refuses a wide string id.
type CorrIDs = []int32

// Trace is everything omnistat reads from one nsys export.
type Trace struct {
	Path    string // the file it was read from
	Product string // nsys version that exported it, e.g. "2025.3.1.90"; "" when unknown
	Schema  string // export schema version, e.g. "3.25.0"; "" when the file has none
	// SessionStartNs is the wall clock (ns since the Unix epoch) of the capture session's start,
	// which the event timestamps count from; 0 when the export does not say.
	SessionStartNs int64
	// Host is the captured machine's host name; "" when the export does not say.
	Host string
	// Windows are the exports a merged trace was made of, in order, with where each one's clock
	// starts on the merged clock; nil for a trace read from one file.
	Windows []Window

	Strings   Strings
	Processes []Process
	Threads   []Thread
	GPUs      []GPU

	Runtime APICalls // CUPTI_ACTIVITY_KIND_RUNTIME: CUDA runtime and driver calls
	OSRT    APICalls // OSRT_API
	Kernels Kernels
	Memcpy  Memcpy
	Memset  Memset
	NVTX    NVTX
	// Overhead is PROFILER_OVERHEAD (read with OverheadTable).
	Overhead Overhead

	// MemcpyKinds and MemKinds label copyKind and memory-kind codes (ENUM tables, or built-in
	// labels for exports that predate them).
	MemcpyKinds map[int64]string
	MemKinds    map[int64]string
	// EnumTables says whether the export carried ENUM_CUDA_MEMCPY_OPER (nsys 2023.3+).
	EnumTables bool

	// Tables lists the tables present in the export, by name.
	Tables map[string]bool
	// Columns lists the columns of each table present in the export: Columns[table][column].
	Columns map[string]map[string]bool
	// Notes are warnings about the input (missing tables, odd rows): values, not errors.
	Notes []string
	// Unfiltered is the whole trace a time or NVTX filter cut this one from (see Filtered), for
	// the reads nsys makes of its unfiltered tables (main.X); nil when t is not filtered.
	Unfiltered *Trace

	calls  *CallIndex // see Calls
	launch *Launches  // see Launches
}

// Has reports whether the export holds a table of that name.
func (t *Trace) Has(table string) bool { return t.Tables[table] }

// HasColumn reports whether the export's table holds a column of that name.
func (t *Trace) HasColumn(table, col string) bool { return t.Columns[table][col] }

// Process is one row of PROCESSES.
type Process struct {
	GlobalPID int64
	PID       int64
	Name      string
}

// Thread is one row of ThreadNames.
type Thread struct {
	GlobalTID int64
	Name      string
	Priority  int64
}

// GPU is one row of TARGET_INFO_GPU.
type GPU struct {
	ID          int64
	Name        string
	BusLocation string
	SMCount     int64
	TotalMemory int64
}

// APICalls holds CPU-side API calls (CUDA runtime/driver, OS runtime), one index per call.
type APICalls struct {
	Start, End  []int64
	GlobalTID   Codes
	CorrID      CorrIDs
	NameID      StrIDs
	EventClass  []int64 // read for OS runtime calls only
	ReturnValue []int64 // not read (nil) until a report needs it
}

// Len is the number of calls.
func (a *APICalls) Len() int { return len(a.Start) }

// Kernels holds CUPTI_ACTIVITY_KIND_KERNEL rows.
type Kernels struct {
	Start, End       []int64
	GlobalPID        Codes
	CorrID           CorrIDs
	Device           Codes
	Context          []int64
	Stream           []int64
	Demangled, Short StrIDs // StringIds ids
	Mangled          StrIDs // StringIds id or Null32; nil unless read (sqlite.Options.Mangled)
	// Stream and the launch geometry are not read (nil) until a report needs them.
	GridX, GridY, GridZ []int64
	BlockX, BlockY      []int64
	BlockZ              []int64
	// GraphNodeID is Null for a kernel not launched from a graph; the column is nil when no
	// kernel was (read it through GraphNode)
	GraphNodeID []int64
	// Registers (per thread), StaticSMem and DynamicSMem (shared memory bytes) and GreenContext
	// (greenContextId) are read only for the trace reports (sqlite.Options.Trace); Null when absent.
	Registers, StaticSMem []int64
	DynamicSMem           []int64
	GreenContext          []int64
}

// Len is the number of kernels.
func (k *Kernels) Len() int { return len(k.Start) }

// GraphNode is kernel i's graph node id: Null when it was not launched from a graph.
func (k *Kernels) GraphNode(i int) int64 {
	if k.GraphNodeID == nil {
		return Null
	}
	return k.GraphNodeID[i]
}

// NilIfAllNull is c, or nil when every value of c is Null (a column no row fills: 8 bytes a
// row saved).
func NilIfAllNull(c []int64) []int64 {
	for _, v := range c {
		if v != Null {
			return c
		}
	}
	return nil
}

// Memcpy holds CUPTI_ACTIVITY_KIND_MEMCPY rows.
type Memcpy struct {
	Start, End       []int64
	GlobalPID        Codes
	CorrID           CorrIDs
	Device           Codes
	Context          []int64
	Stream           []int64
	Bytes            []int64
	CopyKind         []int64
	SrcKind, DstKind []int64 // memory kinds, Null when absent
	GraphNodeID      []int64
	// SrcDevice, DstDevice and GreenContext (srcDeviceId, dstDeviceId, greenContextId) are
	// Null when absent; Context and Stream likewise.
	SrcDevice, DstDevice []int64
	GreenContext         []int64
}

// Len is the number of copies.
func (m *Memcpy) Len() int { return len(m.Start) }

// Memset holds CUPTI_ACTIVITY_KIND_MEMSET rows.
type Memset struct {
	Start, End   []int64
	GlobalPID    Codes
	CorrID       CorrIDs
	Device       Codes
	Context      []int64
	Stream       []int64
	Bytes        []int64
	MemKind      []int64
	GraphNodeID  []int64
	GreenContext []int64 // greenContextId, Null when absent
}

// Overhead holds PROFILER_OVERHEAD rows: time the profiler itself took.
type Overhead struct {
	Start, End []int64
	GlobalTID  []int64
	NameID     StrIDs
}

// Len is the number of overhead rows.
func (o *Overhead) Len() int { return len(o.Start) }

// Len is the number of memsets.
func (m *Memset) Len() int { return len(m.Start) }

// Tables is a set of the event-table families a reader fills.
type Tables uint8

// Event-table families.
const (
	RuntimeTable Tables = 1 << iota
	OSRTTable
	KernelTable
	MemcpyTable
	MemsetTable
	NVTXTable
	OverheadTable // PROFILER_OVERHEAD

	AllTables = RuntimeTable | OSRTTable | KernelTable | MemcpyTable | MemsetTable | NVTXTable | OverheadTable
)

// Window is one export of a merged trace: a capture window of a repeat capture, or one rank.
type Window struct {
	Path       string
	OffsetNs   int64 // its timestamps were moved by this much onto the merged clock
	Start, End int64 // its first and last event on the merged clock
}

// Uncaptured lists the time between the windows of a merged trace that no window covers: nothing
// was recorded there, so it is neither busy nor idle. Nil for a trace of one export.
func (t *Trace) Uncaptured() []Span {
	if len(t.Windows) < 2 {
		return nil
	}
	ws := append([]Window(nil), t.Windows...)
	sort.Slice(ws, func(i, j int) bool { return ws[i].Start < ws[j].Start })
	var out []Span
	end := ws[0].End
	for _, w := range ws[1:] {
		if w.Start > end {
			out = append(out, Span{end, w.Start})
		}
		end = max(end, w.End)
	}
	return out
}

// UncapturedIn is how much of [start, end) no window of a merged trace covers.
func (t *Trace) UncapturedIn(start, end int64) int64 {
	var n int64
	for _, u := range t.Uncaptured() {
		if s, e := max(u.Start, start), min(u.End, end); e > s {
			n += e - s
		}
	}
	return n
}
