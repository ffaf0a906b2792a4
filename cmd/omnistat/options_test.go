package main

import (
	"bytes"
	"context"
	"github.com/omnistat/omnistat/summary"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/omnistat/omnistat/render"
	"github.com/omnistat/omnistat/stage"
	"github.com/spf13/cobra"
)

// parse runs argv through a verb's command with a runF that only captures the options: the
// argv → options half of each verb, tested without reading a trace.
func parse[T any](t *testing.T, mk func(*env, func(*env, *T) error) *cobra.Command, argv ...string) (*T, error) {
	t.Helper()
	var got *T
	var out bytes.Buffer
	e := &env{ctx: context.Background(), stdout: &out, stderr: &out}
	cmd := mk(e, func(_ *env, o *T) error { got = o; return nil })
	cmd.SetArgs(argv)
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.Execute()
	return got, err
}

func TestVerbOptions(t *testing.T) {
	s, err := parse(t, newStatsCmd, "-r", "cuda_gpu_kern_sum:base,nvtx_sum", "-f", "csv", "--by", "device", "--stage", "lm=proc:talker", "a.sqlite")
	if err != nil || len(s.specs) != 2 || s.specs[0].spec != "cuda_gpu_kern_sum:base" || s.specs[0].opt.KernelName != "base" ||
		s.Format != render.CSV || s.Group.By != stage.ByDevice || len(s.Group.rules) != 1 || s.Group.rules[0].Name != "lm" {
		t.Errorf("stats: %+v %v", s, err)
	}
	if s, err := parse(t, newStatsCmd, "x.sqlite"); err != nil || s.Group.By != stage.ByNone || len(s.specs) == 0 {
		t.Errorf("stats defaults: %+v %v", s, err)
	}
	m, err := parse(t, newSummarizeCmd, "--by", "thread", "-f", "json", "--gap-ms", "2.5", "a.sqlite", "b.sqlite")
	if err != nil || m.Group.By != stage.ByThread || m.Format != render.JSON || m.Findings.GapNs != 2_500_000 || strings.Join(m.Traces, " ") != "a.sqlite b.sqlite" {
		t.Errorf("summarize: %+v %v", m, err)
	}
	d, err := parse(t, newDiffCmd, "--fail-on", "wall>+5%", "--fail-on", "stage:talker:api:cudaMemcpyAsync>+10%", "a.sqlite", "b.sqlite")
	if err != nil || len(d.gates) != 2 || d.gates[1].Stage != "talker" || d.Base != "a.sqlite" || d.New != "b.sqlite" || d.Group.By != stage.ByStage {
		t.Errorf("diff: %+v %v", d, err)
	}
	r, err := parse(t, newReportCmd, "-o", "out", "--format", "svg", "--base", "b.sqlite", "a.sqlite")
	if err != nil || r.Out != "out" || r.Format != "svg" || r.Base != "b.sqlite" || r.Group.By != stage.ByStage {
		t.Errorf("report: %+v %v", r, err)
	}
	// usage errors never reach runF
	for _, c := range []struct {
		argv []string
		mk   func(t *testing.T, argv []string) error
	}{
		{[]string{"--by", "device", "a.sqlite"}, func(t *testing.T, a []string) error { _, err := parse(t, newSummarizeCmd, a...); return err }},
		{[]string{"--by", "gpu", "a.sqlite"}, func(t *testing.T, a []string) error { _, err := parse(t, newStatsCmd, a...); return err }},
		{[]string{"-r", "nope", "a.sqlite"}, func(t *testing.T, a []string) error { _, err := parse(t, newStatsCmd, a...); return err }},
		{[]string{"--fail-on", "wall", "a", "b"}, func(t *testing.T, a []string) error { _, err := parse(t, newDiffCmd, a...); return err }},
		{[]string{"--stage", "x", "a", "b"}, func(t *testing.T, a []string) error { _, err := parse(t, newDiffCmd, a...); return err }},
	} {
		err := c.mk(t, c.argv)
		if _, ok := err.(usageError); !ok {
			t.Errorf("%q: %v (%T), want a usage error", c.argv, err, err)
		}
	}
}

// panicWriter panics on the first write: a stand-in for a bug anywhere in a verb.
type panicWriter struct{}

func (panicWriter) Write([]byte) (int, error) { panic("boom: a bug") }

