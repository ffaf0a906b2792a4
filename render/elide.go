package render

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/omnistat/omnistat/reports/table"
)

// cellTexts are the shown texts of t's rows in the visible columns cols: pretty, and clipped
// where cut says; with o.Elide (and MaxText above 0) each clipped column is cut as a whole
// (elideApart), so that distinct names stay distinct.
func cellTexts(t *table.Table, cols []int, cut []bool, o Options) [][]string {
	out := make([][]string, len(t.Rows))
	for r, row := range t.Rows {
		out[r] = make([]string, len(cols))
		for j, ci := range cols {
			out[r][j] = pretty(row[ci], t.Columns[ci], o)
		}
	}
	for j := range cols {
		if !cut[j] {
			continue
		}
		col := make([]string, len(out))
		for r := range out {
			col[r] = out[r][j]
		}
		if o.Elide && o.MaxText > 0 && o.names != nil {
			for r := range col {
				col[r] = o.names.cut(col[r], o.MaxText)
			}
		} else if o.Elide && o.MaxText > 0 {
			col = elideApart(col, o.MaxText)
		} else {
			for r := range col {
				col[r] = clip(col[r], o.MaxText)
			}
		}
		for r := range out {
			out[r][j] = col[r]
		}
	}
	return out
}

// clip clips text cell s as o says: elide when o.Elide (and MaxText above 0), else clip.
func (o Options) clip(s string) string {
	if o.Elide && o.MaxText > 0 {
		return elide(s, o.MaxText)
	}
	return clip(s, o.MaxText)
}

// elide shortens s to max characters (max above 0) by cutting its middle: the head names the
// family (namespace, kernel), the tail tells instances apart (ShortKernelNames' "<…, FillFunctor,
// …>", "<…CUDAFunctor_add…>"), so it gets the larger half; a " #N" suffix (ShortKernelNames'
// numbering) is kept whole, the rest cut to fit before it. Where max leaves less than 3
// characters beside the suffix, the end is cut as clip does.
func elide(s string, max int) string {
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	suffix := numberSuffix(s)
	room := max - utf8.RuneCountInString(suffix)
	if room < 3 {
		return clip(s, max)
	}
	body := r[:len(r)-utf8.RuneCountInString(suffix)]
	head := (room - 1) / 2
	tail := room - 1 - head
	return string(body[:head]) + "…" + string(body[len(body)-tail:]) + suffix
}

// numberSuffix is the " #N" (N digits) that s ends in after some text, or "".
func numberSuffix(s string) string {
	i := strings.LastIndex(s, " #")
	if i <= 0 || i+2 == len(s) || strings.Trim(s[i+2:], "0123456789") != "" {
		return ""
	}
	return s[i:]
}

