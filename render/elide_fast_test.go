package render

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// elideApartAllCells is elideApart as it was: every cut checked against every cell (differing).
func elideApartAllCells(cells []string, max int) []string {
	out := make([]string, len(cells))
	by := map[string][]int{}
	for i, c := range cells {
		out[i] = elide(c, max)
		by[out[i]] = append(by[out[i]], i)
	}
	for _, idx := range by {
		p := utf8.RuneCountInString(cells[idx[0]]) // where the cells first differ
		for _, i := range idx[1:] {
			p = min(p, firstDiff(cells[idx[0]], cells[i]))
		}
		if allEqual(cells, idx) {
			continue
		}
		for _, i := range idx {
			out[i] = window(cells[i], p, max)
		}
	}
	// a cut that other cells fit too (its pieces between "…" appear in them in order: a
	// split_k gemm and a plain one cut where neither's difference shows) shows instead, after
	// its head, a piece around each place where it first differs from one of them, when that
	// fits no other cell
	for i := range cells {
		d := differing(cells, i, out[i])
		if len(d) > 0 {
			d = d[len(d)-1:] // the last place it differs: the others' heads are alike up to it
		}
		for try := 0; len(d) > 0 && try < 4; try++ { // one piece more for each cell a cut still fits
			c := pieces(cells[i], d, max)
			if c == "" {
				break
			}
			more := differing(cells, i, c)
			if len(more) == 0 {
				out[i] = c
				break
			}
			d = slices.Compact(slices.Sorted(slices.Values(append(d, more[0]))))
		}
	}
	for range 3 { // numbering may make a cut another cell has: number again
		by = map[string][]int{}
		for i := range cells {
			by[out[i]] = append(by[out[i]], i)
		}
		again := false
		for _, idx := range by {
			if allEqual(cells, idx) {
				continue
			}
			again = true
			var distinct []string
			for _, i := range idx {
				distinct = append(distinct, cells[i])
			}
			slices.Sort(distinct)
			distinct = slices.Compact(distinct)
			for _, i := range idx {
				n, _ := slices.BinarySearch(distinct, cells[i])
				out[i] = elide(cells[i], max)
				if n > 0 {
					out[i] = elide(fmt.Sprintf("%s #%d", cells[i], n+1), max)
				}
			}
		}
		if !again {
			break
		}
	}
	return out
}

// elideApart gives the cuts it gave when every cut was checked against every cell, on columns
// of short names (uncut, the case that was quadratic: 240,000 kernel names took minutes) mixed
// with long ones that share heads and differ in their middles, at several widths.
func TestElideApartShortCutsNeedNoWalk(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 55))
	for round := range 40 {
		var cells []string
		for k := range 30 + round*5 {
			switch rng.IntN(3) {
			case 0:
				cells = append(cells, "k"+strconv.Itoa(k))
			case 1:
				cells = append(cells, "sm90_xmma_gemm_f16f16_f16f32_tilesize"+strconv.Itoa(rng.IntN(8)*32)+"x64x32_stage"+strconv.Itoa(rng.IntN(4))+"_warpsize2x2x1_kernel")
			default:
				cells = append(cells, strings.Repeat("n", 40+rng.IntN(20))+"X"+strconv.Itoa(rng.IntN(5)))
			}
		}
		cells = slices.Compact(slices.Sorted(slices.Values(cells)))
		for _, max := range []int{12, 30, 60} {
			got := elideApart(cells, max)
			want := elideApartAllCells(cells, max)
			if !slices.Equal(got, want) {
				t.Fatalf("round %d, width %d: cuts differ\n got %q\nwant %q", round, max, got, want)
			}
		}
	}
}
