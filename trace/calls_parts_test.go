package trace

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// The call index made in parts equals a brute-force join on (process, correlation id) keeping
// the first row: processes in runs, interleaved, one with dense ids and one with ids far apart
// (the sparse lists), NULL ids, repeated ids within a process (in different parts too) and the
// same id in two processes; every id asked for, ids never used, and whether ids repeat.
func TestCallIndexPartsBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 44))
	for _, dup := range []string{"none", "dense", "sparse"} { // where ids repeat
		var a APICalls
		var tids []int64
		const n = 40_000
		next := map[int64]int64{}
		for i := 0; i < n; {
			p := int64(1 + rng.IntN(3))
			for run := 1 + rng.IntN(50); run > 0 && i < n; run-- {
				var c int64
				switch {
				case rng.IntN(40) == 0:
					c = int64(Null32)
				case rng.IntN(200) == 0 && next[p] > 0 && (dup == "dense" && p != 3 || dup == "sparse" && p == 3):
					c = 1 + rng.Int64N(next[p]) // an id seen before
				case p == 3: // ids far apart: the sparse index
					next[p] += 1 + rng.Int64N(1<<20)
					c = next[p]
				default:
					next[p]++
					c = next[p]
				}
				tids = append(tids, p<<24|7)
				a.CorrID = append(a.CorrID, int32(c))
				i++
			}
		}
		a.GlobalTID = CodesOf(tids)
		first := map[[2]int64]int{}
		repeats := false
		for i, c := range a.CorrID {
			if c == Null32 {
				continue
			}
			k := [2]int64{ProcessOf(tids[i]), int64(c)}
			if _, ok := first[k]; ok {
				repeats = true
				continue
			}
			first[k] = i
		}
		for _, parts := range []int{1, 2, 3, 7, 16} {
			x := newCallIndex(&a, parts)
			if x.dups != repeats {
				t.Fatalf("repeats %s, parts=%d: dups %v, want %v", dup, parts, x.dups, repeats)
			}
			for k, want := range first {
				if got := x.Call(k[0], k[1]); got != want {
					t.Fatalf("repeats %s, parts=%d: process %d id %d at row %d, want %d", dup, parts, k[0], k[1], got, want)
				}
			}
			for _, k := range [][2]int64{{1, next[1] + 1}, {3, next[3] + 5}, {9, 1}, {1, int64(Null32)}} {
				if got := x.Call(k[0]<<24, k[1]); got != -1 {
					t.Fatalf("repeats %s, parts=%d: process %d id %d found at row %d", dup, parts, k[0], k[1], got)
				}
			}
		}
	}
}

// exclusiveParts marks a part's ids of a process as its own exactly when no other part's range of
// that process's ids meets them (a brute force over every pair): random ranges of a few
// processes over up to 40 parts, ranges that touch, nest and repeat, a process absent from some
// parts.
func TestExclusivePartsBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 55))
	for trial := range 2000 {
		nprocs, parts := 1+rng.IntN(4), 1+rng.IntN(40)
		var procs []procEntry
		for p := range nprocs {
			procs = append(procs, procEntry{gpid: int64(p+1) << 24})
		}
		spans := make([][]idSpan, parts)
		for w := range spans {
			for _, p := range rng.Perm(nprocs) {
				if rng.IntN(3) == 0 {
					continue
				}
				lo := int64(rng.IntN(60))
				spans[w] = append(spans[w], idSpan{p: procs[p].gpid, lo: lo, hi: lo + int64(rng.IntN(8)), n: 1})
			}
		}
		own := exclusiveParts(spans, procs)
		for w, sp := range spans {
			for pi, e := range procs {
				j := slices.IndexFunc(sp, func(s idSpan) bool { return s.p == e.gpid })
				want := j >= 0
				for v, other := range spans {
					k := slices.IndexFunc(other, func(s idSpan) bool { return s.p == e.gpid })
					if want && v != w && k >= 0 && other[k].lo <= sp[j].hi && sp[j].lo <= other[k].hi {
						want = false
					}
				}
				if own[w][pi] != want {
					t.Fatalf("trial %d, part %d, process %d: own %v, want %v (%v)", trial, w, pi, own[w][pi], want, spans)
				}
			}
		}
	}
}
