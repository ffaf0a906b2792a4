package diff

import (
	"fmt"
	"github.com/omnistat/omnistat/summary"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/trace"
)

// GateKind is how a gate compares its metric.
type GateKind int

const (
	// Relative trips on a change beyond Limit percent of the base value (wall>+5%, steps<-10%).
	Relative GateKind = iota
	// Delta trips on a change beyond Limit units (kernels>+100, wall_per_step>+1ms).
	Delta
	// Bound trips when the new run's value is beyond Limit (wall_per_step>2ms,
	// api:cudaMemcpyAsync:share>50%).
	Bound
)

// Gate is a CI gate (docs/diff.md, "Gates"): METRIC of the whole trace or of one stage,
// compared between the runs or against a bound.
type Gate struct {
	Text   string // as written
	Stage  string // "" for the whole trace
	Metric string // wall, gpu_time, kernel_time, memcpy_time, api_time, api_calls, kernels, steps, range, kernel, api
	Arg    string // the range name, kernel regex or API name
	Share  bool   // api:NAME:share, kernel:REGEX:share: the share (%) of API or kernel time
	// Per: "step" (METRIC_per_step), "total" (METRIC_total), or "" for per step where both runs
	// have steps (relative and delta gates) and totals otherwise.
	Per   string
	Op    byte // '>' or '<'
	Kind  GateKind
	Limit float64 // percent (Relative), ns or a count (Delta, Bound), percent for shares
	re    *regexp.Regexp
}

// Metrics a gate can watch; the time metrics and counts take _per_step or _total.
var Metrics = []string{"wall", "gpu_time", "kernel_time", "memcpy_time", "api_time", "api_calls", "kernels", "steps",
	"range:NAME", "kernel:REGEX", "api:NAME", "api:NAME:share", "kernel:REGEX:share"}

var (
	// blanks are allowed around the comparison (gpu_time >+8%, gpu_time > +8 %), not in names
	gateRe  = regexp.MustCompile(`^(?:stage:([^:]+):)?([a-z_]+)(?::(.+?))?(:share)?\s*(>|<)\s*([+-]?)\s*([0-9]+(?:\.[0-9]+)?)\s*(%|ns|us|µs|ms|s)?$`)
	timeOf  = map[string]float64{"ns": 1, "us": 1e3, "µs": 1e3, "ms": 1e6, "s": 1e9}
	isTime  = map[string]bool{"wall": true, "gpu_time": true, "kernel_time": true, "memcpy_time": true, "api_time": true, "range": true, "kernel": true, "api": true}
	perStep = map[string]bool{"wall": true, "gpu_time": true, "kernel_time": true, "memcpy_time": true, "api_time": true, "api_calls": true, "kernels": true, "kernel": true, "api": true}
)

// ParseGate parses a gate; the error says what is wrong and the forms allowed.
func ParseGate(s string) (Gate, error) {
	s = strings.TrimSpace(s)
	m := gateRe.FindStringSubmatch(s)
	bad := func(why string) (Gate, error) {
		return Gate{}, fmt.Errorf("gate %q: %s; forms: [stage:NAME:]METRIC>+X%% (a rise), METRIC<-X%% (a drop), METRIC>+N[unit] (a change), METRIC>N[unit] or <N (a bound), METRIC one of %s, time units ns, us, ms, s (required for a time)", s, why, strings.Join(Metrics, ", "))
	}
	if m == nil {
		return bad("not a gate")
	}
	if m[1] == "" && m[2] == "stage" { // stage:NAME:… whose metric part did not parse
		return bad(fmt.Sprintf("stage:%s: no METRIC after the stage name (blanks are allowed only around the comparison: gpu_time >+8%%)", strings.SplitN(m[3], ":", 2)[0]))
	}
	g := Gate{Text: s, Stage: m[1], Metric: m[2], Arg: m[3], Share: m[4] != "", Op: m[5][0]}
	sign, unit := m[6], m[8]
	g.Limit, _ = strconv.ParseFloat(m[7], 64)
	for _, suffix := range []string{"_per_step", "_total"} {
		if base, ok := strings.CutSuffix(g.Metric, suffix); ok {
			g.Metric, g.Per = base, strings.TrimPrefix(suffix, "_")
			if g.Per == "per_step" {
				g.Per = "step"
			}
			if !perStep[base] {
				return bad(fmt.Sprintf("%s has no %s form", base, suffix))
			}
		}
	}
	switch g.Metric {
	case "wall", "gpu_time", "kernel_time", "memcpy_time", "api_time", "api_calls", "kernels", "steps":
		if g.Arg != "" || g.Share {
			return bad(g.Metric + " takes no argument")
		}
	case "range", "api":
		if g.Arg == "" {
			return bad(fmt.Sprintf("%s needs a name (%s:NAME)", g.Metric, g.Metric))
		}
	case "kernel":
		re, err := regexp.Compile(g.Arg)
		if g.Arg == "" || err != nil {
			return bad("kernel needs a valid regular expression (kernel:REGEX)")
		}
		g.re = re
	default:
		return bad(fmt.Sprintf("unknown metric %q", g.Metric))
	}
	if g.Share && g.Metric != "api" && g.Metric != "kernel" {
		return bad("only api:NAME and kernel:REGEX have a share")
	}
	switch {
	case sign == "" && unit == "%" && !g.Share:
		return bad("a bound in % is for shares (api:NAME:share>50%); a change needs a sign (>+5%)")
	case sign == "":
		g.Kind = Bound
	case (g.Op == '>') != (sign == "+"):
		return bad("a rise is >+X, a drop <-X")
	case unit == "%" && !g.Share:
		g.Kind = Relative
	default:
		g.Kind = Delta
	}
	if unit == "" && g.Kind != Relative && isTime[g.Metric] && !g.Share && g.Limit != 0 {
		// +8 would silently mean 8 ns: a time's change or bound says its unit (0 is 0 in any)
		lhs := fmt.Sprintf("%s%c%s%s", strings.TrimSpace(s[:strings.IndexAny(s, "<>")]), g.Op, sign, m[7])
		if g.Kind == Bound {
			return bad(fmt.Sprintf("%s is a time: give the unit (%sms, or ns, us, s)", g.Metric, lhs))
		}
		return bad(fmt.Sprintf("%s is a time: give the unit (%sms, or ns, us, s) or a relative change (%s%%)", g.Metric, lhs, lhs))
	}
	if f, ok := timeOf[unit]; ok {
		if !isTime[g.Metric] || g.Share {
			return bad(fmt.Sprintf("%s is not a time: no unit %s", g.Metric, unit))
		}
		g.Limit *= f
	}
	if g.Share && unit != "%" && unit != "" {
		return bad("a share is in %")
	}
	return g, nil
}

