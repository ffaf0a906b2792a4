package safefs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestOverwritePolicy(t *testing.T) {
	out := t.TempDir()
	user := filepath.Join(out, "notes.md")
	os.WriteFile(user, []byte("mine"), 0o644)

	d := mustOpen(t, out, Options{})
	err := d.WriteFile("notes.md", []byte("omnistat"))
	var ee *ExistsError
	if !errors.Is(err, ErrExists) || !errors.As(err, &ee) || !strings.Contains(err.Error(), user) || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("replacing a user's file: %v", err)
	}
	if _, err := d.Create("notes.md"); !errors.Is(err, ErrExists) {
		t.Errorf("Create over a user's file: %v", err)
	}
	if got := readFile(t, user); got != "mine" {
		t.Errorf("user's file changed: %q", got)
	}
	// Files omnistat wrote, in this run or an earlier one, are replaced freely.
	if err := d.WriteFile("report.md", []byte("v1")); err != nil {
		t.Fatal(err)
	}
	if err := d.WriteFile("report.md", []byte("v2")); err != nil {
		t.Fatal(err)
	}
	d = mustOpen(t, out, Options{})
	if err := d.WriteFile("report.md", []byte("v3 longer")); err != nil {
		t.Fatalf("replacing what an earlier run wrote: %v", err)
	}
	// Edited since: same size and different bytes, then a different size.
	for _, edit := range []string{"v3 LONGER", "short"} {
		os.WriteFile(filepath.Join(out, "report.md"), []byte(edit), 0o644)
		d = mustOpen(t, out, Options{})
		err = d.WriteFile("report.md", []byte("v4"))
		if !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), "changed since") {
			t.Errorf("replacing an edited file (%q): %v", edit, err)
		}
		if got := readFile(t, filepath.Join(out, "report.md")); got != edit {
			t.Errorf("edited file changed: %q", got)
		}
	}
	// --force replaces both, and records them, so the next run needs no --force.
	d = mustOpen(t, out, Options{Force: true})
	for _, n := range []string{"notes.md", "report.md"} {
		if err := d.WriteFile(n, []byte("forced")); err != nil {
			t.Fatal(err)
		}
	}
	d = mustOpen(t, out, Options{})
	for _, n := range []string{"notes.md", "report.md"} {
		if err := d.WriteFile(n, []byte("again")); err != nil {
			t.Errorf("after --force, %s: %v", n, err)
		}
	}
	noTemps(t, out)
}

func TestManifestDamaged(t *testing.T) {
	out := t.TempDir()
	os.WriteFile(filepath.Join(out, "a.md"), []byte("A"), 0o644)
	os.WriteFile(filepath.Join(out, "b.md"), []byte("B"), 0o644)
	os.WriteFile(filepath.Join(out, "c.md"), []byte("C"), 0o644)
	man := "garbage line\n" +
		sumHex("A") + " 1 a.md\n" + // valid
		sumHex("B") + " x b.md\n" + // bad size
		sumHex("C")[:10] + " 1 c.md\n" + // bad hash
		sumHex("C") + " 1 ../c.md\n" // bad name
	os.WriteFile(filepath.Join(out, ManifestName), []byte(man), 0o644)
	d := mustOpen(t, out, Options{})
	if err := d.WriteFile("a.md", []byte("new")); err != nil {
		t.Errorf("a.md is listed: %v", err)
	}
	for _, n := range []string{"b.md", "c.md"} {
		if err := d.WriteFile(n, []byte("new")); !errors.Is(err, ErrExists) {
			t.Errorf("%s (unparsable line): %v", n, err)
		}
	}
	// A manifest that is a link is refused, and what it points at is left alone.
	parent := t.TempDir()
	secret := filepath.Join(parent, "secret")
	os.WriteFile(secret, []byte("keep"), 0o644)
	out2 := filepath.Join(parent, "out")
	os.Mkdir(out2, 0o755)
	os.Symlink(secret, filepath.Join(out2, ManifestName))
	if _, err := Open(out2, false); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("Open with a linked manifest: %v", err)
	}
	if got := readFile(t, secret); got != "keep" {
		t.Errorf("outside file changed: %q", got)
	}
}

func TestConcurrentWrites(t *testing.T) {
	out := t.TempDir()
	d := mustOpen(t, out, Options{})
	var wg sync.WaitGroup
	for i := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := d.WriteFile(fmt.Sprintf("charts/c%02d.png", i), []byte(strings.Repeat("x", i))); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	d2 := mustOpen(t, out, Options{})
	if len(d2.man) != 32 {
		t.Errorf("manifest lists %d files, want 32", len(d2.man))
	}
	for i := range 32 {
		n := fmt.Sprintf("charts/c%02d.png", i)
		if e := d2.man[n]; e.size != int64(i) || e.sum != sumHex(strings.Repeat("x", i)) {
			t.Errorf("%s: %+v", n, e)
		}
	}
	noTemps(t, out)
}

func TestCheckEmpty(t *testing.T) {
	parent := t.TempDir()
	if err := CheckEmpty(filepath.Join(parent, "absent"), false); err != nil {
		t.Errorf("absent: %v", err)
	}
	empty := filepath.Join(parent, "empty")
	os.Mkdir(empty, 0o755)
	if err := CheckEmpty(empty, false); err != nil {
		t.Errorf("empty: %v", err)
	}
	full := filepath.Join(parent, "full")
	os.Mkdir(full, 0o755)
	os.WriteFile(filepath.Join(full, "old.nsys-rep"), nil, 0o644)
	err := CheckEmpty(full, false)
	if !errors.Is(err, ErrNotEmpty) || !strings.Contains(err.Error(), full) || !strings.Contains(err.Error(), "old.nsys-rep") || !strings.Contains(err.Error(), "--force") {
		t.Errorf("not empty: %v", err)
	}
	if err := CheckEmpty(full, true); err != nil {
		t.Errorf("not empty, force: %v", err)
	}
	file := filepath.Join(parent, "file")
	os.WriteFile(file, nil, 0o644)
	for _, force := range []bool{false, true} {
		if err := CheckEmpty(file, force); err == nil || !strings.Contains(err.Error(), "not a folder") {
			t.Errorf("a file, force=%v: %v", force, err)
		}
	}
	if got := tree(t, parent); !slices.Equal(got, []string{"empty", "file", "full", "full/old.nsys-rep"}) {
		t.Errorf("CheckEmpty changed the tree: %q", got)
	}
}
