package trace

// GlobalTID is nsys's serialized thread id: bits 0–23 TID, bits 24–47 PID, above that the
// machine (VM/hardware) part.
type GlobalTID int64

// PID is the operating-system process id encoded in a globalTid or globalPid.
func PID(global int64) int64 { return (global >> 24) & 0xFFFFFF }

// TID is the operating-system thread id encoded in a globalTid.
func TID(global int64) int64 { return global & 0xFFFFFF }

// ProcessOf turns a globalTid into the globalPid of its process (nsys matches GPU records to
// their API call with kernel.globalPid == runtime.globalTid & 0xFFFFFFFFFF000000).
func ProcessOf(globalTID int64) int64 { return globalTID &^ 0xFFFFFF }

// ProcessKey is the process part alone (globalTid & 0x0000FFFFFF000000), which nsys uses to
// match NVTX domains to the ranges of the same process.
func ProcessKey(global int64) int64 { return global & 0x0000FFFFFF000000 }

// Strings is the StringIds table: id → value.
type Strings struct {
	dense []string
	has   []bool
	m     map[int64]string
}

// NewStrings builds a Strings from parallel ids and values; sparse ids use a map.
func NewStrings(ids []int64, values []string) Strings {
	var max int64 = -1
	for _, id := range ids {
		if id > max {
			max = id
		}
	}
	if max >= 0 && max < int64(4*len(ids)+1024) {
		s := Strings{dense: make([]string, max+1), has: make([]bool, max+1)}
		for i, id := range ids {
			if id >= 0 {
				s.dense[id], s.has[id] = values[i], true
			}
		}
		return s
	}
	s := Strings{m: make(map[int64]string, len(ids))}
	for i, id := range ids {
		s.m[id] = values[i]
	}
	return s
}

// Lookup returns the string with that id; ok is false when no such id exists.
func (s *Strings) Lookup(id int64) (v string, ok bool) {
	if s.m != nil {
		v, ok = s.m[id]
		return v, ok
	}
	if id >= 0 && id < int64(len(s.dense)) && s.has[id] {
		return s.dense[id], true
	}
	return "", false
}

// Get returns the string with that id, or "" when it does not exist (a LEFT JOIN).
func (s *Strings) Get(id int64) string {
	v, _ := s.Lookup(id)
	return v
}

// Len is the number of strings.
func (s *Strings) Len() int {
	if s.m != nil {
		return len(s.m)
	}
	n := 0
	for _, h := range s.has {
		if h {
			n++
		}
	}
	return n
}

// Bound is one more than the largest id of densely stored strings (0 when ids are sparse): a
// slice of that length can be indexed by any dense id.
func (s *Strings) Bound() int { return len(s.dense) }
