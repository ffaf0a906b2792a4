package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// standInNsys writes an nsys that records each profile argv (one argument a line) into
// argvFile; with report set, profile writes a report and export copies a real export.
func standInNsys(t *testing.T, argvFile string, report bool) string {
	t.Helper()
	good, _ := filepath.Abs("../../testdata/traces/go_tts_pageable.sqlite")
	write := ""
	if report {
		write = `for a; do case $a in --output=*) echo rep > "${a#--output=}.nsys-rep";; esac; done`
	}
	script := `#!/bin/sh
case "$1" in
--version) echo "NVIDIA Nsight Systems version 0.0-test";;
profile) for a; do printf '%s\n' "$a"; done > ` + argvFile + `
  ` + write + `;;
export) for a; do case $a in --output=*) cp ` + good + ` "${a#--output=}";; esac; done;;
esac
`
	fake := filepath.Join(t.TempDir(), "nsys")
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return fake
}

// TestCaptureRangeArgv checks the exact nsys argv of each capture mode of `capture -- CMD`.
func TestCaptureRangeArgv(t *testing.T) {
	argvFile := filepath.Join(t.TempDir(), "argv")
	fake := standInNsys(t, argvFile, true)
	quiet := []string{"--trace-fork-before-exec=true", "--cuda-graph-trace=node", "--sample=none", "--cpuctxsw=none", "python3", "plain.py"}
	for _, c := range []struct {
		flags []string
		mid   []string // between --trace and the common tail
		extra []string // before --sample
	}{
		{nil, []string{"--capture-range=cudaProfilerApi", "--capture-range-end=stop"}, nil},
		{[]string{"--range", "none"}, nil, nil},
		{[]string{"--range", "none", "--delay", "20", "--duration", "10"}, nil, []string{"--delay=20", "--duration=10"}},
		{[]string{"--range", "nvtx:step"}, []string{"--capture-range=nvtx", "--nvtx-capture=step",
			"--env-var=NSYS_NVTX_PROFILER_REGISTER_ONLY=0", "--capture-range-end=stop"}, nil},
		{[]string{"--range=nvtx:forward@model", "--range-end", "repeat"}, []string{"--capture-range=nvtx", "--nvtx-capture=forward@model",
			"--env-var=NSYS_NVTX_PROFILER_REGISTER_ONLY=0", "--capture-range-end=repeat"}, nil},
		{[]string{"--range", "cuda", "--duration", "30"}, []string{"--capture-range=cudaProfilerApi", "--capture-range-end=stop"}, []string{"--duration=30"}},
	} {
		dir := t.TempDir()
		args := append(append([]string{"capture", "--nsys", fake, "-o", dir}, c.flags...), "--", "python3", "plain.py")
		if _, errOut, code := runCLI(t, args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", c.flags, code, errOut)
		}
		want := slices.Concat([]string{"profile", "--output=" + filepath.Join(dir, "trace"), "--force-overwrite=true", "--trace=cuda,nvtx,osrt"},
			c.mid, quiet[:2], c.extra, quiet[2:])
		got := strings.Split(strings.TrimSuffix(string(mustRead(t, argvFile)), "\n"), "\n")
		if !slices.Equal(got, want) {
			t.Errorf("%v:\n got  %q\n want %q", c.flags, got, want)
		}
		rng := "cuda"
		if i := slices.IndexFunc(c.flags, func(f string) bool { return strings.HasPrefix(f, "--range") && f != "--range-end" }); i >= 0 {
			if rng = strings.TrimPrefix(c.flags[i], "--range="); rng == "--range" {
				rng = c.flags[i+1]
			}
		}
		if run := string(mustRead(t, filepath.Join(dir, "run.json"))); !strings.Contains(run, `"range": "`+rng+`"`) {
			t.Errorf("%v: run.json lacks the range %q:\n%s", c.flags, rng, run)
		}
	}
}

// TestCaptureNoReport: a program that never opened the capture range ends in one error line
// (after nsys's progress) naming the options that record it.
func TestCaptureNoReport(t *testing.T) {
	fake := standInNsys(t, filepath.Join(t.TempDir(), "argv"), false)
	for _, c := range []struct {
		flags []string
		want  string
	}{
		{nil, "did the program call cudaProfilerStart (cuProfilerStart) in a GPU process? A program without profiler calls can be recorded whole with --range none (bounded by --delay/--duration), or from an NVTX range with --range nvtx:NAME[@DOMAIN]"},
		{[]string{"--range", "nvtx:step"}, `no process opened an NVTX range "step" in the default NVTX domain; check the name and domain (--range nvtx:NAME@DOMAIN), or record the whole run with --range none`},
		{[]string{"--range", "none", "--delay", "60"}, "the program ended before nsys recorded anything"},
	} {
		dir := t.TempDir()
		args := append(append([]string{"capture", "--nsys", fake, "-o", dir}, c.flags...), "--", "python3", "plain.py")
		_, errOut, code := runCLI(t, args...)
		lines := strings.Split(strings.TrimSpace(errOut), "\n")
		want := "omnistat: capture trace: nsys wrote no report for " + filepath.Join(dir, "trace") + ": " + c.want
		if code != exitError || !strings.HasPrefix(lines[len(lines)-1], want) {
			t.Errorf("%v: exit %d, last line %q; want exit 1 and %q", c.flags, code, lines[len(lines)-1], want)
		}
	}
}

// TestCaptureRangeUsage: bad --range, --delay, --duration values are usage errors (exit 2)
// that name the allowed values, before nsys is looked for.
func TestCaptureRangeUsage(t *testing.T) {
	t.Setenv("NSYS", "")
	t.Setenv("PATH", t.TempDir())
	for _, c := range []struct {
		flags []string
		want  string
	}{
		{[]string{"--range", "whole"}, `unknown --range "whole" (use cuda, nvtx:NAME[@DOMAIN] or none)`},
		{[]string{"--range", "nvtx:"}, "give the NVTX range's name"},
		{[]string{"--range", "nvtx:step@"}, "give the domain after @"},
		{[]string{"--delay", "-1"}, `--delay "-1": give a whole number of seconds, 0 or more`},
		{[]string{"--delay", "1.5"}, `--delay "1.5": give a whole number of seconds, 0 or more`},
		{[]string{"--duration", "0"}, `--duration "0": give a whole number of seconds, 1 or more`},
		{[]string{"--duration", "10s"}, `--duration "10s"`},
		{[]string{"--range", "none", "--range-end", "repeat"}, "--range-end repeat needs a capture range"},
	} {
		args := append(append([]string{"capture", "-o", t.TempDir()}, c.flags...), "--", "true")
		_, errOut, code := runCLI(t, args...)
		if code != exitUsage || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, %q; want exit 2 with %q", c.flags, code, errOut, c.want)
		}
	}
	// the same options reach the built-in workloads
	if _, errOut, code := runCLI(t, "capture", "tts", "--range", "bogus", "-o", t.TempDir()); code != exitUsage || !strings.Contains(errOut, "unknown --range") {
		t.Errorf("capture tts --range bogus: exit %d, %q", code, errOut)
	}
}
