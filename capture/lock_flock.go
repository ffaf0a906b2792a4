//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package capture

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// flockWait takes an exclusive flock on path, polling every poll until it is free or ctx is
// done. The lock file is opened without following a symbolic link and is never removed, so
// every process locks the same file.
func flockWait(ctx context.Context, path string, poll time.Duration, wait func()) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	fd := int(f.Fd())
	for waited := false; ; {
		err := syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { syscall.Flock(fd, syscall.LOCK_UN); f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if !waited {
			waited = true
			wait()
		}
		select {
		case <-time.After(poll):
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		}
	}
}
