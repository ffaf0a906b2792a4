// Package tempfiles keeps the list of temporary files omnistat has open right now, so that an
// interrupted run (SIGINT, SIGTERM) can remove them before it exits. Writers Add a temporary
// when they create it and Done when it is renamed into place or removed. It does nothing else.
package tempfiles

import (
	"os"
	"sync"
)

var (
	mu    sync.Mutex
	paths = map[string]bool{}
)

// Add records a temporary file (by its absolute path, or one valid from the working folder).
func Add(path string) {
	mu.Lock()
	paths[path] = true
	mu.Unlock()
}

// Done forgets a temporary file: it was renamed into place or removed.
func Done(path string) {
	mu.Lock()
	delete(paths, path)
	mu.Unlock()
}

// RemoveAll removes every temporary file still recorded (and SQLite's -journal, -wal and -shm
// beside it) and forgets them; it returns how many it removed.
func RemoveAll() int {
	mu.Lock()
	defer mu.Unlock()
	n := 0
	for p := range paths {
		for _, q := range []string{p, p + "-journal", p + "-wal", p + "-shm"} {
			if os.Remove(q) == nil && q == p {
				n++
			}
		}
		delete(paths, p)
	}
	return n
}

// Len is the number of temporary files recorded.
func Len() int {
	mu.Lock()
	defer mu.Unlock()
	return len(paths)
}