// GateResult is a gate checked on a pair of traces.
type GateResult struct {
	Gate      string  `json:"gate"`
	BaseValue float64 `json:"base"`
	NewValue  float64 `json:"new"`
	Per       string  `json:"per"` // "step (decode_step: 78 → 78)" or "total"
	Change    string  `json:"change"`
	Tripped   bool    `json:"tripped"`
	// Failed says why the gate could not be evaluated ("" when it was): its stage or NVTX range
	// is not in a run it reads, the per-step values it insists on do not exist, or the runs
	// share no stage. A gate that cannot be evaluated fails the build (diff exits 1): it never
	// passes.
	Failed  string `json:"failed"`
	Missing string `json:"missing,omitempty"` // an API or kernel only one run has (a rise or a drop)
}

// Check evaluates the gate on base and new; perDefault "none" (diff --per none) makes gates
// without _per_step compare totals.
func (g Gate) Check(base, nw *trace.Trace, ab, an *stage.Assignment, perDefault string) GateResult {
	if g.Per == "" && perDefault == "none" {
		g.Per = "total"
	}
	r := GateResult{Gate: g.Text, Per: "total"}
	if g.Metric == "range" {
		r.Per = "instance" // a range's mean duration is already per instance
	}
	vb, vn := g.values(base, ab), g.values(nw, an)
	b, n := vb.value, vn.value
	// a gate reads NEW, and BASE unless it is a bound: its stage and range must be there
	if why := g.unevaluable(vb, vn, ab, an); why != "" {
		r.Failed = why
		return r
	}
	if g.Per == "step" && (vb.steps == 0 && g.Kind != Bound || vn.steps == 0 || vb.step != vn.step && g.Kind != Bound) {
		r.Failed = fmt.Sprintf("%s_per_step: no common step range (base %q ×%d, new %q ×%d)", g.Metric, vb.step, vb.steps, vn.step, vn.steps)
		return r
	}
	if g.usesSteps(vb, vn) {
		if vb.steps > 0 {
			b = vb.value / float64(vb.steps)
		}
		n = vn.value / float64(vn.steps)
		r.Per = fmt.Sprintf("step (%s: %d → %d)", vn.step, vb.steps, vn.steps)
	}
	r.BaseValue, r.NewValue = b, n
	if g.Kind == Bound {
		if !vn.found {
			r.Missing = "not in the new trace: 0" // an API or kernel the run did not call: 0 ns, a share of 0%
		}
		r.Change = fmt.Sprintf("%s, bound %c %s", g.format(n, false), g.Op, g.format(g.Limit, false))
		r.Tripped = (g.Op == '>' && n > g.Limit) || (g.Op == '<' && n < g.Limit)
		return r
	}
	switch {
	case !vb.found && !vn.found:
		r.Missing = "in neither trace"
		return r
	case !vb.found:
		r.Missing, r.Change = "not in the base trace", "new"
		r.Tripped = g.Op == '>' && n > 0 // something that appeared is a rise
		return r
	case !vn.found:
		r.Missing, r.Change = "not in the new trace", "gone"
		r.Tripped = g.Op == '<' // something that vanished is a drop
		return r
	}
	change := n - b
	if g.Kind == Relative {
		if b == 0 {
			r.Change = "from 0"
			r.Tripped = (g.Op == '>' && n > 0) || (g.Op == '<' && n < 0)
			return r
		}
		change = (n - b) * 100 / b
		r.Change = fmt.Sprintf("%+.1f%%", change)
	} else {
		r.Change = g.format(change, true)
	}
	r.Tripped = (g.Op == '>' && change > g.Limit) || (g.Op == '<' && change < -g.Limit)
	return r
}

