// Package golden compares omnistat's CSV output with the CSV nsys printed for the same file.
// Rows must match exactly and in order, except that rows whose sort key ties may come in any
// order (nsys's ORDER BY leaves ties unspecified). It is test support and refuses everything else.
package golden

import (
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
)

// Compare checks got against want (both CSV text); keyCol is the column the report sorts by
// (-1 to demand the exact order). It returns a description of the first difference, or "".
func Compare(got, want string, keyCol int) string {
	if got == want {
		return ""
	}
	g, err := csv.NewReader(strings.NewReader(got)).ReadAll()
	if err != nil {
		return fmt.Sprintf("our CSV does not parse: %v", err)
	}
	w, err := csv.NewReader(strings.NewReader(want)).ReadAll()
	if err != nil {
		return fmt.Sprintf("golden CSV does not parse: %v", err)
	}
	if len(g) == 0 || len(w) == 0 {
		return fmt.Sprintf("empty output: got %d lines, want %d", len(g), len(w))
	}
	if !slices.Equal(g[0], w[0]) {
		return fmt.Sprintf("header differs:\n got  %q\n want %q", g[0], w[0])
	}
	if len(g) != len(w) {
		return fmt.Sprintf("got %d rows, want %d", len(g)-1, len(w)-1)
	}
	// rows may differ only in order within runs of equal keys
	for i := 1; i < len(w); {
		j := i
		for j < len(w) && keyCol >= 0 && w[j][keyCol] == w[i][keyCol] {
			j++
		}
		if j == i {
			j = i + 1
		}
		gs, ws := join(g[i:j]), join(w[i:j])
		slices.Sort(gs)
		slices.Sort(ws)
		for k := range ws {
			if gs[k] != ws[k] {
				return fmt.Sprintf("rows %d..%d differ:\n got  %s\n want %s", i, j-1, gs[k], ws[k])
			}
		}
		i = j
	}
	return ""
}

func join(rows [][]string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = strings.Join(r, ",")
	}
	return out
}
