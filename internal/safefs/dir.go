package safefs

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/omnistat/omnistat/internal/tempfiles"
	"hash"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Options say how a Dir is opened.
type Options struct {
	Create bool // make the folder (and missing parents, mode 0755) when it is absent
	Force  bool // replace files omnistat did not write or that were edited since (--force)
	Sync   bool // fsync each file before renaming it into place
}

// Dir is an output folder opened once. All its operations stay under that folder, even when
// the folder is renamed or symbolic links are planted in it while it is open. A Dir is safe for
// concurrent use; each file is written by one goroutine.
type Dir struct {
	root *os.Root
	path string
	opt  Options

	mu  sync.Mutex // serialises replacing files and rewriting the manifest
	man manifest
}

// Open opens the output folder path, making it first when create is set.
func Open(path string, create bool) (*Dir, error) {
	return OpenWith(path, Options{Create: create})
}

// OpenWith opens the output folder path with options o and reads its manifest.
func OpenWith(path string, o Options) (*Dir, error) {
	if o.Create {
		if err := os.MkdirAll(path, 0o755); err != nil {
			return nil, fmt.Errorf("output folder: %w", err)
		}
	}
	root, err := os.OpenRoot(path)
	if err != nil {
		return nil, fmt.Errorf("output folder: %w", err)
	}
	d := &Dir{root: root, path: path, opt: o}
	if d.man, err = d.loadManifest(); err != nil {
		root.Close()
		return nil, err
	}
	return d, nil
}

// Path is the folder the Dir was opened with.
func (d *Dir) Path() string { return d.path }

// Close releases the folder. Files still open from Create are not committed by it.
func (d *Dir) Close() error { return d.root.Close() }

// WriteFile writes data to name (relative, made of slugs, such as "report.md" or
// "charts/talker.png") through a temporary file renamed into place, and records it in the
// manifest. On error nothing is left behind and an existing file is unchanged.
func (d *Dir) WriteFile(name string, data []byte) error {
	f, err := d.Create(name)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Abort()
		return err
	}
	return f.Close()
}

// Create starts writing name (see WriteFile) and returns a File that commits it on Close.
// It refuses at once a name or target WriteFile would refuse; Close checks the target again.
func (d *Dir) Create(name string) (*File, error) {
	name, err := checkName(name)
	if err != nil {
		return nil, fmt.Errorf("output folder %s: %w", d.path, err)
	}
	folder, base := splitName(name)
	if folder != "" {
		if err := d.makeFolders(folder); err != nil {
			return nil, err
		}
	}
	d.mu.Lock()
	err = d.checkTarget(name, d.opt.Force)
	d.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return d.createTemp(folder, base, name)
}

// File is a file being written by a Dir: Write streams to a temporary file, Close renames it
// into place and Abort removes it. It implements io.WriteCloser.
type File struct {
	d         *Dir
	name, tmp string
	f         *os.File
	h         hash.Hash
	size      int64
	err       error // the first write error
	done      bool
}

// Write writes to the temporary file.
func (f *File) Write(p []byte) (int, error) {
	if f.done {
		return 0, fmt.Errorf("write %s: %w", f.d.show(f.name), os.ErrClosed)
	}
	n, err := f.f.Write(p)
	f.h.Write(p[:n])
	f.size += int64(n)
	if err != nil && f.err == nil {
		f.err = fmt.Errorf("write %s: %w", f.d.show(f.name), err)
	}
	return n, err
}

// Close commits the file: after a write error, or when the target may not be replaced, it
// removes the temporary file and returns the error instead.
func (f *File) Close() error {
	if f.done {
		return fmt.Errorf("close %s: %w", f.d.show(f.name), os.ErrClosed)
	}
	f.done = true
	defer tempfiles.Done(filepath.Join(f.d.path, filepath.FromSlash(f.tmp)))
	err := f.err
	if err == nil && f.d.opt.Sync {
		if err = f.f.Sync(); err != nil {
			err = fmt.Errorf("sync %s: %w", f.d.show(f.name), err)
		}
	}
	if cerr := f.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("write %s: %w", f.d.show(f.name), cerr)
	}
	if err == nil {
		err = f.d.commit(f.tmp, f.name, entry{size: f.size, sum: hex.EncodeToString(f.h.Sum(nil))})
	}
	if err != nil {
		f.d.root.Remove(f.tmp)
	}
	return err
}

// Abort removes the temporary file and leaves the target as it was. It does nothing after
// Close or a previous Abort.
func (f *File) Abort() error {
	if f.done {
		return nil
	}
	f.done = true
	defer tempfiles.Done(filepath.Join(f.d.path, filepath.FromSlash(f.tmp)))
	f.f.Close()
	if err := f.d.root.Remove(f.tmp); err != nil {
		return fmt.Errorf("remove temporary file of %s: %w", f.d.show(f.name), err)
	}
	return nil
}

