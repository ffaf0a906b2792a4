package trace

import (
	"slices"

	"github.com/omnistat/omnistat/internal/hugepage"
	"github.com/omnistat/omnistat/internal/par"
)

// Codes is a column of ids with few distinct values (the thread of a call, the process and
// device of a GPU operation): each row holds a 16-bit code into the column's distinct values, 2
// bytes a row instead of 8. A column with more than 65,536 distinct values (no capture has that
// many threads; a damaged or hand-made export may) keeps the values themselves. Read a row with
// At; build a column with CodesOf or Append.
type Codes struct {
	codes  []uint16
	values []int64 // the distinct values, by code; shared by the columns cut from this one
	wide   []int64 // the values of every row, when there are too many distinct ones (else nil)
}

// maxCodes is the number of distinct values a 16-bit code tells apart.
const maxCodes = 1 << 16

// appendCodes is the most distinct values Append codes.
const appendCodes = 256

// CodesOf encodes vs; a column with too many distinct values keeps vs itself.
func CodesOf(vs []int64) Codes {
	return codesOf(vs, par.Parts(len(vs)))
}

// codesOf is CodesOf in the given number of parts: each part lists its distinct values in the
// order they first appear, the lists read in row order give the codes (the order a single walk
// gives them), then the parts encode their rows. Rows come in runs of one thread or process: a
// value is looked up once per run.
func codesOf(vs []int64, parts int) Codes {
	if parts < 2 {
		return codesOne(vs)
	}
	firsts := make([][]int64, parts)
	par.ForParts(len(vs), parts, func(p, lo, hi int) {
		seen := map[int64]bool{}
		var order []int64
		for i := lo; i < hi; i++ {
			if i > lo && vs[i] == vs[i-1] {
				continue
			}
			if !seen[vs[i]] {
				if len(seen) == maxCodes { // too many for this part alone: too many for the column
					order = append(order, vs[i])
					break
				}
				seen[vs[i]] = true
				order = append(order, vs[i])
			}
		}
		firsts[p] = order
	})
	index := map[int64]uint16{}
	var values []int64
	for _, order := range firsts {
		for _, v := range order {
			if _, ok := index[v]; !ok {
				if len(values) == maxCodes {
					return Codes{wide: slices.Clip(vs)}
				}
				index[v] = uint16(len(values))
				values = append(values, v)
			}
		}
	}
	c := Codes{codes: make([]uint16, len(vs)), values: values}
	hugepage.Hint(c.codes)
	par.ForParts(len(vs), parts, func(_, lo, hi int) {
		last, lastCode := int64(0), uint16(0)
		for i := lo; i < hi; i++ {
			if i > lo && vs[i] == last {
				c.codes[i] = lastCode
				continue
			}
			last, lastCode = vs[i], index[vs[i]]
			c.codes[i] = lastCode
		}
	})
	return c
}

// codesOne is CodesOf in one walk.
func codesOne(vs []int64) Codes {
	c := Codes{codes: make([]uint16, len(vs))}
	hugepage.Hint(c.codes)
	index := map[int64]uint16{}
	last, lastCode := int64(0), uint16(0)
	for i, v := range vs {
		if i > 0 && v == last { // rows come in runs of one thread or process
			c.codes[i] = lastCode
			continue
		}
		code, ok := index[v]
		if !ok {
			if len(c.values) == maxCodes {
				return Codes{wide: slices.Clip(vs)}
			}
			code = uint16(len(c.values))
			index[v] = code
			c.values = append(c.values, v)
		}
		c.codes[i], last, lastCode = code, v, code
	}
	return c
}

// At is row i's value.
func (c Codes) At(i int) int64 {
	if c.wide != nil {
		return c.wide[i]
	}
	return c.values[c.codes[i]]
}

// Only returns the value of every row when the column holds one distinct value (a subset's
// column shares the distinct values of the column it was cut from: ok false does not say its
// rows differ). It looks at no row.
func (c Codes) Only() (v int64, ok bool) {
	if c.wide == nil && len(c.values) == 1 {
		return c.values[0], true
	}
	return 0, false
}

// Runs calls f for each run of rows with one value, in order: rows [lo, hi) hold v.
func (c Codes) Runs(f func(lo, hi int, v int64)) {
	c.RunsIn(0, c.Len(), f)
}

// RunsIn is Runs over rows [from, to) only.
func (c Codes) RunsIn(from, to int, f func(lo, hi int, v int64)) {
	if c.wide != nil {
		valueRuns(c.wide[from:to], func(lo, hi int) { f(from+lo, from+hi, c.wide[from+lo]) })
		return
	}
	valueRuns(c.codes[from:to], func(lo, hi int) { f(from+lo, from+hi, c.values[c.codes[from+lo]]) })
}

// valueRuns calls f for each run of equal values of vs, in order.
func valueRuns[T uint16 | int64](vs []T, f func(lo, hi int)) {
	for i := 0; i < len(vs); {
		j := i + 1
		for j < len(vs) && vs[j] == vs[i] {
			j++
		}
		f(i, j)
		i = j
	}
}

// LeadingNulls is the number of rows at the start that hold Null (0 when the first row holds
// another value): what a walk that starts from "no value" and looks up a value only when it
// changes never looks up.
func (c Codes) LeadingNulls() int {
	n := c.Len()
	for i := range n {
		if c.At(i) != Null {
			return i
		}
	}
	return n
}

// Len is the number of rows.
func (c Codes) Len() int {
	if c.wide != nil {
		return len(c.wide)
	}
	return len(c.codes)
}

// Int64s is every row's value, in a new slice.
func (c Codes) Int64s() []int64 {
	out := make([]int64, c.Len())
	for i := range out {
		out[i] = c.At(i)
	}
	return out
}

// Append is c with vs added after its rows, for columns built row by row (a merge, a test);
// it may share memory with c, as append does. A value is looked up among the column's distinct
// values one by one, so past appendCodes of them the column keeps its values wide (compact
// encodes it again).
func (c Codes) Append(vs ...int64) Codes {
	for _, v := range vs {
		if c.wide != nil {
			c.wide = append(c.wide, v)
			continue
		}
		if n := len(c.codes); n > 0 && c.values[c.codes[n-1]] == v { // runs of one value
			c.codes = append(c.codes, c.codes[n-1])
			continue
		}
		code := slices.Index(c.values, v)
		if code < 0 {
			if len(c.values) == appendCodes {
				c = Codes{wide: append(c.Int64s(), v)}
				continue
			}
			code = len(c.values)
			c.values = append(c.values[:len(c.values):len(c.values)], v) // never writes a shared array
		}
		c.codes = append(c.codes, uint16(code))
	}
	return c
}

// compact is c encoded anew when Append left it wide.
func (c Codes) compact() Codes {
	if c.wide == nil {
		return c
	}
	return CodesOf(c.wide)
}

// pick is the kept rows of c (see pick); the distinct values are shared.
func (c Codes) pick(r rows) Codes {
	if c.wide != nil {
		return Codes{wide: pick(c.wide, r)}
	}
	return Codes{codes: pick(c.codes, r), values: c.values}
}

// clone is c with rows of its own.
func (c Codes) clone() Codes {
	return Codes{codes: slices.Clone(c.codes), values: c.values, wide: slices.Clone(c.wide)}
}
