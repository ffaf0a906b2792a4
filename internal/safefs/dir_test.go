package safefs

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// tree lists every path under dir (links not followed), '/'-separated, sorted.
func tree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// noTemps fails when a temporary file is left under dir.
func noTemps(t *testing.T, dir string) {
	t.Helper()
	for _, p := range tree(t, dir) {
		if strings.Contains(filepath.Base(p), ".tmp-") {
			t.Errorf("temporary file left: %s", p)
		}
	}
}

func mustOpen(t *testing.T, path string, o Options) *Dir {
	t.Helper()
	d, err := OpenWith(path, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func sumHex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func TestWriteFileAndManifest(t *testing.T) {
	out := filepath.Join(t.TempDir(), "a", "out")
	if _, err := Open(out, false); err == nil {
		t.Fatal("Open of a missing folder without create succeeded")
	}
	d := mustOpen(t, out, Options{Create: true, Sync: true})
	if err := d.WriteFile("report.md", []byte("# report\n")); err != nil {
		t.Fatal(err)
	}
	if err := d.WriteFile("charts/stage/kernels.png", []byte("png")); err != nil {
		t.Fatal(err)
	}
	f, err := d.Create("charts/big.csv")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 1000 {
		fmt.Fprintf(f, "%d\n", i)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("second Close: %v", err)
	}
	if _, err := f.Write([]byte("x")); err == nil {
		t.Error("Write after Close succeeded")
	}
	want := []string{".omnistat-files", "charts", "charts/big.csv", "charts/stage", "charts/stage/kernels.png", "report.md"}
	if got := tree(t, out); !slices.Equal(got, want) {
		t.Fatalf("tree = %q, want %q", got, want)
	}
	if got := readFile(t, filepath.Join(out, "report.md")); got != "# report\n" {
		t.Errorf("report.md = %q", got)
	}
	var csv strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&csv, "%d\n", i)
	}
	if got := readFile(t, filepath.Join(out, "charts", "big.csv")); got != csv.String() {
		t.Errorf("big.csv differs")
	}
	// The manifest lists each file with its SHA-256 and size, computed here independently.
	wantMan := manifestHeader + "\n" +
		sumHex(csv.String()) + fmt.Sprintf(" %d charts/big.csv\n", csv.Len()) +
		sumHex("png") + " 3 charts/stage/kernels.png\n" +
		sumHex("# report\n") + " 9 report.md\n"
	if got := readFile(t, filepath.Join(out, ManifestName)); got != wantMan {
		t.Errorf("manifest:\n%s\nwant:\n%s", got, wantMan)
	}
}

func TestRefusedNames(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "out")
	d := mustOpen(t, out, Options{Create: true, Force: true})
	for _, c := range []struct{ name, msg string }{
		{"../evil", "escapes the output folder"},
		{"a/../../evil", "escapes the output folder"},
		{"..", "escapes the output folder"},
		{"/etc/passwd", "absolute"},
		{"/tmp/x", "absolute"},
		{"", "empty file name"},
		{".", "empty or \".\" component"},
		{"a//b", "empty or \".\" component"},
		{"a/./b", "empty or \".\" component"},
		{".omnistat-files", "not a safe name"},
		{".hidden", "not a safe name"},
		{"a b.md", "not a safe name"},
		{"x\x00y", "not a safe name"},
		{strings.Repeat("a", 81), "not a safe name"},
	} {
		err := d.WriteFile(c.name, []byte("x"))
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("WriteFile(%q): %v, want an error saying %q", c.name, err, c.msg)
		}
	}
	if got := tree(t, parent); !slices.Equal(got, []string{"out"}) {
		t.Errorf("files appeared: %q", got)
	}
}

func TestSymlinkTargetRefused(t *testing.T) {
	parent := t.TempDir()
	secret := filepath.Join(parent, "secret")
	os.WriteFile(secret, []byte("keep"), 0o600)
	out := filepath.Join(parent, "out")
	os.Mkdir(out, 0o755)
	os.Symlink(secret, filepath.Join(out, "report.md"))        // absolute link leaving the root
	os.Symlink("../secret", filepath.Join(out, "relative.md")) // relative link leaving the root
	os.WriteFile(filepath.Join(out, "inside.md"), nil, 0o644)  // a link that stays inside
	os.Symlink("inside.md", filepath.Join(out, "alias.md"))    //
	os.Symlink("missing", filepath.Join(out, "dangling.md"))   //
	for _, force := range []bool{false, true} {
		d := mustOpen(t, out, Options{Force: force})
		for _, name := range []string{"report.md", "relative.md", "alias.md", "dangling.md"} {
			err := d.WriteFile(name, []byte("evil"))
			if err == nil || !strings.Contains(err.Error(), "symbolic link") || !strings.Contains(err.Error(), filepath.Join(out, name)) {
				t.Errorf("force=%v WriteFile(%s): %v, want a refusal naming the link", force, name, err)
			}
			if f, err := d.Create(name); err == nil {
				f.Abort()
				t.Errorf("force=%v Create(%s) succeeded", force, name)
			}
		}
	}
	if got := readFile(t, secret); got != "keep" {
		t.Errorf("outside file changed: %q", got)
	}
	for _, name := range []string{"report.md", "relative.md", "alias.md", "dangling.md"} {
		if st, err := os.Lstat(filepath.Join(out, name)); err != nil || st.Mode()&fs.ModeSymlink == 0 {
			t.Errorf("%s is no longer the link: %v", name, err)
		}
	}
	if got := readFile(t, filepath.Join(out, "inside.md")); got != "" {
		t.Errorf("inside.md written through a link: %q", got)
	}
	noTemps(t, out)
}