// commit renames tmp onto name and records e for it in the manifest.
func (d *Dir) commit(tmp, name string, e entry) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.checkTarget(name, d.opt.Force); err != nil {
		return err
	}
	if err := d.root.Rename(tmp, name); err != nil {
		return fmt.Errorf("write %s: %w", d.show(name), err)
	}
	old, had := d.man[name]
	d.man[name] = e
	if err := d.saveManifest(); err != nil {
		if had {
			d.man[name] = old
		} else {
			delete(d.man, name)
		}
		return fmt.Errorf("wrote %s but could not record it: %w", d.show(name), err)
	}
	return nil
}

// makeFolders makes the folders of a checked name, refusing a component that is a symbolic
// link leading outside the root (os.Root refuses it too, also when it is planted later) or
// something other than a folder.
func (d *Dir) makeFolders(folder string) error {
	parts := strings.Split(folder, "/")
	for i := range parts {
		p := strings.Join(parts[:i+1], "/")
		st, err := d.root.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			break
		}
		if err != nil {
			return fmt.Errorf("folder %s: %w", d.show(p), err)
		}
		if st.Mode()&fs.ModeSymlink != 0 {
			if st, err = d.root.Stat(p); err != nil {
				return fmt.Errorf("refusing to write under %s: it is a symbolic link leading outside the output folder (%w)", d.show(p), err)
			}
		}
		if !st.IsDir() {
			return fmt.Errorf("refusing to write under %s: it is not a folder", d.show(p))
		}
	}
	if err := d.root.MkdirAll(folder, 0o755); err != nil {
		return fmt.Errorf("make folder %s: %w", d.show(folder), err)
	}
	return nil
}

// checkTarget says whether name may be replaced: it must be absent or a regular file, and,
// unless force is set, one the manifest lists with its current size and hash. d.mu is held.
func (d *Dir) checkTarget(name string, force bool) error {
	st, err := d.root.Lstat(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", d.show(name), err)
	}
	switch m := st.Mode(); {
	case m&fs.ModeSymlink != 0:
		return fmt.Errorf("refusing to replace %s: it is a symbolic link (omnistat replaces only regular files)", d.show(name))
	case m.IsDir():
		return fmt.Errorf("refusing to replace %s: it is a folder", d.show(name))
	case !m.IsRegular():
		return fmt.Errorf("refusing to replace %s: it is not a regular file (%s)", d.show(name), m.Type())
	}
	if force {
		return nil
	}
	e, ok := d.man[name]
	if !ok {
		return &ExistsError{Path: d.show(name), Reason: "omnistat did not write it"}
	}
	if e.size != st.Size() {
		return &ExistsError{Path: d.show(name), Reason: "it was changed since omnistat wrote it"}
	}
	sum, err := d.hashFile(name)
	if err != nil {
		return err
	}
	if sum != e.sum {
		return &ExistsError{Path: d.show(name), Reason: "it was changed since omnistat wrote it"}
	}
	return nil
}

// hashFile is the SHA-256 (hex) of a regular file under the root, opened without following a
// final symbolic link.
func (d *Dir) hashFile(name string) (string, error) {
	f, err := d.root.OpenFile(name, os.O_RDONLY|oNoFollow, 0)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", d.show(name), err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := f.WriteTo(h); err != nil {
		return "", fmt.Errorf("read %s: %w", d.show(name), err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// createTemp creates a fresh temporary file for name in folder: a name that is not a slug
// (it starts with '.'), so it never collides with a file a Dir writes.
func (d *Dir) createTemp(folder, base, name string) (*File, error) {
	for range 10 {
		var r [8]byte
		rand.Read(r[:])
		tmp := join(folder, "."+base+".tmp-"+hex.EncodeToString(r[:]))
		f, err := d.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL|oNoFollow|oCloexec, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("write %s: %w", d.show(name), err)
		}
		tempfiles.Add(filepath.Join(d.path, filepath.FromSlash(tmp))) // removed by an interrupted run's exit too
		return &File{d: d, name: name, tmp: tmp, f: f, h: sha256.New()}, nil
	}
	return nil, fmt.Errorf("write %s: no free temporary name", d.show(name))
}

// show is how errors name a file: the output folder joined with name.
func (d *Dir) show(name string) string { return filepath.Join(d.path, filepath.FromSlash(name)) }

// ErrExists is what errors.Is finds in the error of a write that would replace a file
// omnistat did not write, or one edited since it did; --force allows it.
var ErrExists = errors.New("file exists and was not written by omnistat")

// ExistsError names the file a write refused to replace, and why.
type ExistsError struct {
	Path   string
	Reason string
}

func (e *ExistsError) Error() string {
	return fmt.Sprintf("refusing to replace %s: %s; pass --force to replace it", e.Path, e.Reason)
}

// Is makes errors.Is(err, ErrExists) true.
func (e *ExistsError) Is(target error) bool { return target == ErrExists }
