package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/omnistat/omnistat/internal/testutil"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/internal/golden"
)

// goldenReports are the reports checked against nsys's CSVs: spec → golden file and sort column.
var goldenReports = []struct {
	spec, file string
	key        int
}{
	{"cuda_api_sum", "cuda_api_sum", 1},
	{"cuda_gpu_kern_sum", "cuda_gpu_kern_sum", 1},
	{"cuda_gpu_kern_sum:base", "cuda_gpu_kern_sum_base", 1},
	{"cuda_gpu_kern_sum:mangled", "cuda_gpu_kern_sum_mangled", 1},
	{"cuda_gpu_mem_time_sum", "cuda_gpu_mem_time_sum", 1},
	{"cuda_gpu_mem_size_sum", "cuda_gpu_mem_size_sum", 0},
	{"cuda_gpu_sum", "cuda_gpu_sum", 1},
	{"cuda_api_gpu_sum", "cuda_api_gpu_sum", 1},
	{"nvtx_sum", "nvtx_sum", 1},
	{"nvtx_pushpop_sum", "nvtx_pushpop_sum", 1},
	{"nvtx_startend_sum", "nvtx_startend_sum", 1},
	{"osrt_sum", "osrt_sum", 1},
	{"nvtx_gpu_proj_sum", "nvtx_gpu_proj_sum", 2},
	{"nvtx_kern_sum", "nvtx_kern_sum", 0},
	{"nvtx_kern_sum:base", "nvtx_kern_sum_base", 0},
	// the trace reports (streamed), keyed on their start column
	{"cuda_api_trace", "cuda_api_trace", 0},
	{"cuda_gpu_trace", "cuda_gpu_trace", 0},
	{"cuda_gpu_trace:nvtx-name", "cuda_gpu_trace_nvtx-name", 0},
	{"cuda_gpu_trace:base", "cuda_gpu_trace_base", 0},
	{"nvtx_gpu_proj_trace", "nvtx_gpu_proj_trace", 3},
	{"nvtx_pushpop_trace", "nvtx_pushpop_trace", 0},
	{"cuda_kern_exec_trace", "cuda_kern_exec_trace", 0},
	{"cuda_kern_exec_trace:base", "cuda_kern_exec_trace_base", 0},
	{"cuda_kern_exec_sum", "cuda_kern_exec_sum", 5},
	{"cuda_kern_exec_sum:mangled", "cuda_kern_exec_sum_mangled", 5},
	{"cuda_gpu_kern_gb_sum", "cuda_gpu_kern_gb_sum", 1},
	{"cuda_gpu_kern_gb_sum:base", "cuda_gpu_kern_gb_sum_base", 1},
}

// compareDigest checks out against a large golden kept as "<sha256> <lines> <bytes>" of nsys's
// CSV (testdata/gen/import-trace.py): byte for byte, so rows tied on the sort key must come in
// nsys's order too. nsys's stdout form ends with one more blank line than its --output file.
func compareDigest(out, digest string) string {
	var sum string
	var lines, size int
	if _, err := fmt.Sscan(digest, &sum, &lines, &size); err != nil {
		return fmt.Sprintf("bad digest %q: %v", digest, err)
	}
	for _, o := range []string{out, out + "\n"} {
		if h := sha256.Sum256([]byte(o)); hex.EncodeToString(h[:]) == sum {
			return ""
		}
	}
	return fmt.Sprintf("sha256 differs: got %d lines, %d bytes; nsys %d lines, %d bytes", strings.Count(out, "\n"), len(out), lines, size)
}

// noTimeunitGoldens are the golden reports without <report>@<unit>.csv goldens (variants whose
// times are converted by the same code as their report's): TestTimeUnitEqualsNsys leaves them out.
var noTimeunitGoldens = map[string]bool{
	"cuda_gpu_trace_base": true, "cuda_kern_exec_trace_base": true, "cuda_kern_exec_sum_mangled": true, "cuda_gpu_kern_gb_sum_base": true,
}