// unevaluable says why the gate cannot be evaluated on the runs, or "": its stage is not in a
// run it reads (NEW for a bound, both for a change), or its NVTX range is not (a mean duration
// of nothing is no value). An API or kernel that one run did not call is 0 ns there: that is a
// value (something that appeared is a rise, something that vanished a drop).
func (g Gate) unevaluable(vb, vn value, ab, an *stage.Assignment) string {
	readsBase := g.Kind != Bound
	if g.Stage != "" {
		switch {
		case !vn.inScope && !vb.inScope:
			return fmt.Sprintf("stage %s is in neither trace", g.Stage)
		case !vn.inScope:
			return fmt.Sprintf("stage %s is not in the new trace (its stages: %s)", g.Stage, stageKeys(an))
		case !vb.inScope && readsBase:
			return fmt.Sprintf("stage %s is not in the base trace (its stages: %s)", g.Stage, stageKeys(ab))
		}
	}
	if g.Metric == "range" {
		in := ""
		if g.Stage != "" {
			in = " (stage " + g.Stage + ")"
		}
		switch {
		case !vn.found && !vb.found && readsBase:
			return fmt.Sprintf("NVTX range %s is in neither trace%s", g.Arg, in)
		case !vn.found:
			return fmt.Sprintf("NVTX range %s is not in the new trace%s", g.Arg, in)
		case !vb.found && readsBase:
			return fmt.Sprintf("NVTX range %s is not in the base trace%s", g.Arg, in)
		}
	}
	return ""
}

// stageKeys lists an assignment's stages for a message ("none" without any).
func stageKeys(a *stage.Assignment) string {
	var out []string
	if a != nil {
		for _, s := range a.Stages {
			out = append(out, s.Key)
		}
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}

// CheckAll checks every gate on a comparison. When the runs share no stage (res.Unlike: two
// different programs, or every stage renamed) no gate can say anything about a regression, so
// each one fails, unless allowUnlike (diff --allow-unlike) asks to compare them anyway.
func CheckAll(gates []Gate, base, nw *trace.Trace, ab, an *stage.Assignment, res *Result, perDefault string, allowUnlike bool) []GateResult {
	out := make([]GateResult, 0, len(gates))
	for _, g := range gates {
		r := g.Check(base, nw, ab, an, perDefault)
		if res != nil && res.Unlike && !allowUnlike && r.Failed == "" {
			r = GateResult{Gate: r.Gate, Per: r.Per, BaseValue: r.BaseValue, NewValue: r.NewValue,
				Failed: fmt.Sprintf("the runs share no stage (base: %s; new: %s): different programs, or renamed stages (--stage rules name them alike; --allow-unlike compares anyway)", stageKeys(ab), stageKeys(an))}
		}
		out = append(out, r)
	}
	return out
}

// format writes a value of the gate's metric with its unit: a share in percent (a change of a
// share in percentage points), a time in ns with separators, a count; signed for changes.
func (g Gate) format(v float64, signed bool) string {
	num := summary.FloatSep(math.Abs(math.Round(v*10) / 10))
	if strings.HasSuffix(num, ".0") {
		num = strings.TrimSuffix(num, ".0")
	}
	sign := ""
	if signed && v >= 0 {
		sign = "+"
	}
	if v < 0 {
		sign = "-"
	}
	switch {
	case g.Share && signed:
		return sign + num + " pp"
	case g.Share:
		return sign + num + "%"
	case isTime[g.Metric]:
		return sign + num + " ns"
	}
	return sign + num
}

// usesSteps says whether the gate compares per step: asked for, or by default for changes of
// step-scaled metrics when both runs have the same step range.
func (g Gate) usesSteps(b, n value) bool {
	if g.Share || !perStep[g.Metric] || n.steps == 0 {
		return false
	}
	if g.Per == "step" && g.Kind == Bound {
		return true // only the new run's value counts
	}
	if b.steps == 0 || b.step != n.step {
		return false
	}
	return g.Per == "step" || (g.Per == "" && g.Kind != Bound)
}
