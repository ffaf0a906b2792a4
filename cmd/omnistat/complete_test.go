package main

import (
	"bytes"
	"runtime/debug"
	"strings"
	"testing"
)

// complete runs the hidden __complete command as a shell would and returns the candidates.
func complete(t *testing.T, args ...string) []string {
	t.Helper()
	var out, errb bytes.Buffer
	run(append([]string{"__complete"}, args...), strings.NewReader(""), &out, &errb)
	var c []string
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if !strings.HasPrefix(l, ":") {
			c = append(c, l)
		}
	}
	return c
}

func TestCompletion(t *testing.T) {
	const tts = "../../testdata/traces/go_tts_pageable.sqlite"
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"stats", "-r", "cuda_api_sum,nv"}, "cuda_api_sum,nvtx_kern_sum:base"},
		{[]string{"stats", "--by", ""}, "stage process thread device none"},
		{[]string{"summarize", "--by", ""}, "stage process thread none"},
		{[]string{"summarize", "--format", ""}, "text markdown json"},
		{[]string{"stats", "--format", ""}, "column csv json markdown"},
		{[]string{"summarize", tts, "--stage", ""}, "talker= code2wav="},
		{[]string{"diff", tts, tts, "--fail-on", ""}, "stage:talker:"},
	} {
		got := strings.Join(complete(t, c.args...), " ")
		if !strings.Contains(got, c.want) {
			t.Errorf("complete %q: %q, want it to hold %q", c.args, got, c.want)
		}
	}
}

func TestVersionString(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "true"}, {Key: "vcs.time", Value: "2026-11-30T10:00:00Z"}}}
	for _, c := range []struct {
		set  string
		bi   *debug.BuildInfo
		want string
	}{
		{"v9", bi, "v9"},
		{"", bi, "devel 0123456789ab+dirty 2026-11-30T10:00:00Z go1.26.8"},
		{"", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"}}, "v1.2.3"},
		{"", nil, "unknown (no build info)"},
	} {
		if got := versionOf(c.set, c.bi, c.bi != nil); got != c.want {
			t.Errorf("versionOf(%q) = %q, want %q", c.set, got, c.want)
		}
	}
	var out bytes.Buffer
	run([]string{"--version"}, strings.NewReader(""), &out, &out)
	if strings.Contains(out.String(), " dev\n") || !strings.HasPrefix(out.String(), "omnistat version ") {
		t.Errorf("--version: %q", out.String())
	}
}