// TestPanicIsExit1: a panic is one line naming it an internal error and exit status 1, never the
// runtime's 2 (a usage error's code).
func TestPanicIsExit1(t *testing.T) {
	var errb bytes.Buffer
	code := run([]string{"stats", "-r", "cuda_api_sum", "../../testdata/traces/go_tts_pageable.sqlite"}, strings.NewReader(""), panicWriter{}, &errb)
	if code != exitError || !strings.Contains(errb.String(), "internal error") || !strings.Contains(errb.String(), "boom: a bug") || strings.Count(errb.String(), "\n") != 1 {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}

// TestFlagValues: out-of-range flag values are usage errors (exit 2) that name the allowed values.
func TestFlagValues(t *testing.T) {
	const tr = "../../testdata/traces/go_tts_pageable.sqlite"
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"report", "--top", "-1", tr, "-o", t.TempDir()}, "--top -1: give 1 or more"},
		{[]string{"summarize", "--top", "0", tr}, "--top 0"},
		{[]string{"diff", "--top", "-3", tr, tr}, "--top -3"},
		{[]string{"summarize", "--low-util", "120", tr}, "from 0 to 100"},
		{[]string{"summarize", "--dominant-api", "-1", tr}, "from 0 to 100"},
		{[]string{"summarize", "--gap-ms", "-5", tr}, "--gap-ms -5"},
		{[]string{"capture", "--range-end", "sometimes", "tts"}, "use stop, repeat, repeat:N or none"},
		{[]string{"capture", "--range-end", "repeat:0", "tts"}, "repeat:N"},
		{[]string{"capture", "--graph-trace", "all", "tts"}, "use node or graph"},
	} {
		out, errOut, code := runCLI(t, c.args...)
		if code != exitUsage || out != "" || !strings.Contains(errOut, c.want) {
			t.Errorf("%q: exit %d, stderr %q, want exit 2 and %q", c.args, code, errOut, c.want)
		}
	}
}

// TestTerminalWidth: on a terminal the text keeps to its width ($COLUMNS), names shrinking first;
// --wide never cuts a name; off a terminal the width is 120 whatever $COLUMNS says.
func TestTerminalWidth(t *testing.T) {
	widest := func(s string) int {
		n := 0
		for _, l := range strings.Split(s, "\n") {
			n = max(n, utf8.RuneCountInString(l))
		}
		return n
	}
	const tr = "../../testdata/traces/foreign_warmup_tts.sqlite" // long cuDNN kernel names
	for _, cols := range []int{80, 110, 160} {
		t.Setenv("COLUMNS", strconv.Itoa(cols))
		var out bytes.Buffer
		e := &env{ctx: context.Background(), stdout: &out, stderr: &bytes.Buffer{}, terminal: true}
		if err := runSummarize(e, &summarizeOptions{Format: render.Column, Top: 10, Findings: summary.DefaultFindingOptions, Traces: []string{tr}, Group: groupOptions{By: stage.ByStage}}); err != nil {
			t.Fatal(err)
		}
		// at 80 columns the tables of numbers alone are wider: their names are cut to the least
		if w := widest(out.String()); w > cols && cols > 100 {
			t.Errorf("COLUMNS=%d: a line of %d columns", cols, w)
		}
		if cols == 80 && !strings.Contains(out.String(), "…") {
			t.Error("COLUMNS=80: no name was cut")
		}
		// a number is never cut: a cut number is a wrong number (a cell of digits ending in "…";
		// a kernel name may be cut after a digit in its middle: "sm90_xmma_fp…tilesize64x64x32_w…")
		if m := regexp.MustCompile(`(^|\s)[0-9][0-9,.]*…`).FindString(out.String()); m != "" {
			t.Errorf("COLUMNS=%d: a number was cut (%q)", cols, m)
		}
	}
	var wide bytes.Buffer
	e := &env{ctx: context.Background(), stdout: &wide, stderr: &bytes.Buffer{}, terminal: true}
	if err := runSummarize(e, &summarizeOptions{Format: render.Column, Top: 10, Findings: summary.DefaultFindingOptions, Traces: []string{tr}, Group: groupOptions{By: stage.ByStage}, Wide: true}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(wide.String(), "…") || widest(wide.String()) <= 120 {
		t.Errorf("--wide cut names (widest line %d)", widest(wide.String()))
	}
	t.Setenv("COLUMNS", "60")
	out, _, _ := runCLI(t, "summarize", tr) // a buffer is no terminal
	if w := widest(out); w > render.TextWidth || w < 100 {
		t.Errorf("off a terminal: widest line %d, want up to %d", w, render.TextWidth)
	}
}
