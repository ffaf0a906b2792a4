package stat

import "slices"

// radixMin is the length from which Sort uses a radix sort; shorter slices use slices.Sort.
const radixMin = 4096

// Sort sorts xs in ascending order, the same order slices.Sort gives. Long slices are sorted by
// a least-significant-digit radix sort over bytes (sign bit flipped), which skips the bytes in
// which every value agrees; durations in nanoseconds rarely use more than four bytes.
func Sort[T Int](xs []T) {
	if len(xs) < radixMin {
		slices.Sort(xs)
		return
	}
	const flip = uint64(1) << 63
	var diff uint64                      // the bits in which some value differs from the first
	first := uint64(int64(xs[0])) ^ flip // a 32-bit value sign-extended: the same order
	for _, x := range xs {
		diff |= (uint64(int64(x)) ^ flip) ^ first
	}
	src, dst := xs, make([]T, len(xs))
	for shift := uint(0); shift < 64; shift += 8 {
		if (diff>>shift)&0xff == 0 {
			continue
		}
		var count [256]int
		for _, x := range src {
			count[((uint64(int64(x))^flip)>>shift)&0xff]++
		}
		at := 0
		for i, c := range count {
			count[i] = at
			at += c
		}
		for _, x := range src {
			d := ((uint64(int64(x)) ^ flip) >> shift) & 0xff
			dst[count[d]] = x
			count[d]++
		}
		src, dst = dst, src
	}
	if &src[0] != &xs[0] {
		copy(xs, src)
	}
}
