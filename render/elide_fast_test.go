package render

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// differingCut is differing for every cut: cuts without "…" (equal to their cell, to another
// cell, to no cell) answered from the set of cells, cuts with one by the walk; over columns of
// short names and long ones that share heads.
func TestDifferingCutAgainstDiffering(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 55))
	for round := range 40 {
		var cells []string
		for k := range 20 + round*3 {
			switch rng.IntN(3) {
			case 0:
				cells = append(cells, "k"+strconv.Itoa(k))
			case 1:
				cells = append(cells, "sm90_xmma_gemm_tilesize"+strconv.Itoa(rng.IntN(8)*32)+"x64x32_stage"+strconv.Itoa(rng.IntN(4)))
			default:
				cells = append(cells, "k"+strconv.Itoa(rng.IntN(40))) // repeats another cell
			}
		}
		has := map[string]bool{}
		for _, c := range cells {
			has[c] = true
		}
		for i := range cells {
			for _, cut := range []string{cells[i], cells[rng.IntN(len(cells))], "k999", elide(cells[i], 12), cells[i][:min(5, len(cells[i]))] + "…"} {
				if got, want := differingCut(cells, has, i, cut), differing(cells, i, cut); !slices.Equal(got, want) {
					t.Fatalf("cell %q, cut %q: %v, want %v", cells[i], cut, got, want)
				}
			}
		}
	}
}
