package stat

import "math/bits"

// Median is Quantile(sorted xs, 0.5) without sorting: it selects the middle values in place
// (xs is reordered, not sorted), in linear time on average. An empty xs gives 0.
func Median[T Int](xs []T) float64 {
	n := len(xs)
	if n == 0 {
		return 0
	}
	k := n / 2 // 0-based index of the upper middle value
	selectNth(xs, k)
	if n%2 == 1 {
		return float64(xs[k])
	}
	lo := xs[0] // the largest of the lower half is the other middle value
	for _, x := range xs[1:k] {
		lo = max(lo, x)
	}
	return (float64(lo) + float64(xs[k])) / 2
}

// selectNth reorders xs so that xs[k] holds the value it would hold sorted, with no larger value
// before it and no smaller one after it. Quickselect with median-of-three pivots; after
// 2·log2(n) rounds without converging it sorts what is left, so the worst case stays n·log n.
func selectNth[T Int](xs []T, k int) {
	lo, hi := 0, len(xs)-1
	budget := 2 * bits.Len(uint(len(xs)))
	for hi > lo {
		if budget == 0 {
			Sort(xs[lo : hi+1])
			return
		}
		budget--
		mid := lo + (hi-lo)/2
		if xs[mid] < xs[lo] {
			xs[mid], xs[lo] = xs[lo], xs[mid]
		}
		if xs[hi] < xs[lo] {
			xs[hi], xs[lo] = xs[lo], xs[hi]
		}
		if xs[hi] < xs[mid] {
			xs[hi], xs[mid] = xs[mid], xs[hi]
		}
		p := xs[mid]
		// Hoare partition: [lo, j] ≤ p ≤ [j+1, hi]
		i, j := lo-1, hi+1
		for {
			for i++; xs[i] < p; i++ {
			}
			for j--; xs[j] > p; j-- {
			}
			if i >= j {
				break
			}
			xs[i], xs[j] = xs[j], xs[i]
		}
		if k <= j {
			hi = j
		} else {
			lo = j + 1
		}
	}
}
