package tempfiles

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRemoveAll(t *testing.T) {
	dir := t.TempDir()
	a, b, kept := filepath.Join(dir, "a.tmp"), filepath.Join(dir, "b.tmp"), filepath.Join(dir, "kept")
	for _, p := range []string{a, b, b + "-journal", kept} {
		os.WriteFile(p, []byte("x"), 0o644)
	}
	Add(a)
	Add(b)
	Add(kept)
	Done(kept) // renamed into place: never removed
	if Len() != 2 {
		t.Fatalf("Len %d", Len())
	}
	if n := RemoveAll(); n != 2 || Len() != 0 {
		t.Fatalf("removed %d, %d left", n, Len())
	}
	left, _ := os.ReadDir(dir)
	if len(left) != 1 || left[0].Name() != "kept" {
		t.Errorf("left %v", left)
	}
}