// elideApart is elide for the cells of one column, keeping distinct cells distinct where
// elide would not: cells that elide alike but differ (names that differ only in their middle,
// "sm90_xmma_…_tilesize64x64x32_…" and "…_tilesize128x64x32_…") show their head, "…", a window
// from just before where they first differ, and "…" (window). Cells no window tells apart
// ("nnn…nnnX" of several lengths) are cut in the middle and numbered in their sorted order: the
// first as elide cuts it, the next with " #2" (kept whole), and so on. Equal cells stay equal,
// distinct cells end distinct.
func elideApart(cells []string, max int) []string {
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
	has := make(map[string]bool, len(cells))
	for _, c := range cells {
		has[c] = true
	}
	for i := range cells {
		d := differingCut(cells, has, i, out[i])
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

// fits reports whether cut (a cell cut with "…") could be cell: its pieces between "…" appear
// in cell in order. A cut with no "…" fits only itself.
func fits(cut, cell string) bool {
	if !strings.Contains(cut, "…") {
		return cut == cell
	}
	rest := cell
	for _, piece := range strings.Split(cut, "…") {
		k := strings.Index(rest, piece)
		if k < 0 {
			return false
		}
		rest = rest[k+len(piece):]
	}
	return true
}

// differing is where cells[i] first differs from each other cell that cut fits (in
// characters, sorted, once each); nil when cut fits no other cell.
func differing(cells []string, i int, cut string) []int {
	var ps []int
	for _, c := range cells {
		if c == cells[i] || !fits(cut, c) {
			continue
		}
		ps = append(ps, firstDiff(cells[i], c))
	}
	slices.Sort(ps)
	return slices.Compact(ps)
}

// differingCut is differing(cells, i, cut) without a walk of every cell when cut holds no
// "…": such a cut fits only the cell it equals, found in has (the cells as a set). A column of
// 240,000 distinct short kernel names took minutes with a walk per cell.
func differingCut(cells []string, has map[string]bool, i int, cut string) []int {
	if strings.Contains(cut, "…") {
		return differing(cells, i, cut)
	}
	if cut != cells[i] && has[cut] {
		return []int{firstDiff(cells[i], cut)}
	}
	return nil
}

// firstDiff is where a and b first differ, in characters (the shorter's length when it is the
// other's start).
func firstDiff(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	k := 0
	for k < min(len(ra), len(rb)) && ra[k] == rb[k] {
		k++
	}
	return k
}

// pieces cuts s to n characters as its head and a piece around each place of ps (from a few
// characters before it, at a "_", ":", "<", ",", "x" or blank when one is near), joined by
// "…", a " #N" suffix kept whole; "" when they do not fit in n.
func pieces(s string, ps []int, n int) string {
	suffix := numberSuffix(s)
	body := []rune(strings.TrimSuffix(s, suffix))
	room := n - utf8.RuneCountInString(suffix)
	k := len(ps)
	head := min(12, room/4)
	w := (room - head - k - 1) / k // each piece, between "…"s
	if w < 5 {
		return ""
	}
	var b strings.Builder
	b.WriteString(string(body[:min(head, len(body))]))
	end := head
	for _, p := range ps {
		p = min(p, len(body))
		from := max(p-w/3, end)
		for q := p - 4; q > end && q >= p-w/2; q-- { // a few characters of what precedes p
			if strings.ContainsRune("_:<, x", body[q]) {
				from = q + 1
				break
			}
		}
		if from >= len(body) {
			break
		}
		if from > end {
			b.WriteString("…")
		}
		to := min(from+w, len(body))
		b.WriteString(string(body[from:to]))
		end = to
	}
	if end < len(body) {
		b.WriteString("…")
	}
	b.WriteString(suffix)
	if out := b.String(); utf8.RuneCountInString(out) <= n {
		return out
	}
	return ""
}

func allEqual(cells []string, idx []int) bool {
	for _, i := range idx {
		if cells[i] != cells[idx[0]] {
			return false
		}
	}
	return true
}

// window shortens s to max characters keeping character p (where s differs from names alike)
// and some before it (back to a "_", ":", "<", "," or blank, if near): its head, "…", the
// window, "…", and a " #N" suffix whole. When p is near the start the end is cut, when near
// the end the middle (elide).
func window(s string, p, n int) string {
	suffix := numberSuffix(s)
	room := n - utf8.RuneCountInString(suffix)
	body := []rune(strings.TrimSuffix(s, suffix))
	if room < 8 || len(body) <= room {
		return elide(s, n)
	}
	p = min(p, len(body)) // s may end where the others go on
	head := (room - 2) / 3
	w := room - 2 - head
	from := max(p-w/4, 0)
	for k := p - 1; k >= 0 && k >= p-w/2; k-- {
		if strings.ContainsRune("_:<, ", body[k]) {
			from = k + 1
			break
		}
	}
	switch {
	case p < room-1 && from <= head: // near the start: cut the end
		return string(body[:room-1]) + "…" + suffix
	case from+w >= len(body): // near the end: cut the middle
		return elide(s, n)
	}
	return string(body[:head]) + "…" + string(body[from:from+w]) + "…" + suffix
}
