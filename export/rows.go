package export

// The rows of the Parquet files, one struct per file. Column names are the parquet tags; a
// pointer is a nullable column. Times are nanoseconds on the export's own clock (as in the
// SQLite export), durations end − start exactly as nsys sums them.

// Kernel is one row of kernels.parquet: a kernel execution.
type Kernel struct {
	File     string  `parquet:"file,dict"`
	Stage    string  `parquet:"stage,dict"`
	Replica  *int32  `parquet:"replica"` // the process's replica number in its stage; null outside stages
	PID      int64   `parquet:"pid"`
	TID      *int64  `parquet:"tid"` // the thread of the launching call; null when it is not in the export
	Device   int64   `parquet:"device"`
	Step     *int32  `parquet:"step"` // the stage's step (steps.parquet) the launch falls in
	Start    int64   `parquet:"start_ns"`
	End      int64   `parquet:"end_ns"`
	Duration int64   `parquet:"duration_ns"`
	Name     string  `parquet:"name,dict"`       // demangled, as cuda_gpu_kern_sum prints it
	Short    string  `parquet:"short_name,dict"` // the base name (cuda_gpu_kern_sum:base)
	CorrID   *int64  `parquet:"correlation_id"`  // null when the export's correlationId is NULL
	API      *string `parquet:"api,dict"`        // the launching CUDA call (cudaLaunchKernel, cuGraphLaunch, …)
	Graph    bool    `parquet:"graph"`           // launched from a CUDA graph
}

// API is one row of api.parquet: a CUDA runtime or driver call.
type API struct {
	File     string `parquet:"file,dict"`
	Stage    string `parquet:"stage,dict"`
	Replica  *int32 `parquet:"replica"`
	PID      int64  `parquet:"pid"`
	TID      int64  `parquet:"tid"`
	Device   *int64 `parquet:"device"` // the GPU of the work it launched; null when it launched none
	Step     *int32 `parquet:"step"`
	Start    int64  `parquet:"start_ns"`
	End      int64  `parquet:"end_ns"`
	Duration int64  `parquet:"duration_ns"`
	Name     string `parquet:"name,dict"`      // as cuda_api_sum prints it (cudaLaunchKernel)
	Function string `parquet:"function,dict"`  // as CUPTI names it (cudaLaunchKernel_v7000): cuda_api_sum's group
	CorrID   *int64 `parquet:"correlation_id"` // null when the export's correlationId is NULL
}

// MemOp is one row of memops.parquet: a memory copy or a memset.
type MemOp struct {
	File      string  `parquet:"file,dict"`
	Stage     string  `parquet:"stage,dict"`
	Replica   *int32  `parquet:"replica"`
	PID       int64   `parquet:"pid"`
	TID       *int64  `parquet:"tid"`
	Device    int64   `parquet:"device"`
	Step      *int32  `parquet:"step"`
	Start     int64   `parquet:"start_ns"`
	End       int64   `parquet:"end_ns"`
	Duration  int64   `parquet:"duration_ns"`
	Kind      string  `parquet:"kind,dict"`      // memcpy or memset
	Operation *string `parquet:"operation,dict"` // as cuda_gpu_mem_*_sum print it; null for a copy kind without a label
	Bytes     int64   `parquet:"bytes"`
	CopyKind  *string `parquet:"copy_kind,dict"` // Host-to-Device, …; null for memsets
	SrcKind   *string `parquet:"src_kind,dict"`  // memory kinds (Pageable, Pinned, Device, …)
	DstKind   *string `parquet:"dst_kind,dict"`  // for a memset: the memory it sets
	CorrID    *int64  `parquet:"correlation_id"` // null when the export's correlationId is NULL
	API       *string `parquet:"api,dict"`
}

// Range is one row of nvtx.parquet: an NVTX push/pop or start/end range.
type Range struct {
	File     string `parquet:"file,dict"`
	Stage    string `parquet:"stage,dict"`
	Replica  *int32 `parquet:"replica"`
	PID      int64  `parquet:"pid"`
	TID      int64  `parquet:"tid"`     // the thread that opened it
	EndTID   *int64 `parquet:"end_tid"` // the thread that closed a start/end range, when another one
	Step     *int32 `parquet:"step"`
	Start    int64  `parquet:"start_ns"`
	End      int64  `parquet:"end_ns"` // nsys's end: an unterminated range ends at the last NVTX timestamp
	Duration int64  `parquet:"duration_ns"`
	Ended    bool   `parquet:"ended"` // false for an unterminated range
	Style    string `parquet:"style,dict"`
	Domain   string `parquet:"domain,dict"`
	Message  string `parquet:"message,dict"`
	Name     string `parquet:"name,dict"` // domain:message, as nvtx_sum prints it
}

// Step is one row of steps.parquet: an instance of its stage's step range (summarize's steps).
type Step struct {
	File     string `parquet:"file,dict"`
	Stage    string `parquet:"stage,dict"`
	Replica  *int32 `parquet:"replica"`
	PID      int64  `parquet:"pid"`
	TID      int64  `parquet:"tid"`
	Step     int32  `parquet:"step"` // its number in the stage, in start order from 0
	Start    int64  `parquet:"start_ns"`
	End      int64  `parquet:"end_ns"`
	Duration int64  `parquet:"duration_ns"`
	Name     string `parquet:"name,dict"`
	Prefill  *bool  `parquet:"prefill"` // null when the names do not tell prefill from decode
	Warmup   bool   `parquet:"warmup"`
}

// Stage is one row of stages.parquet: a process of a stage (a stage without processes has one
// row with a null pid), with what is known of the trace.
type Stage struct {
	File           string  `parquet:"file,dict"`
	NsysVersion    string  `parquet:"nsys_version,dict"`
	Host           string  `parquet:"host,dict"`
	SessionStartNs int64   `parquet:"session_start_ns"` // wall clock (ns since 1970) of the capture's start; 0 when unknown
	WindowStart    int64   `parquet:"window_start_ns"`  // the first and last event of the exported rows
	WindowEnd      int64   `parquet:"window_end_ns"`
	Stage          string  `parquet:"stage,dict"`
	StageIndex     int32   `parquet:"stage_index"` // summarize's order
	FoundBy        string  `parquet:"found_by,dict"`
	Replicas       int32   `parquet:"replicas"`
	Replica        *int32  `parquet:"replica"`
	PID            *int64  `parquet:"pid"`
	Process        *string `parquet:"process,dict"`
	StepRange      *string `parquet:"step_range,dict"` // summarize's step range (domain:family); null without one
	Steps          int32   `parquet:"steps"`
	WarmupSteps    int32   `parquet:"warmup_steps"`
}

// Files are the files written for each input, in order.
var Files = []string{"stages.parquet", "steps.parquet", "kernels.parquet", "api.parquet", "memops.parquet", "nvtx.parquet"}
