//go:build unix

package safefs

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Files get 0644 and folders 0755, less the umask; the test sets the umask (process-wide, so
// this test is not parallel).
func TestModes(t *testing.T) {
	for _, c := range []struct {
		umask        int
		file, folder fs.FileMode
	}{
		{0o022, 0o644, 0o755},
		{0o077, 0o600, 0o700},
		{0o002, 0o644, 0o755},
	} {
		old := syscall.Umask(c.umask)
		out := filepath.Join(t.TempDir(), "out")
		d, err := OpenWith(out, Options{Create: true})
		if err == nil {
			err = d.WriteFile("sub/report.md", []byte("x"))
			d.Close()
		}
		syscall.Umask(old)
		if err != nil {
			t.Fatal(err)
		}
		for p, want := range map[string]fs.FileMode{
			out:                                    c.folder,
			filepath.Join(out, "sub"):              c.folder,
			filepath.Join(out, "sub", "report.md"): c.file,
			filepath.Join(out, ManifestName):       c.file,
		} {
			st, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if got := st.Mode().Perm(); got != want {
				t.Errorf("umask %03o: %s has mode %03o, want %03o", c.umask, p, got, want)
			}
		}
	}
}
