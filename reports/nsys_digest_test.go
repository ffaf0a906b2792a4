package reports_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/omnistat/omnistat/reports"
	"github.com/omnistat/omnistat/sqlite"
	"github.com/omnistat/omnistat/trace"
)

var (
	tracesMu sync.Mutex
	traces   = map[string]*trace.Trace{}
)

// readTrace reads a testdata trace with every column the reports print, once for the tests
// that compare reports with nsys.
func readTrace(t *testing.T, db string) *trace.Trace {
	t.Helper()
	tracesMu.Lock()
	defer tracesMu.Unlock()
	if tr, ok := traces[db]; ok {
		return tr
	}
	tr, err := sqlite.Read(context.Background(), db, sqlite.Options{Trace: true, Mangled: true})
	if err != nil {
		t.Fatal(err)
	}
	traces[db] = tr
	return tr
}

// countingWriter counts the lines and bytes written through it.
type countingWriter struct {
	w            *bufio.Writer
	lines, bytes int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.bytes += len(p)
	c.lines += strings.Count(string(p), "\n")
	return c.w.Write(p)
}

// TestReportsEqualNsysDigest: the reports whose nsys CSV is large (the trace reports, and some
// summaries of the bigger traces) are kept as "<sha256> <lines> <bytes>" of the CSV nsys 2025.3.1
// printed (testdata/gen/import-trace.py); each is written here as nsys's CSV and its digest must
// be nsys's, byte for byte, so rows tied on the sort key come in nsys's order too. nsys's stdout
// form ends with one more blank line than its --output file: either matches. Time-unit variants
// (<report>@<unit>) are the CLI's rendering and are left to its tests.
func TestReportsEqualNsysDigest(t *testing.T) {
	dbs, _ := filepath.Glob("../testdata/traces/*.sqlite")
	compared := map[string]int{}
	for _, db := range dbs {
		dir := strings.TrimSuffix(db, ".sqlite")
		digests, _ := filepath.Glob(filepath.Join(dir, "*.csv.sha256"))
		for _, d := range digests {
			file := strings.TrimSuffix(filepath.Base(d), ".csv.sha256")
			if strings.Contains(file, "@") {
				continue
			}
			spec := file
			for _, arg := range []string{"base", "mangled", "nvtx-name"} {
				if s, ok := strings.CutSuffix(file, "_"+arg); ok {
					spec = s + ":" + arg
				}
			}
			b, err := os.ReadFile(d)
			if err != nil {
				t.Fatal(err)
			}
			var sum string
			var lines, size int
			if _, err := fmt.Sscan(string(b), &sum, &lines, &size); err != nil {
				t.Fatalf("%s: bad digest %q: %v", d, b, err)
			}
			r, o, err := reports.Lookup(spec)
			if err != nil {
				t.Fatalf("%s: %v", d, err)
			}
			tr := readTrace(t, db)
			if why := r.Skip(tr); why != "" {
				t.Errorf("%s %s: skipped (%s), nsys printed %d lines", filepath.Base(dir), spec, why, lines)
				continue
			}
			h := sha256.New()
			cw := &countingWriter{w: bufio.NewWriterSize(h, 1<<16)}
			writeNsysCSV(cw, r.Run(tr, o))
			if err := cw.w.Flush(); err != nil {
				t.Fatal(err)
			}
			state, err := h.(encoding.BinaryMarshaler).MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			plus := sha256.New()
			if err := plus.(encoding.BinaryUnmarshaler).UnmarshalBinary(state); err != nil {
				t.Fatal(err)
			}
			plus.Write([]byte("\n"))
			if hex.EncodeToString(h.Sum(nil)) != sum && hex.EncodeToString(plus.Sum(nil)) != sum {
				t.Errorf("%s %s differs from nsys: %d lines, %d bytes; nsys %d lines, %d bytes",
					filepath.Base(dir), spec, cw.lines, cw.bytes, lines, size)
			}
			compared[spec]++
		}
	}
	// every trace report on every trace, and the summaries kept as digests
	for _, spec := range []string{"cuda_api_trace", "cuda_gpu_trace", "cuda_gpu_trace:base", "cuda_gpu_trace:nvtx-name",
		"cuda_kern_exec_trace", "cuda_kern_exec_trace:base"} {
		if compared[spec] < len(dbs) {
			t.Errorf("%s compared on %d traces, want %d", spec, compared[spec], len(dbs))
		}
	}
	if len(compared) < 10 {
		t.Errorf("only %v compared", compared)
	}
}
