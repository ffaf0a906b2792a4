//go:build !unix

package safefs

// Elsewhere os.Root refuses to follow links by itself (on Windows with O_NOFOLLOW_ANY).
const (
	oNoFollow = 0
	oCloexec  = 0
)
