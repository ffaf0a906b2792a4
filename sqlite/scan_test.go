package sqlite

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/omnistat/omnistat/internal/testutil"
)

// TestScannerEqualsSQL: the file-format scanner and SQL read the same model from every testdata
// trace and every shared sample, and the scanner reads every hot table of them itself.
func TestScannerEqualsSQL(t *testing.T) {
	files := traces(t)
	if testutil.SamplesSet() {
		s, _ := filepath.Glob(filepath.Join(testutil.Samples(t), "*.sqlite"))
		files = append(files, s...)
	}
	for _, f := range files {
		before := deferred.Load()
		fast, err := Read(ctx, f, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if n := deferred.Load() - before; n > 0 {
			t.Errorf("%s: the scanner handed %d tables to SQL", filepath.Base(f), n)
		}
		slow, err := Read(ctx, f, Options{SQLOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		for name, pair := range map[string][2]any{
			"runtime": {fast.Runtime, slow.Runtime}, "osrt": {fast.OSRT, slow.OSRT}, "kernels": {fast.Kernels, slow.Kernels},
			"memcpy": {fast.Memcpy, slow.Memcpy}, "memset": {fast.Memset, slow.Memset}, "nvtx": {fast.NVTX, slow.NVTX},
		} {
			if !reflect.DeepEqual(pair[0], pair[1]) {
				t.Errorf("%s: %s differs between the scanner and SQL", filepath.Base(f), name)
			}
		}
	}
}
