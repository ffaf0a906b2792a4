package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestMergeCopiesJSON: two copies of one export merged (one host, one clock, both windows at
// +0.0 ms) are one run seen twice: per stage, every sum of events (kernel, copy, set and CUDA API
// time) is exactly twice the single export's, while what is a union or an identity (wall, GPU
// busy time, pids, replicas, GPU count, stage names and sources) is unchanged; compared field by
// field on the parsed JSON, not by substring.
func TestMergeCopiesJSON(t *testing.T) {
	p := "../../testdata/traces/go_tts_pageable.sqlite"
	dir := t.TempDir()
	b := mustRead(t, p)
	for _, n := range []string{"run.1.sqlite", "run.2.sqlite"} {
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	type stageJSON struct {
		Stage    string  `json:"stage"`
		PIDs     []int64 `json:"pids"`
		FoundBy  string  `json:"found_by"`
		Wall     int64   `json:"wall_ns"`
		Busy     int64   `json:"gpu_busy_ns"`
		GPUs     int     `json:"gpu_count"`
		Kernel   int64   `json:"kernel_ns"`
		Memcpy   int64   `json:"memcpy_ns"`
		Memset   int64   `json:"memset_ns"`
		API      int64   `json:"cuda_api_ns"`
		Replicas int     `json:"replicas"`
		TopRange string  `json:"top_nvtx_range"`
	}
	type doc struct {
		Windows []string    `json:"windows"`
		Stages  []stageJSON `json:"stages"`
	}
	read := func(args ...string) doc {
		t.Helper()
		out, errOut, code := runCLI(t, append([]string{"summarize", "--format", "json"}, args...)...)
		if code != 0 {
			t.Fatalf("summarize %v: exit %d: %s", args, code, errOut)
		}
		var docs []doc
		if err := json.Unmarshal([]byte(out), &docs); err != nil || len(docs) != 1 {
			t.Fatalf("summarize %v: %d documents, %v", args, len(docs), err)
		}
		return docs[0]
	}
	one, two := read(p), read("--merge", dir)
	if len(one.Windows) != 0 || len(two.Windows) != 2 {
		t.Errorf("windows: single %q, merged %q; want none and two", one.Windows, two.Windows)
	}
	if len(one.Stages) != 2 || len(two.Stages) != len(one.Stages) {
		t.Fatalf("stages: single %d, merged %d", len(one.Stages), len(two.Stages))
	}
	for i, s := range one.Stages {
		m := two.Stages[i]
		if s.Kernel == 0 || s.API == 0 || s.Memcpy == 0 {
			t.Fatalf("%s: the single export has no kernels, copies or API time: the test proves nothing", s.Stage)
		}
		want := s
		want.Kernel, want.Memcpy, want.Memset, want.API = 2*s.Kernel, 2*s.Memcpy, 2*s.Memset, 2*s.API
		if !reflect.DeepEqual(m, want) {
			t.Errorf("stage %d merged:\n got  %+v\n want %+v (sums twice, unions and identities the same)", i, m, want)
		}
	}
}
