package diff

import (
	"fmt"
	"math"

	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/summary"
)

// verdict sums up a stage: faster or slower (wall per step), and the largest change.
func verdict(d Stage) (string, float64) {
	switch {
	case !d.InBase:
		return fmt.Sprintf("%s: new stage", d.Stage), 0
	case !d.InNew:
		return fmt.Sprintf("%s: stage gone", d.Stage), 0
	}
	wall := d.Figures[0]
	p := 0.0
	if wall.ChangePct != nil {
		p = *wall.ChangePct
	}
	per := ""
	if d.Per != "" {
		per = " per " + d.Per
	}
	word := "no change"
	switch {
	case p <= -2:
		word = fmt.Sprintf("%.1f%% faster", -p)
	case p >= 2:
		word = fmt.Sprintf("%.1f%% slower", p)
	}
	out := fmt.Sprintf("%s: %s%s (wall %s → %s ns)", d.Stage, word, per, summary.FloatSep(wall.Base), summary.FloatSep(wall.New))
	t := d.apiAll
	if t == nil { // a Stage made without Compare: the table shown
		for _, x := range d.Tables {
			if x.Name == "cuda_api_sum_diff" {
				t = x
			}
		}
	}
	switch {
	case t == nil || len(t.Rows) == 0:
	case t.Rows[0][t.Col("Change")].F == 0: // every API as it was (to the 0.1 ns shown)
		out += "; no CUDA API time changed"
	default:
		r := t.Rows[0]
		out += fmt.Sprintf("; biggest API change: %s %s (%s ns)", r[t.Col("Name")].S, r[t.Col("Status")].S, summary.Signed(r[t.Col("Change")].F))
		if o, ok := offset(t); ok {
			out += fmt.Sprintf(", offset by %s (%s ns)", o[t.Col("Name")].S, summary.Signed(o[t.Col("Change")].F))
		}
	}
	return out, p
}

// OffsetShare is the part of the biggest API change that a change of the opposite sign must
// reach for the verdict to name it: time that left one call and came back in another (a copy
// made asynchronous whose wait moved into a synchronisation) is not time saved.
const OffsetShare = 0.5

// offset is the row of the API table (sorted by the size of the change, the biggest first)
// with the biggest change of the opposite sign to the first row's, when it is at least
// OffsetShare of it (a change of 0 never is: it comes last, and is not OffsetShare of anything).
func offset(t *table.Table) ([]table.Value, bool) {
	c := t.Col("Change")
	first := t.Rows[0][c].F
	for _, r := range t.Rows {
		if x := r[c].F; (x > 0) != (first > 0) {
			return r, math.Abs(x) >= OffsetShare*math.Abs(first)
		}
	}
	return nil, false
}
