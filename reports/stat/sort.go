package stat

import (
	"github.com/omnistat/omnistat/internal/hugepage"
	"slices"

	"github.com/omnistat/omnistat/internal/par"
)

// radixMin is the length from which Sort uses a radix sort; shorter slices use slices.Sort.
const radixMin = 4096

// Sort sorts xs in ascending order, the same order slices.Sort gives. Long slices are sorted by
// a least-significant-digit radix sort over bytes (sign bit flipped), which skips the bytes in
// which every value agrees; durations in nanoseconds rarely use more than four bytes.
func Sort[T Int](xs []T) {
	sortParts(xs, par.Parts(len(xs)))
}

// sortParts is Sort with each radix pass in parts parts: each part counts its own digits, then
// places its values after those of the parts before it with the same digit (the order a single
// pass gives, so the sort stays stable and its result the same).
func sortParts[T Int](xs []T, parts int) {
	if len(xs) < radixMin {
		slices.Sort(xs)
		return
	}
	parts = max(1, parts)
	const flip = uint64(1) << 63
	first := uint64(int64(xs[0])) ^ flip // a 32-bit value sign-extended: the same order
	diffs := make([]uint64, parts)       // the bits in which some value differs from the first
	par.ForParts(len(xs), parts, func(p, lo, hi int) {
		var d uint64
		for _, x := range xs[lo:hi] {
			d |= (uint64(int64(x)) ^ flip) ^ first
		}
		diffs[p] = d
	})
	var diff uint64
	for _, d := range diffs {
		diff |= d
	}
	src, dst := xs, make([]T, len(xs))
	hugepage.Hint(dst)
	count := make([][256]int, parts)
	for shift := uint(0); shift < 64; shift += 8 {
		if (diff>>shift)&0xff == 0 {
			continue
		}
		par.ForParts(len(xs), parts, func(p, lo, hi int) {
			c := &count[p]
			*c = [256]int{}
			for _, x := range src[lo:hi] {
				c[((uint64(int64(x))^flip)>>shift)&0xff]++
			}
		})
		at := 0
		for d := range 256 {
			for p := range parts {
				c := count[p][d]
				count[p][d] = at
				at += c
			}
		}
		par.ForParts(len(xs), parts, func(p, lo, hi int) {
			c := &count[p]
			for _, x := range src[lo:hi] {
				d := ((uint64(int64(x)) ^ flip) >> shift) & 0xff
				dst[c[d]] = x
				c[d]++
			}
		})
		src, dst = dst, src
	}
	if &src[0] != &xs[0] {
		copy(xs, src)
	}
}
