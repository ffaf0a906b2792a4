//go:build !(linux || darwin || dragonfly || freebsd || netbsd || openbsd)

package capture

import (
	"context"
	"time"
)

// flockWait is a no-op where flock is missing: calls in one process still share an export
// (see lock), and separate processes at worst export twice, each to its own temporary file.
func flockWait(ctx context.Context, path string, poll time.Duration, wait func()) (func(), error) {
	return func() {}, nil
}
