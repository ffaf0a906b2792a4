package diff

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/internal/testtrace"
	"github.com/omnistat/omnistat/reports"
	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/summary"
	"github.com/omnistat/omnistat/trace"
)

// oracleValue is a gate metric of a whole trace computed from its rows: API and kernel time by
// name (the name nsys prints) and their shares, a range's mean duration (a range never ended
// ends at the last NVTX timestamp), the step count.
func oracleValue(tr *trace.Trace, metric, arg string, share bool) (float64, bool) {
	if f, ok := oracleFigures(tr)[metric]; ok {
		return f, tr.Runtime.Len()+tr.Kernels.Len()+tr.Memcpy.Len()+tr.Memset.Len() > 0 || metric != "wall"
	}
	switch metric {
	case "steps":
		_, n := summary.StepFamily(tr)
		return float64(n), n > 0
	case "api":
		var part, all, n int64
		for i := range tr.Runtime.Start {
			d := tr.Runtime.End[i] - tr.Runtime.Start[i]
			all += d
			if name := tr.Strings.Get(int64(tr.Runtime.NameID[i])); name == arg || reports.APIName(name) == arg {
				part += d
				n++
			}
		}
		if share {
			return float64(part) * 100 / float64(all), n > 0
		}
		return float64(part), n > 0
	case "kernel":
		re := regexp.MustCompile(arg)
		var part, all, n int64
		for i := range tr.Kernels.Start {
			d := tr.Kernels.End[i] - tr.Kernels.Start[i]
			all += d
			if re.MatchString(tr.Strings.Get(int64(tr.Kernels.Demangled[i]))) {
				part += d
				n++
			}
		}
		if share {
			return float64(part) * 100 / float64(all), n > 0
		}
		return float64(part), n > 0
	case "range":
		nv := &tr.NVTX
		names := reports.NewNVTXNames(tr)
		last := int64(math.MinInt64)
		for i := range nv.Start {
			last = max(last, nv.Start[i])
			if nv.End[i] != trace.Null {
				last = max(last, nv.End[i])
			}
		}
		var sum, n int64
		for i := range nv.Start {
			if !trace.IsRange(nv.EventType[i]) {
				continue
			}
			full := names.Name(i)
			if _, msg, _ := strings.Cut(full, ":"); full == arg || msg == arg {
				e := nv.End[i]
				if e == trace.Null {
					e = last
				}
				sum += e - nv.Start[i]
				n++
			}
		}
		if n == 0 {
			return 0, false
		}
		return float64(sum) / float64(n), true
	}
	panic(metric)
}

