package capture

import (
	"context"
	"path/filepath"
	"sync"
	"time"
)

// held has one single-slot channel per lock path: calls in this process queue on it before
// taking the file lock, so they share an export even where flock is missing.
var held sync.Map // string -> chan struct{}

// lock takes the advisory lock path (made when missing), waiting until it is free or ctx is
// done; wait is called once if it has to wait. It returns the function that releases it.
func lock(ctx context.Context, path string, poll time.Duration, wait func()) (unlock func(), err error) {
	key := path
	if abs, err := filepath.Abs(path); err == nil {
		key = abs
	}
	v, _ := held.LoadOrStore(key, make(chan struct{}, 1))
	ch := v.(chan struct{})
	waited := false
	select {
	case ch <- struct{}{}:
	default:
		waited = true
		wait()
		select {
		case ch <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	release, err := flockWait(ctx, path, poll, func() {
		if !waited {
			wait()
		}
	})
	if err != nil {
		<-ch
		return nil, err
	}
	return func() { release(); <-ch }, nil
}
