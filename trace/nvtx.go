package trace

// NVTX event types (ENUM_NSYS_EVENT_TYPE) that omnistat uses.
const (
	NVTXCategory        = 33
	NVTXMark            = 34
	NVTXPushPopRange    = 59
	NVTXStartEndRange   = 60
	NVTXTPushPopRange   = 70
	NVTXTStartEndRange  = 71
	NVTXDomainCreate    = 75
	NVTXDomainDestroy   = 76
	NVTXThreadName      = 39
	NVTXNameCudaDevice  = 97
	NVTXNameCudaContext = 98
	NVTXNameCudaStream  = 99
)

// NVTX holds NVTX_EVENTS rows: ranges, marks, domain and category declarations.
type NVTX struct {
	Start        []int64
	End          []int64 // Null for marks and unterminated ranges
	EventType    []int64
	RangeID      []int64
	Category     []int64
	Color        []int64
	GlobalTID    []int64
	EndGlobalTID []int64 // Null unless a start/end range ended on another thread
	TextID       []int64 // StringIds id of a registered string, or Null
	Text         []int32 // index into Texts of the inline text, or -1
	DomainID     []int64
	// Payload is the integer payload (int64/uint64/int32/uint32 members), or Null.
	Payload []int64
	// Texts holds the distinct inline texts; Text indexes into it.
	Texts []string
	// ID is each row's NVTX_EVENTS rowid (nsys's RangeId); nil while row i is rowid i+1, as in
	// a trace read whole: Subset fills it for the rows it keeps (see RowID).
	ID []int64

	// maxTS is the whole trace's largest timestamp when this is a subset (see Trace.Subset).
	maxTS    int64
	maxTSSet bool
}

// Len is the number of NVTX events.
func (n *NVTX) Len() int { return len(n.Start) }

// IsRange reports whether event type t is a push/pop or start/end range.
func IsRange(t int64) bool {
	return t == NVTXPushPopRange || t == NVTXStartEndRange || t == NVTXTPushPopRange || t == NVTXTStartEndRange
}

// IsPushPop reports whether event type t is a push/pop range (NVTX or NVTXT).
func IsPushPop(t int64) bool { return t == NVTXPushPopRange || t == NVTXTPushPopRange }

// IsStartEnd reports whether event type t is a start/end range (NVTX or NVTXT).
func IsStartEnd(t int64) bool { return t == NVTXStartEndRange || t == NVTXTStartEndRange }

// MaxTimestamp is the largest start or end of any NVTX event, the end nsys gives to
// unterminated ranges; ok is false when there are no events.
func (n *NVTX) MaxTimestamp() (max int64, ok bool) {
	if n.maxTSSet {
		return n.maxTS, true
	}
	for i, s := range n.Start {
		if !ok || s > max {
			max, ok = s, true
		}
		if e := n.End[i]; e != Null && e > max {
			max = e
		}
	}
	return max, ok
}

// Message is the event's text: the registered string when there is one, else the inline text,
// else "". ok is false when neither exists.
func (n *NVTX) Message(s *Strings, i int) (msg string, ok bool) {
	if id := n.TextID[i]; id != Null {
		if v, found := s.Lookup(id); found {
			return v, true
		}
	}
	if t := n.Text[i]; t >= 0 {
		return n.Texts[t], true
	}
	return "", false
}

// RowID is row i's NVTX_EVENTS rowid.
func (n *NVTX) RowID(i int) int64 {
	if n.ID == nil {
		return int64(i) + 1
	}
	return n.ID[i]
}