// A link planted between Create and Close is caught when the file is committed.
func TestSymlinkPlantedBeforeCommit(t *testing.T) {
	parent := t.TempDir()
	secret := filepath.Join(parent, "secret")
	os.WriteFile(secret, []byte("keep"), 0o600)
	out := filepath.Join(parent, "out")
	d := mustOpen(t, out, Options{Create: true, Force: true})
	f, err := d.Create("report.md")
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("evil"))
	os.Symlink(secret, filepath.Join(out, "report.md"))
	if err := f.Close(); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("Close: %v, want a refusal", err)
	}
	if got := readFile(t, secret); got != "keep" {
		t.Errorf("outside file changed: %q", got)
	}
	if got := tree(t, out); !slices.Equal(got, []string{"report.md"}) {
		t.Errorf("tree = %q", got)
	}
}

func TestSymlinkFolder(t *testing.T) {
	parent := t.TempDir()
	outside := filepath.Join(parent, "outside")
	os.Mkdir(outside, 0o755)
	out := filepath.Join(parent, "out")
	os.MkdirAll(filepath.Join(out, "real"), 0o755)
	os.Symlink(outside, filepath.Join(out, "abs"))
	os.Symlink("../outside", filepath.Join(out, "rel"))
	os.Symlink("real", filepath.Join(out, "alias"))
	os.WriteFile(filepath.Join(out, "file"), nil, 0o644)
	d := mustOpen(t, out, Options{Force: true})
	for _, c := range []struct{ name, msg string }{
		{"abs/a.png", "symbolic link leading outside"},
		{"rel/a.png", "symbolic link leading outside"},
		{"rel/sub/a.png", "symbolic link leading outside"},
		{"file/a.png", "not a folder"},
	} {
		err := d.WriteFile(c.name, []byte("x"))
		if err == nil || !strings.Contains(err.Error(), c.msg) || !strings.Contains(err.Error(), filepath.Join(out, strings.Split(c.name, "/")[0])) {
			t.Errorf("WriteFile(%s): %v, want an error saying %q and naming the folder", c.name, err, c.msg)
		}
	}
	if got := tree(t, outside); len(got) != 0 {
		t.Errorf("written outside: %q", got)
	}
	// A link to a folder inside the root stays inside: allowed.
	if err := d.WriteFile("alias/a.png", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(out, "real", "a.png")); got != "x" {
		t.Errorf("real/a.png = %q", got)
	}
	// A folder swapped for an escaping link after it was made is still refused (by os.Root).
	os.Mkdir(filepath.Join(out, "late"), 0o755)
	f, err := d.Create("late/a.png")
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("x"))
	f.Abort()
	os.Remove(filepath.Join(out, "late"))
	os.Symlink(outside, filepath.Join(out, "late"))
	if err := d.WriteFile("late/a.png", []byte("x")); err == nil {
		t.Error("write through a swapped-in link succeeded")
	}
	if got := tree(t, outside); len(got) != 0 {
		t.Errorf("written outside: %q", got)
	}
	noTemps(t, out)
}

// As root no permission fails a write, so a folder at the target makes the rename fail.
func TestNoTempAfterFailure(t *testing.T) {
	out := t.TempDir()
	d := mustOpen(t, out, Options{Force: true})
	os.MkdirAll(filepath.Join(out, "report.md", "child"), 0o755)
	if err := d.WriteFile("report.md", []byte("x")); err == nil || !strings.Contains(err.Error(), "is a folder") {
		t.Errorf("WriteFile over a folder: %v", err)
	}
	// The same failure at commit time, after the temporary file holds data.
	os.RemoveAll(filepath.Join(out, "report.md"))
	f, err := d.Create("report.md")
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("data"))
	os.MkdirAll(filepath.Join(out, "report.md", "child"), 0o755)
	if err := f.Close(); err == nil {
		t.Error("Close over a folder succeeded")
	}
	noTemps(t, out)
	// A write error: the temporary file is removed on Close.
	f, err = d.Create("data.bin")
	if err != nil {
		t.Fatal(err)
	}
	f.f.Close() // make the next write fail
	if _, err := f.Write([]byte("x")); err == nil {
		t.Fatal("write to a closed file succeeded")
	}
	if err := f.Close(); err == nil {
		t.Error("Close after a write error succeeded")
	}
	// Abort removes it too.
	f, err = d.Create("aborted.bin")
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("x"))
	if err := f.Abort(); err != nil {
		t.Error(err)
	}
	if err := f.Close(); err == nil {
		t.Error("Close after Abort succeeded")
	}
	noTemps(t, out)
	if got := tree(t, out); !slices.Equal(got, []string{"report.md", "report.md/child"}) {
		t.Errorf("tree = %q", got)
	}
}