// TestGateValuesAgainstOracle: every metric of a gate, on whole traces, equals its value
// computed from the rows; a gate on a range reports per instance, a gate per step divides by
// each run's own step count (unequal ones too), and the step metric is missing without steps.
func TestGateValuesAgainstOracle(t *testing.T) {
	names := []string{"go_tts_pageable", "go_tts_graphs", "foreign_tts_a", "foreign_vllm_omni", "diffusion"}
	traces := map[string]*trace.Trace{}
	for _, n := range names {
		traces[n] = testtrace.Read(t, n)
	}
	for _, c := range []struct {
		metric, arg string
		share       bool
	}{
		{"wall", "", false}, {"gpu_time", "", false}, {"kernel_time", "", false}, {"memcpy_time", "", false},
		{"api_time", "", false}, {"api_calls", "", false}, {"kernels", "", false}, {"steps", "", false},
		{"api", "cudaMemcpyAsync", false}, {"api", "cudaMemcpyAsync", true}, {"api", "cudaLaunchKernel", true},
		{"kernel", "gemv|gemm", false}, {"kernel", "elementwise", true}, {"kernel", "^no such kernel$", false},
		{"range", "omnistat:tts.request", false}, {"range", "decode_step", false}, {"range", "talker.decode_step", false},
	} {
		g := Gate{Metric: c.metric, Arg: c.arg, Share: c.share}
		if c.metric == "kernel" {
			g.re = regexp.MustCompile(c.arg)
		}
		for _, n := range names {
			tr := traces[n]
			got, ok := g.Value(tr)
			want, wok := oracleValue(tr, c.metric, c.arg, c.share)
			if ok != wok || (wok && math.Abs(got-want) > 1e-9*math.Abs(want)) {
				t.Errorf("%s %s:%s share=%v = %v %v, want %v %v", n, c.metric, c.arg, c.share, got, ok, want, wok)
			}
		}
	}
	// a range gate compares mean durations: per instance, never per step
	b, nw := traces["go_tts_pageable"], traces["go_tts_graphs"]
	ab, an := stage.Assign(b, nil), stage.Assign(nw, nil)
	g, err := ParseGate("range:omnistat:tts.request>+1%")
	if err != nil {
		t.Fatal(err)
	}
	if r := g.Check(b, nw, ab, an, "auto"); r.Per != "instance" {
		t.Errorf("range gate per %q, want instance", r.Per)
	}
	// per step with each run's own step count: a run against two captures of it merged
	one := testtrace.Read(t, "foreign_repeat.1")
	two, err := trace.Merge([]*trace.Trace{testtrace.Read(t, "foreign_repeat.1"), testtrace.Read(t, "foreign_repeat.2")})
	if err != nil {
		t.Fatal(err)
	}
	a1, a2 := stage.Assign(one, nil), stage.Assign(two, nil)
	for _, expr := range []string{"stage:win-decoder:kernels_per_step>+1", "stage:win-decoder:api_calls>+1%", "stage:win-decoder:kernels_per_step<100"} {
		g, err := ParseGate(expr)
		if err != nil {
			t.Fatal(err)
		}
		r := g.Check(one, two, a1, a2, "auto")
		s1, s2 := stageRows(t, one, a1)["win-decoder"], stageRows(t, two, a2)["win-decoder"]
		f1, c1 := summary.StepFamily(s1)
		f2, c2 := summary.StepFamily(s2)
		if f1 != f2 || c1 == c2 || c1 == 0 {
			t.Fatalf("steps %s ×%d, %s ×%d: the case needs one step range with unequal counts", f1, c1, f2, c2)
		}
		v1, _ := oracleValue(s1, g.Metric, "", false)
		v2, _ := oracleValue(s2, g.Metric, "", false)
		wb, wn := v1/float64(c1), v2/float64(c2)
		if g.Kind == Bound {
			wb = r.BaseValue // only the new run counts
		}
		if r.BaseValue != wb || r.NewValue != wn || r.Per != fmt.Sprintf("step (%s: %d → %d)", f2, c1, c2) || r.Missing != "" || r.Failed != "" {
			t.Errorf("%s: %+v, want base %v new %v per step (%d → %d)", expr, r, wb, wn, c1, c2)
		}
	}
	// per step asked for where one run has no steps: the gate cannot be evaluated (it fails), named
	noSteps := b.Subset(trace.Keep{NVTX: make([]bool, b.NVTX.Len())}) // every CUDA row, no NVTX
	if _, n := summary.StepFamily(noSteps); n != 0 {
		t.Fatalf("without NVTX %d steps", n)
	}
	ad := stage.Assign(noSteps, nil)
	for _, c := range []struct {
		expr    string
		b, n    *trace.Trace
		ab, an  *stage.Assignment
		missing bool
	}{
		{"kernels_per_step>+1", noSteps, b, ad, ab, true},       // the base has no steps
		{"kernels_per_step>+1", b, noSteps, ab, ad, true},       // the new run has none
		{"kernels_per_step<1000000", noSteps, b, ad, ab, false}, // a bound needs only the new run's
		{"kernels_per_step<1000000", b, noSteps, ab, ad, true},
		{"kernels_per_step>+1", b, nw, ab, an, false},
	} {
		g, err := ParseGate(c.expr)
		if err != nil {
			t.Fatal(err)
		}
		r := g.Check(c.b, c.n, c.ab, c.an, "auto")
		if (r.Failed != "") != c.missing || c.missing && (r.Tripped || !strings.Contains(r.Failed, "no common step range")) {
			t.Errorf("%s (%s → %s): failed %q, want failed=%v", c.expr, c.b.Path, c.n.Path, r.Failed, c.missing)
		}
		if c.missing {
			continue
		}
		// a bound per step divides the new run's kernels by its steps and shows the base as it is
		kb, _ := oracleValue(c.b, "kernels", "", false)
		kn, _ := oracleValue(c.n, "kernels", "", false)
		_, sb := summary.StepFamily(c.b)
		_, sn := summary.StepFamily(c.n)
		wb := kb
		if sb > 0 {
			wb = kb / float64(sb)
		}
		if r.NewValue != kn/float64(sn) || r.BaseValue != wb {
			t.Errorf("%s: base %v new %v, want %v and %v", c.expr, r.BaseValue, r.NewValue, wb, kn/float64(sn))
		}
	}
	// no steps in either run: the step metric is in neither; no API calls: a share of 0, missing;
	// one instant of work: a wall of 0
	if r := (Gate{Metric: "steps", Op: '>', Kind: Relative, Limit: 1}).Check(noSteps, noSteps, ab, ab, "auto"); r.Missing != "in neither trace" {
		t.Errorf("steps without steps: %+v", r)
	}
	empty := b.Subset(trace.Keep{Runtime: []bool{}, OSRT: []bool{}, Kernels: []bool{}, Memcpy: []bool{}, Memset: []bool{}, NVTX: []bool{}})
	if v, ok := (Gate{Metric: "api", Arg: "cudaMemcpyAsync", Share: true}).Value(empty); v != 0 || ok {
		t.Errorf("share without API calls: %v %v", v, ok)
	}
	if v, ok := (Gate{Metric: "wall"}).Value(empty); v != 0 || ok {
		t.Errorf("wall of nothing: %v %v", v, ok)
	}
	instant := &trace.Trace{Runtime: trace.APICalls{Start: []int64{7}, End: []int64{7}, GlobalTID: trace.CodesOf([]int64{1}), CorrID: trace.CorrIDs{1}, NameID: trace.StrIDs{0}}}
	if v, ok := (Gate{Metric: "wall"}).Value(instant); v != 0 || !ok {
		t.Errorf("wall of one instant: %v %v, want 0 true", v, ok)
	}
}

