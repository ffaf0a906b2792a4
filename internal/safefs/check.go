package safefs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// ErrNotEmpty is what errors.Is finds in CheckEmpty's error for a folder that has files in it.
var ErrNotEmpty = errors.New("folder is not empty")

// CheckEmpty says whether path may receive a new capture: it must be absent, or an empty
// folder, or any folder when force is set. A path that is not a folder is refused even with
// force, since nothing can be written under it. It reads path and changes nothing.
func CheckEmpty(path string, force bool) error {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("output folder: %w", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("output folder %s exists and is not a folder", path)
	}
	if force {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("output folder: %w", err)
	}
	defer f.Close()
	names, err := f.Readdirnames(1)
	if errors.Is(err, io.EOF) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("output folder %s: %w", path, err)
	}
	return &notEmptyError{path: path, entry: names[0]}
}

type notEmptyError struct{ path, entry string }

func (e *notEmptyError) Error() string {
	return fmt.Sprintf("output folder %s is not empty (it holds %s): choose a new folder or pass --force to write into it", e.path, e.entry)
}

func (e *notEmptyError) Is(target error) bool { return target == ErrNotEmpty }
