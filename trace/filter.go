package trace

import "reflect"

// Filtered returns a trace with only the kept event rows, as a report sees an export that a
// time or NVTX filter cut (nsys's `--filter-time`, `--filter-nvtx`: every event table replaced by
// a view of its kept rows). Unlike Subset it is a trace of its own: no column is shared with t
// (it may be reordered by a grouping), PROFILER_OVERHEAD is cut by overhead (nil keeps every row),
// and an unterminated NVTX range ends at the last NVTX timestamp among the kept rows, as nsys
// computes it from the filtered view. Unfiltered points at the whole trace.
func (t *Trace) Filtered(k Keep, overhead []bool) *Trace {
	s := t.Subset(k)
	s.calls, s.launch = nil, nil
	s.Unfiltered = t
	if t.Unfiltered != nil {
		s.Unfiltered = t.Unfiltered
	}
	if overhead != nil {
		kp := selected(overhead)
		o := &t.Overhead
		s.Overhead = Overhead{Start: pick(o.Start, kp), End: pick(o.End, kp),
			GlobalTID: pick(o.GlobalTID, kp), NameID: pick(o.NameID, kp)}
	}
	for _, p := range []any{&s.Runtime, &s.OSRT, &s.Kernels, &s.Memcpy, &s.Memset, &s.NVTX, &s.Overhead} {
		unshare(p)
	}
	s.NVTX.maxTS, s.NVTX.maxTSSet = 0, false
	return s
}

// unshare replaces every slice field of the struct p points to by a copy of it (nil stays nil),
// so that no column aliases another trace's. Reflection keeps it right when columns are added.
var codesType = reflect.TypeFor[Codes]()

func unshare(p any) {
	v := reflect.ValueOf(p).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		if f.Type() == codesType && f.CanSet() {
			c := f.Addr().Interface().(*Codes)
			*c = c.clone()
			continue
		}
		if f.Kind() != reflect.Slice || f.IsNil() || !f.CanSet() {
			continue
		}
		c := reflect.MakeSlice(f.Type(), f.Len(), f.Len())
		reflect.Copy(c, f)
		f.Set(c)
	}
}

// KeepWindow says which rows of the start and end columns nsys's time filter keeps: those
// overlapping [lo, hi), as nsys's view writes it: start in the window, or end in the window, or
// start before it and end at or after its end. A row without an end (Null: a mark, a range never
// closed) is kept when its start is in the window. Only rows where also(i) holds are kept (nil:
// every row).
func KeepWindow(start, end []int64, lo, hi int64, also func(i int) bool) []bool {
	keep := make([]bool, len(start))
	for i, s := range start {
		e := end[i]
		in := s >= lo && s < hi
		if e != Null {
			in = in || (e >= lo && e < hi) || (s < lo && e >= hi)
		}
		keep[i] = in && (also == nil || also(i))
	}
	return keep
}