// readGolden reads dir/file.csv, or its gzipped form dir/file.csv.gz (the large trace goldens).
func readGolden(dir, file string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(dir, file+".csv"))
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return b, err
	}
	f, err := os.Open(filepath.Join(dir, file+".csv.gz"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(z)
}

func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

// checkGoldens runs every golden report on db and compares with dir/<report>.csv. A golden
// that is empty means nsys skipped the report or found no rows; with strictSkip omnistat must
// then print nothing either (on old exports omnistat reports what nsys cannot read: then its
// header and row widths are checked).
func checkGoldens(t *testing.T, db, dir string, strictSkip bool) {
	for _, g := range goldenReports {
		t.Run(g.file, func(t *testing.T) {
			out, errOut, code := runCLI(t, "stats", "--report", g.spec, "--format", "csv", db)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if sum, err := os.ReadFile(filepath.Join(dir, g.file+".csv.sha256")); err == nil {
				if d := compareDigest(out, string(sum)); d != "" {
					t.Errorf("%s differs from nsys: %s", g.spec, d)
				}
				return
			}
			want, err := readGolden(dir, g.file)
			if err != nil {
				t.Fatalf("golden missing: %v", err)
			}
			if len(strings.TrimSpace(string(want))) == 0 { // nsys printed SKIPPED, or wrote no rows (not even a header)
				if strictSkip && out != "" {
					t.Fatalf("nsys printed nothing for %s on this file; omnistat printed:\n%s", g.spec, out)
				}
				checkShapeWithoutGolden(t, g.file, out)
				return
			}
			if d := golden.Compare(out, string(want), g.key); d != "" {
				t.Errorf("%s differs from nsys:\n%s", g.spec, d)
			}
		})
	}
}

// TestStatsEqualsNsys compares every report with the CSV nsys 2025.3.1 printed for each
// testdata trace (made by testdata/gen on an H200).
func TestStatsEqualsNsys(t *testing.T) {
	traces, _ := filepath.Glob("../../testdata/traces/*.sqlite")
	if len(traces) < 4 {
		t.Fatalf("expected the testdata traces, found %d", len(traces))
	}
	for _, db := range traces {
		name := strings.TrimSuffix(filepath.Base(db), ".sqlite")
		t.Run(name, func(t *testing.T) {
			checkGoldens(t, db, strings.TrimSuffix(db, ".sqlite"), true)
		})
	}
}

// TestStatsOnSamples runs every report on the public nsys exports of 2021 → 2026 and compares
// with nsys 2025.3.1 wherever nsys could read the file.
// TestStatsOnPublic: every report equals nsys 2025.3.1's on the public exports made by others
// (../shared/nsys-public through OMNISTAT_PUBLIC: MPI ranks, unified memory, 13,513 inline-text
// NVTX ranges, a transitional 2023 schema, a failed injection, a 2020.5 report's export), their
// goldens in testdata/public-golden (made by testdata/gen/goldens.sh on the GPU machine).
func TestStatsOnPublic(t *testing.T) {
	dir := testutil.Public(t)
	exports, _ := filepath.Glob(filepath.Join(dir, "*.sqlite"))
	if len(exports) == 0 {
		t.Fatalf("no exports in %s", dir)
	}
	for _, db := range exports {
		name := strings.TrimSuffix(filepath.Base(db), ".sqlite")
		t.Run(name, func(t *testing.T) {
			checkGoldens(t, db, filepath.Join("../../testdata/public-golden", name), false)
		})
	}
}

func TestStatsOnSamples(t *testing.T) {
	dir := testutil.Samples(t)
	samples, _ := filepath.Glob(filepath.Join(dir, "*.sqlite"))
	if len(samples) != 5 {
		t.Fatalf("expected 5 samples in %s, found %d", dir, len(samples))
	}
	for _, db := range samples {
		name := strings.TrimSuffix(filepath.Base(db), ".sqlite")
		t.Run(name, func(t *testing.T) {
			checkGoldens(t, db, filepath.Join("../../testdata/samples-golden", name), false)
		})
	}
}
