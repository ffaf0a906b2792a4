package summary

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/omnistat/omnistat/trace"
)

// unionKeep or-s the stages' masks row by row (in parallel parts on long tables) and says
// whether they keep every row of the runtime, kernel, copy, memset and NVTX tables (OS runtime
// calls aside), against a serial or; no stages: nil masks, all.
func TestUnionKeepEqualsSerialOr(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 40))
	for _, rows := range []int{5, 70_000} {
		for _, stages := range []int{1, 2, 3} {
			for _, fill := range []bool{false, true} {
				keeps := make([]trace.Keep, stages)
				mask := func() []bool { return make([]bool, rows) }
				for s := range keeps {
					keeps[s] = trace.Keep{Runtime: mask(), Kernels: mask(), Memcpy: mask(), Memset: mask(), NVTX: mask(), OSRT: mask()}
				}
				for _, get := range []func(k *trace.Keep) []bool{
					func(k *trace.Keep) []bool { return k.Runtime }, func(k *trace.Keep) []bool { return k.Kernels },
					func(k *trace.Keep) []bool { return k.Memcpy }, func(k *trace.Keep) []bool { return k.Memset },
					func(k *trace.Keep) []bool { return k.NVTX }, func(k *trace.Keep) []bool { return k.OSRT },
				} {
					for i := range rows { // each row to one stage, or (unless filling) to none
						if s := rng.IntN(stages + 1); s < stages {
							get(&keeps[s])[i] = true
						} else if fill {
							get(&keeps[0])[i] = true
						}
					}
				}
				if !fill && rows > 5 { // a hole in the last row of one table only
					for s := range keeps {
						keeps[s].Memset[rows-1] = false
					}
				}
				u, all := unionKeep(keeps)
				wantAll := true
				for _, pick := range []func(k trace.Keep) []bool{
					func(k trace.Keep) []bool { return k.Runtime }, func(k trace.Keep) []bool { return k.Kernels },
					func(k trace.Keep) []bool { return k.Memcpy }, func(k trace.Keep) []bool { return k.Memset },
					func(k trace.Keep) []bool { return k.NVTX }, func(k trace.Keep) []bool { return k.OSRT },
				} {
					want := make([]bool, rows)
					for _, k := range keeps {
						for i, v := range pick(k) {
							want[i] = want[i] || v
						}
					}
					if !slices.Equal(pick(u), want) {
						t.Fatalf("%d rows, %d stages: a table's union differs from the serial or", rows, stages)
					}
					if slices.Contains(want, false) && &pick(u)[0] != &u.OSRT[0] {
						wantAll = false
					}
				}
				if all != wantAll {
					t.Fatalf("%d rows, %d stages, fill %v: all %v, want %v", rows, stages, fill, all, wantAll)
				}
			}
		}
	}
	if u, all := unionKeep(nil); !all || u.Runtime != nil || u.NVTX != nil {
		t.Fatalf("no stages: %v %v", u, all)
	}
}
