// Package testutil finds test inputs that live outside the module: the shared nsys samples
// named by $OMNISTAT_SAMPLES. It is for tests only.
package testutil

import (
	"os"
	"path/filepath"
	"testing"
)

// Samples returns the samples folder named by OMNISTAT_SAMPLES (a relative path counts from the
// module root, so `OMNISTAT_SAMPLES=../shared/nsys-samples go test ./...` works from the
// checkout), or skips the test when the variable is unset.
func Samples(t testing.TB) string {
	t.Helper()
	d := os.Getenv("OMNISTAT_SAMPLES")
	if d == "" {
		t.Skip("OMNISTAT_SAMPLES is not set (the shared nsys samples are not beside this checkout)")
	}
	if !filepath.IsAbs(d) {
		d = filepath.Join(ModuleRoot(t), d)
	}
	if st, err := os.Stat(d); err != nil || !st.IsDir() {
		t.Fatalf("OMNISTAT_SAMPLES=%s: not a folder", d)
	}
	return d
}

// ModuleRoot is the folder holding go.mod, found upward from the test's directory.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// SamplesSet reports whether OMNISTAT_SAMPLES is set.
func SamplesSet() bool { return os.Getenv("OMNISTAT_SAMPLES") != "" }

// Public returns the folder of more public exports named by OMNISTAT_PUBLIC (../shared/nsys-public
// beside the checkout; a relative path counts from the module root), or skips the test when the
// variable is unset.
func Public(t testing.TB) string {
	t.Helper()
	d := os.Getenv("OMNISTAT_PUBLIC")
	if d == "" {
		t.Skip("OMNISTAT_PUBLIC is not set (the public nsys exports are not beside this checkout)")
	}
	if !filepath.IsAbs(d) {
		d = filepath.Join(ModuleRoot(t), d)
	}
	if st, err := os.Stat(d); err != nil || !st.IsDir() {
		t.Fatalf("OMNISTAT_PUBLIC=%s: not a folder", d)
	}
	return d
}

// ExportsIn lists the *.sqlite files of the folders named by OMNISTAT_SAMPLES and
// OMNISTAT_PUBLIC, the variables that are set (a relative path counts from the module root, as
// CI sets them); a variable that names no folder fails the test.
func ExportsIn(t testing.TB) []string {
	t.Helper()
	var files []string
	for _, v := range []struct {
		env    string
		folder func(testing.TB) string
	}{{"OMNISTAT_SAMPLES", Samples}, {"OMNISTAT_PUBLIC", Public}} {
		env := v.env
		if os.Getenv(env) == "" {
			continue
		}
		dir := v.folder(t)
		more, _ := filepath.Glob(filepath.Join(dir, "*.sqlite"))
		if len(more) == 0 {
			t.Fatalf("%s=%s: no .sqlite export there", env, dir)
		}
		files = append(files, more...)
	}
	return files
}

// BenchTrace returns the large export named by OMNISTAT_BENCH_TRACE that the benchmarks of
// docs/performance.md read (make one with testdata/gen/scale), or skips the benchmark when the
// variable is unset.
func BenchTrace(b testing.TB) string {
	b.Helper()
	p := os.Getenv("OMNISTAT_BENCH_TRACE")
	if p == "" {
		b.Skip("OMNISTAT_BENCH_TRACE is not set (make one with testdata/gen/scale)")
	}
	return p
}
