package sqlite

import (
	"fmt"
	"os"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/omnistat/omnistat/trace"
)

// Bounds every read of a damaged file must keep.
const (
	maxReadTime = 5 * time.Second
	// allocation per byte of file: the model of a valid export takes up to 2.5 times the file
	// (int64 columns of records whose values take a byte or two), and a damaged one may not
	// make more; plus a constant for the pages, the schema and the driver
	allocPerByte = 4
	allocSlack   = 32 << 20
)

// checkRead reads path with the scanner and with SQL and checks what hostile files must not
// break: both paths fail or both succeed with the same model; an error names the file; each
// read finishes within maxReadTime and allocates within its bounds.
func checkRead(t testing.TB, path string) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	fast, ferr := boundedRead(t, path, st.Size(), Options{Mangled: true})
	slow, serr := boundedRead(t, path, st.Size(), Options{SQLOnly: true, Mangled: true})
	switch {
	case ferr != nil && serr != nil:
		return
	case ferr != nil:
		t.Fatalf("the scanner failed where SQL reads: %v", ferr)
	case serr != nil:
		t.Fatalf("the scanner read where SQL fails: %v", serr)
	}
	if diff := diffModels(fast, slow); len(diff) > 0 {
		t.Fatalf("the scanner and SQL read different models: %s", strings.Join(diff, ", "))
	}
}

// boundedRead reads path with opt and checks the time, the allocation and the error's text.
func boundedRead(t testing.TB, path string, size int64, opt Options) (*trace.Trace, error) {
	t.Helper()
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	start := time.Now()
	tr, err := Read(ctx, path, opt)
	took := time.Since(start)
	runtime.ReadMemStats(&b)
	if took > maxReadTime {
		t.Errorf("read (SQLOnly %v) took %v", opt.SQLOnly, took)
	}
	if alloc := b.TotalAlloc - a.TotalAlloc; alloc > uint64(allocPerByte*size+allocSlack) {
		t.Errorf("read (SQLOnly %v) allocated %d bytes for a %d-byte file", opt.SQLOnly, alloc, size)
	}
	if err != nil && !strings.Contains(err.Error(), path) {
		t.Errorf("error does not name the file: %v", err)
	}
	return tr, err
}

// diffModels lists the fields in which two models differ; an empty slice equals a nil one.
func diffModels(a, b *trace.Trace) []string {
	var out []string
	var walk func(name string, x, y reflect.Value)
	walk = func(name string, x, y reflect.Value) {
		switch x.Kind() {
		case reflect.Struct:
			if x.Type() == reflect.TypeFor[trace.Strings]() {
				if !reflect.DeepEqual(x.Interface(), y.Interface()) {
					out = append(out, name)
				}
				return
			}
			for i := 0; i < x.NumField(); i++ {
				if f := x.Type().Field(i); f.IsExported() {
					walk(name+"."+f.Name, x.Field(i), y.Field(i))
				}
			}
		case reflect.Slice:
			if x.Len() != y.Len() {
				out = append(out, fmt.Sprintf("%s (%d and %d rows)", name, x.Len(), y.Len()))
				return
			}
			for i := 0; i < x.Len(); i++ {
				if !reflect.DeepEqual(x.Index(i).Interface(), y.Index(i).Interface()) {
					out = append(out, fmt.Sprintf("%s[%d] (%v and %v)", name, i, x.Index(i), y.Index(i)))
					return
				}
			}
		default:
			if !reflect.DeepEqual(x.Interface(), y.Interface()) {
				out = append(out, name)
			}
		}
	}
	walk("Trace", reflect.ValueOf(*a), reflect.ValueOf(*b))
	return out
}