// Validate names where it looked: a stage's gate "in stage S of either trace", a whole-trace gate
// "in either trace".
func TestValidateSays(t *testing.T) {
	b, n := testtrace.Read(t, "go_tts_pageable"), testtrace.Read(t, "go_tts_graphs")
	ab, an := stage.Assign(b, nil), stage.Assign(n, nil)
	for expr, want := range map[string]string{
		"stage:talker:api:cudaNoSuch>+1%": `no CUDA API "cudaNoSuch" in stage talker of either trace`,
		"api:cudaNoSuch>+1%":              `no CUDA API "cudaNoSuch" in either trace`,
	} {
		g, err := ParseGate(expr)
		if err != nil {
			t.Fatal(err)
		}
		if err := g.Validate(b, n, ab, an); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", expr, err, want)
		}
	}
}

// A share gate takes % or no unit, never a time unit; its limit is in percent.
func TestShareGateUnits(t *testing.T) {
	for in, ok := range map[string]bool{
		"api:cudaMemcpyAsync:share>50%": true, "api:cudaMemcpyAsync:share>50": true, "kernel:gemv:share<10%": true,
		"api:cudaMemcpyAsync:share>50ms": false, "kernel:gemv:share>+5ns": false,
	} {
		g, err := ParseGate(in)
		if (err == nil) != ok {
			t.Errorf("%q: error %v, want ok=%v", in, err, ok)
			continue
		}
		if ok && (!g.Share || g.Limit != map[bool]float64{true: 50, false: 10}[strings.Contains(in, "50")]) {
			t.Errorf("%q: %+v", in, g)
		}
	}
}

