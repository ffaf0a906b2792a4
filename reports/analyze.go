package reports

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/omnistat/omnistat/reports/table"
	"github.com/omnistat/omnistat/trace"
)

// Rule is one registered `nsys analyze` rule: a table of places where the trace shows a known
// performance problem. With its default options, Run's table equals the CSV of
// `nsys analyze --rule NAME --format csv` (nsys 2025.3.1) on the same file.
type Rule struct {
	Name  string
	Title string
	// Opts are the accepted "key=value" options besides rows, with their defaults.
	Opts map[string]int
	// Needs are the event tables the rule reads.
	Needs trace.Tables
	// Skip returns nsys's reason for skipping the rule on tr (the text after the file name of
	// its "SKIPPED: FILE …" line), or "".
	Skip func(tr *trace.Trace) string
	Run  func(tr *trace.Trace, opt RuleOptions) *table.Table
}

// RuleOptions are a rule's options, "name:key=value:key=value" as nsys takes them.
type RuleOptions struct {
	// Rows caps the rows (nsys's rows=, default 50); a negative value means no cap.
	Rows int
	// Values holds the rule's own options (gap, threshold, chunks), defaults filled in.
	Values map[string]int
}

// DefaultRows is nsys analyze's default row limit.
const DefaultRows = 50

var rules = map[string]Rule{}

func registerRule(r Rule) { rules[r.Name] = r }

// RuleNames lists the registered rules in nsys's default order.
func RuleNames() []string {
	var out []string
	for _, n := range DefaultRules {
		if _, ok := rules[n]; ok {
			out = append(out, n)
		}
	}
	return out
}

// DefaultRules is nsys analyze's default rule set (less dx12_mem_ops), in nsys's order.
var DefaultRules = []string{"cuda_memcpy_async", "cuda_memcpy_sync", "cuda_memset_sync", "cuda_api_sync", "gpu_gaps", "gpu_time_util"}

// LookupRule parses a rule spec "name[:key=value…]" into its rule and options. Values are
// integers, as nsys's argument parser wants them.
func LookupRule(spec string) (Rule, RuleOptions, error) {
	parts := strings.Split(spec, ":")
	r, ok := rules[parts[0]]
	if !ok {
		return Rule{}, RuleOptions{}, fmt.Errorf("unknown rule %q (known: %s)", parts[0], strings.Join(RuleNames(), ", "))
	}
	opt := RuleOptions{Rows: DefaultRows, Values: map[string]int{}}
	for k, v := range r.Opts {
		opt.Values[k] = v
	}
	accepted := []string{"rows"}
	for k := range r.Opts {
		accepted = append(accepted, k)
	}
	sort.Strings(accepted[1:])
	for _, a := range parts[1:] {
		k, v, ok := strings.Cut(a, "=")
		_, own := r.Opts[k]
		if !ok || (k != "rows" && !own) {
			switch k {
			case "start", "end", "nvtx", "process", "thread":
				return Rule{}, RuleOptions{}, fmt.Errorf("rule %s: option %q is not supported by omnistat (accepted: %s)", r.Name, k, strings.Join(accepted, ", "))
			}
			return Rule{}, RuleOptions{}, fmt.Errorf("rule %s: unknown option %q (accepted: %s, as KEY=VALUE)", r.Name, a, strings.Join(accepted, ", "))
		}
		n, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(v), "+"))
		if err != nil {
			return Rule{}, RuleOptions{}, fmt.Errorf("rule %s: option %s wants an integer, got %q", r.Name, k, v)
		}
		if k == "rows" {
			opt.Rows = n
			continue
		}
		if k == "chunks" && n != 0 && (n < 1 || n > 1000) { // nsys lets 0 through (no chunks, no rows)
			return Rule{}, RuleOptions{}, fmt.Errorf("rule %s: chunks must be between 1 and 1000, got %d", r.Name, n)
		}
		opt.Values[k] = n
	}
	return r, opt, nil
}

// limit cuts rows to nsys's LIMIT: a negative limit keeps everything.
func limit[T any](rows []T, n int) []T {
	if n >= 0 && len(rows) > n {
		return rows[:n]
	}
	return rows
}

// colAt is xs[i], or Null when the column was not read.
// codeAt is colAt for a coded column.
func codeAt(c trace.Codes, i int) int64 {
	if i < c.Len() {
		return c.At(i)
	}
	return trace.Null
}

func colAt(xs []int64, i int) int64 {
	if i < len(xs) {
		return xs[i]
	}
	return trace.Null
}

// idVal is an integer cell, empty for an SQL NULL.
func idVal(v int64) table.Value {
	if v == trace.Null {
		return table.Value{}
	}
	return table.I64(v)
}

// pidOf is the process id packed into a global process or thread id.
func pidOf(global int64) int64 {
	if global == trace.Null {
		return trace.Null
	}
	return (global >> 24) & 0xFFFFFF
}

// lowerASCII lowers ASCII letters only, as SQLite's LIKE compares.
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// matchingAPIs maps each StringIds id used by a CUDA runtime call to its name, for the names
// that match.
func matchingAPIs(tr *trace.Trace, match func(lower string) bool) map[int32]string {
	return usedAPIs(tr).matching(match)
}

// apiName is a StringIds id used by a CUDA runtime call, its name and the name lowered.
type apiName struct {
	id          int32
	name, lower string
}

type apiNames []apiName

// usedAPIs lists the names of tr's CUDA runtime calls, each distinct id once: calls come in runs
// of one name, and a dense id's verdict is kept by index (other ids in a map), not hashed per
// call. An id StringIds lacks is left out.
func usedAPIs(tr *trace.Trace) apiNames {
	var out apiNames
	seen := make([]bool, min(tr.Strings.Bound(), 1<<22))
	other := map[int32]bool{}
	for i, id := range tr.Runtime.NameID {
		if i > 0 && id == tr.Runtime.NameID[i-1] {
			continue
		}
		if id >= 0 && int(id) < len(seen) {
			if seen[id] {
				continue
			}
			seen[id] = true
		} else if other[id] {
			continue
		} else {
			other[id] = true
		}
		if s, ok := tr.Strings.Lookup(int64(id)); ok {
			out = append(out, apiName{id, s, lowerASCII(s)})
		}
	}
	return out
}

// matching maps the id of each name that matches (given the name lowered) to the name.
func (ns apiNames) matching(match func(lower string) bool) map[int32]string {
	out := map[int32]string{}
	for _, n := range ns {
		if match(n.lower) {
			out[n.id] = n.name
		}
	}
	return out
}

// Rule skip reasons, as nsys words them.
const (
	skipNoRuntime = "could not be analyzed because it does not contain the required CUDA data. Does the application use CUDA runtime APIs?"
	skipNoGPUOps  = "could not be analyzed because it does not contain the required data. Does the application launch GPU operations?"
)
