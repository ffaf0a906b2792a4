// Package par runs functions on goroutines so that a panic in one of them is not a crash: the
// first panic is re-raised in the goroutine that waits, where the CLI's recover turns it into
// one line and exit status 1 (a panic on a bare goroutine ends the process with status 2, the
// code of a usage error). It does nothing else.
package par

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
)

// Group is a sync.WaitGroup that carries panics to Wait. The zero value is ready to use.
type Group struct {
	wg    sync.WaitGroup
	mu    sync.Mutex
	p     any
	stack []byte
}

// Go runs f on a new goroutine.
func (g *Group) Go(f func()) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		defer func() {
			if r := recover(); r != nil {
				g.mu.Lock()
				if g.p == nil {
					g.p, g.stack = r, debug.Stack()
				}
				g.mu.Unlock()
			}
		}()
		f()
	}()
}

// Wait waits for every function and re-raises the first panic, with the stack of the goroutine
// it happened on.
func (g *Group) Wait() {
	g.wg.Wait()
	if g.p != nil {
		panic(Panic{Value: g.p, Stack: g.stack})
	}
}

// Panic is a panic carried from another goroutine.
type Panic struct {
	Value any
	Stack []byte
}

func (p Panic) String() string { return fmt.Sprintf("%v", p.Value) }

// For runs f over [0, n) cut into contiguous parts, one per GOMAXPROCS, concurrently when n is
// large enough to pay for it (at least 1<<15 items, 1<<13 per part); otherwise f(0, n) runs
// alone. A panic in a part is carried to the caller, as Group's.
func For(n int, f func(lo, hi int)) {
	ForParts(n, Parts(n), func(_, lo, hi int) { f(lo, hi) })
}

// Parts is the number of parts For cuts [0, n) into.
func Parts(n int) int {
	parts := min(runtime.GOMAXPROCS(0), n>>13)
	if parts < 2 || n < 1<<15 {
		return 1
	}
	return parts
}

// ForParts runs f(p, lo, hi) for each part p of [0, n) cut into parts contiguous parts (p from
// 0, part p from p*n/parts to (p+1)*n/parts), concurrently when there are two or more. Two calls
// with the same n and parts cut alike, so a first pass can count what each part will write and a
// second write it in place.
func ForParts(n, parts int, f func(p, lo, hi int)) {
	if parts < 2 {
		f(0, 0, n)
		return
	}
	var g Group
	for p := range parts {
		g.Go(func() { f(p, p*n/parts, (p+1)*n/parts) })
	}
	g.Wait()
}

// Counters is n zeroed ints for one part's counters, in memory of their own: at least 128
// bytes, an allocation no smaller object shares a cache line with, so parts counting row by
// row do not slow each other down through one line.
func Counters(n int) []int { return make([]int, n, max(n, 16)) }
