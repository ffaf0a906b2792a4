package safefs

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestPrune: files omnistat wrote in an earlier run and did not write now are removed; a file a
// user changed, a file omnistat never wrote, and a link are kept.
func TestPrune(t *testing.T) {
	root := t.TempDir()
	d, err := OpenWith(root, Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"a.png", "b.png", "c.png", "report.md"} {
		if err := d.WriteFile(n, []byte("old "+n)); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(root, "c.png"), []byte("edited by a user"), 0o644)
	os.WriteFile(filepath.Join(root, "notes.txt"), []byte("mine"), 0o644)
	outside := filepath.Join(t.TempDir(), "x")
	os.WriteFile(outside, []byte("x"), 0o644)
	os.Symlink(outside, filepath.Join(root, "l.png"))
	d.Close()

	d, _ = OpenWith(root, Options{})
	if err := d.WriteFile("report.md", []byte("new report")); err != nil {
		t.Fatal(err)
	}
	png := func(n string) bool { return filepath.Ext(n) == ".png" }
	gone, err := d.Prune([]string{"report.md"}, png)
	if err != nil || !slices.Equal(gone, []string{"a.png", "b.png"}) {
		t.Fatalf("pruned %v, %v", gone, err)
	}
	for n, want := range map[string]bool{"a.png": false, "b.png": false, "c.png": true, "notes.txt": true, "l.png": true, "report.md": true} {
		if _, err := os.Lstat(filepath.Join(root, n)); (err == nil) != want {
			t.Errorf("%s: exists %v, want %v", n, err == nil, want)
		}
	}
	if b, _ := os.ReadFile(outside); string(b) != "x" {
		t.Error("the link's target changed")
	}
	// the manifest forgot them: a second prune removes nothing
	d.Close()
	d, _ = OpenWith(root, Options{})
	if gone, _ := d.Prune([]string{"report.md"}, png); len(gone) != 0 {
		t.Errorf("second prune: %v", gone)
	}
}