// format: one decimal (dropped when .0), thousands separators, the unit of the metric, a sign on
// changes (+ for zero), pp for a change of a share.
func TestGateFormat(t *testing.T) {
	for _, c := range []struct {
		metric string
		share  bool
		v      float64
		signed bool
		want   string
	}{
		{"wall", false, 1234567.25, false, "1,234,567.3 ns"}, {"wall", false, 1234567.25, true, "+1,234,567.3 ns"},
		{"wall", false, -1234567.25, true, "-1,234,567.3 ns"}, {"wall", false, -2, false, "-2 ns"}, {"wall", false, 0, true, "+0 ns"},
		{"api_calls", false, 12, true, "+12"}, {"api_calls", false, 12.04, false, "12"}, {"kernels", false, -3.5, true, "-3.5"},
		{"api", true, 12.5, false, "12.5%"}, {"api", true, 2.25, true, "+2.3 pp"}, {"api", true, -0.5, true, "-0.5 pp"},
	} {
		if got := (Gate{Metric: c.metric, Share: c.share}).format(c.v, c.signed); got != c.want {
			t.Errorf("format(%s share=%v, %v, %v) = %q, want %q", c.metric, c.share, c.v, c.signed, got, c.want)
		}
	}
}

// levenshtein is the edit distance by its recursive definition (memoised).
func levenshtein(a, b string) int {
	memo := map[[2]int]int{}
	var d func(i, j int) int
	d = func(i, j int) int {
		if i == 0 {
			return j
		}
		if j == 0 {
			return i
		}
		if v, ok := memo[[2]int{i, j}]; ok {
			return v
		}
		c := 1
		if a[i-1] == b[j-1] {
			c = 0
		}
		v := min(d(i-1, j)+1, d(i, j-1)+1, d(i-1, j-1)+c)
		memo[[2]int{i, j}] = v
		return v
	}
	return d(len(a), len(b))
}

// editDistance equals the recursive definition; Suggest ranks by distance then name, keeps three,
// prefers the same name but for case alone, and lists a few names when none is close.
func TestSuggest(t *testing.T) {
	words := []string{"", "a", "ab", "ba", "kitten", "sitting", "cudaMemcpy", "cudaMemcpyAsync", "decode_step", "decode_stpe", "flaw", "lawn"}
	for _, a := range words {
		for _, b := range words {
			if got, want := editDistance(a, b), levenshtein(a, b); got != want {
				t.Errorf("editDistance(%q, %q) = %d, want %d", a, b, got, want)
			}
		}
	}
	for _, c := range []struct {
		s     string
		names []string
		want  string
	}{
		{"cudaMemcpyAsnc", []string{"cudaMemcpyAsync", "cudaMemcpy", "cudaFree"}, ": did you mean cudaMemcpy, cudaMemcpyAsync?"}, // both 1 away (one contains the other): by name
		{"CUDAMEMCPY", []string{"cudaMemcpyAsync", "cudaMemcpy", "cudaMemset"}, ": did you mean cudaMemcpy?"},
		{"abcd", []string{"abce", "abcf", "abcx", "abcy"}, ": did you mean abce, abcf, abcx?"},
		{"zzzz", []string{"b", "a", "c", "a"}, " (there are: a, b, c)"},
		{"zzzzzzzzzz", []string{"n1", "n2", "n3", "n4", "n5", "n6", "n7"}, " (there are: n1, n2, n3, n4, n5, n6, …)"},
		{"zzzzzzzzzz", []string{"n1", "n2", "n3", "n4", "n5", "n6"}, " (there are: n1, n2, n3, n4, n5, n6)"},
		{"x", nil, ""},
	} {
		if got := Suggest(c.s, c.names); got != c.want {
			t.Errorf("Suggest(%q, %q) = %q, want %q", c.s, c.names, got, c.want)
		}
	}
}
